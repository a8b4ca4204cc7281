"""Rule lq_comparison: regional multipliers under every LQ method -> results/{region}/regional/lq_comparison.csv."""

import logging
import sys

# Everything this job prints, warns or raises goes to its log file.
sys.stderr = open(snakemake.log[0], "w", buffering=1)
logging.basicConfig(
    stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
)
logging.captureWarnings(True)
log = logging.getLogger("iouq.workflow.lq_comparison")

from iouq.regional import lq_comparison, read_regional_csv  # noqa: E402
from iouq.results import write_csv_atomic  # noqa: E402
from iouq.tables import load_table  # noqa: E402

entry, settings = snakemake.params.entry, snakemake.params.settings
national = load_table(entry["national"])
data = read_regional_csv(entry["data"], national)
df = lq_comparison(national, data, settings["delta"], tuple(settings["delta_range"]), tuple(settings["methods"]))
write_csv_atomic(df, snakemake.output[0])
log.info("wrote %s (%d rows)", snakemake.output[0], len(df))
