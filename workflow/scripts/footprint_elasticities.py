"""Rule footprint_elasticities: elasticities and tolerable limits -> results/{dataset}/footprints/elasticities.csv."""

import logging
import sys

# Everything this job prints, warns or raises goes to its log file.
sys.stderr = open(snakemake.log[0], "w", buffering=1)
logging.basicConfig(
    stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
)
logging.captureWarnings(True)
log = logging.getLogger("iouq.workflow.footprint_elasticities")

from iouq.mrio import elasticity_table  # noqa: E402
from iouq.results import write_csv_atomic  # noqa: E402
from iouq.tables import load_table  # noqa: E402

table = load_table(snakemake.params.table)
df = elasticity_table(table, snakemake.params.settings["p"])
write_csv_atomic(df, snakemake.output[0])
log.info("wrote %s (%d rows)", snakemake.output[0], len(df))
