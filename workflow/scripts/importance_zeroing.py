"""Rule importance_zeroing: Jensen & West zeroing experiment on one table.

Output: results/{dataset}/importance/zeroing.csv with columns cutoff, multiplier, sector,
zeroed_coefficients, zeroed_share, zeroed_input_share, value, value_zeroed, change_pct.
"""

import logging
import sys

# Everything this job prints, warns or raises goes to its log file.
sys.stderr = open(snakemake.log[0], "w", buffering=1)
logging.basicConfig(
    stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
)
logging.captureWarnings(True)
log = logging.getLogger("iouq.workflow.importance_zeroing")

from iouq.importance import zeroing_experiment  # noqa: E402
from iouq.results import write_csv_atomic  # noqa: E402
from iouq.tables import load_table  # noqa: E402

COLUMNS = [
    "cutoff",
    "multiplier",
    "sector",
    "zeroed_coefficients",
    "zeroed_share",
    "zeroed_input_share",
    "value",
    "value_zeroed",
    "change_pct",
]

table = load_table(snakemake.params.table)
cutoffs = [float(c) for c in snakemake.params.cutoffs]
log.info("table %s (%s): %d sectors; cut-offs %s", table.name, snakemake.params.table, table.n, cutoffs)
result = zeroing_experiment(table, cutoffs)
for (cutoff, kind), g in result.groupby(["cutoff", "multiplier"], sort=False):
    log.info(
        "cut-off %g, %s: %d coefficients zeroed (%.1f%% of the non-zero ones), max |change| %.3g%%",
        cutoff, kind, g["zeroed_coefficients"].iloc[0], 100 * g["zeroed_share"].iloc[0], g["change_pct"].abs().max(),
    )
write_csv_atomic(result, snakemake.output[0], columns=COLUMNS)
log.info("wrote %d rows to %s", len(result), snakemake.output[0])
