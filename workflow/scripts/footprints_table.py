"""Rule footprints: footprints with interval bounds and Monte Carlo -> results/{dataset}/footprints/tol-{tol}.csv."""

import logging
import sys

# Everything this job prints, warns or raises goes to its log file.
sys.stderr = open(snakemake.log[0], "w", buffering=1)
logging.basicConfig(
    stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
)
logging.captureWarnings(True)
log = logging.getLogger("iouq.workflow.footprints")

from iouq.mrio import footprint_summary  # noqa: E402
from iouq.results import write_csv_atomic  # noqa: E402
from iouq.tables import load_table  # noqa: E402

table = load_table(snakemake.params.table)
df = footprint_summary(table, float(snakemake.wildcards.tol), snakemake.params.settings["samples"], snakemake.params.seed)
write_csv_atomic(df, snakemake.output[0])
log.info("wrote %s (%d rows)", snakemake.output[0], len(df))
