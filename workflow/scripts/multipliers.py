"""Rule multipliers: point multipliers of one table -> results/{dataset}/multipliers.csv."""

import logging
import sys

# Everything this job prints, warns or raises goes to its log file.
sys.stderr = open(snakemake.log[0], "w", buffering=1)
logging.basicConfig(
    stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
)
logging.captureWarnings(True)
log = logging.getLogger("iouq.workflow.multipliers")

from iouq.multipliers import MULTIPLIERS, point_multipliers  # noqa: E402
from iouq.results import write_csv_atomic  # noqa: E402
from iouq.tables import load_table  # noqa: E402

table = load_table(snakemake.params.table)
log.info("table %s (%s): %d sectors, households: %s", table.name, snakemake.params.table, table.n, table.has_households)
write_csv_atomic(point_multipliers(table), snakemake.output[0], columns=["sector", *MULTIPLIERS])
log.info("wrote %s", snakemake.output[0])
