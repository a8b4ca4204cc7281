"""Rule regional_delta: delta-range bounds and Monte Carlo -> results/{region}/regional/delta_tol-{tol}.csv."""

import logging
import sys

# Everything this job prints, warns or raises goes to its log file.
sys.stderr = open(snakemake.log[0], "w", buffering=1)
logging.basicConfig(
    stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
)
logging.captureWarnings(True)
log = logging.getLogger("iouq.workflow.regional_delta")

from iouq.regional import delta_uncertainty, read_regional_csv  # noqa: E402
from iouq.results import write_csv_atomic  # noqa: E402
from iouq.tables import load_table  # noqa: E402

entry, settings = snakemake.params.entry, snakemake.params.settings
national = load_table(entry["national"])
data = read_regional_csv(entry["data"], national)
methods = [m for m in settings["methods"] if m in ("flq", "aflq")] or ["flq"]
df = delta_uncertainty(national, data, methods, tuple(settings["delta_range"]), float(snakemake.wildcards.tol),
                       settings["samples"], snakemake.params.seed)
write_csv_atomic(df, snakemake.output[0])
log.info("wrote %s (%d rows)", snakemake.output[0], len(df))
