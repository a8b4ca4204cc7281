"""Rule jerrell_comparison: Jerrell's (1995) published intervals next to the recomputed ones.

Output: results/miernyk/interval/jerrell_comparison.csv (columns as returned by
iouq.interval.jerrell_comparison).
"""

import logging
import sys

# Everything this job prints, warns or raises goes to its log file.
sys.stderr = open(snakemake.log[0], "w", buffering=1)
logging.basicConfig(
    stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
)
logging.captureWarnings(True)
log = logging.getLogger("iouq.workflow.jerrell_comparison")

import pandas as pd  # noqa: E402

from iouq.interval import jerrell_comparison  # noqa: E402
from iouq.results import write_csv_atomic  # noqa: E402
from iouq.tables import load_table  # noqa: E402

table = load_table(snakemake.params.table)
published = pd.read_csv(snakemake.input.published, dtype={"sector": str})
log.info("table %s: %d sectors; %d published intervals", table.name, table.n, len(published))
result = jerrell_comparison(table, published)
write_csv_atomic(result, snakemake.output[0])
log.info("wrote %d rows to %s", len(result), snakemake.output[0])
