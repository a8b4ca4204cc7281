"""Rule extensions: see workflow/rules/satellites.smk and the README's result table."""

import logging
import sys

# Everything this job prints, warns or raises goes to its log file.
sys.stderr = open(snakemake.log[0], "w", buffering=1)
logging.basicConfig(
    stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
)
logging.captureWarnings(True)
log = logging.getLogger("iouq.workflow.satellite_extensions")

import pandas as pd  # noqa: E402

from iouq.quantities import EXTENSIONS_COLUMNS, extensions_frame  # noqa: E402
from iouq.results import write_csv_atomic  # noqa: E402
from iouq.tables import load_table  # noqa: E402

table = load_table(snakemake.params.table)
wanted = snakemake.params.satellites["accounts"] or list(table.accounts)
accounts = [a for a in wanted if a in table.accounts]
log.info("table %s (%s): accounts %s", table.name, snakemake.params.table, accounts)
result = pd.concat([extensions_frame(table, a) for a in accounts], ignore_index=True)
write_csv_atomic(result, snakemake.output[0], columns=EXTENSIONS_COLUMNS)
log.info("wrote %d rows to %s", len(result), snakemake.output[0])
