"""Rule plot_lq_comparison: regional multipliers per LQ method -> results/{region}/regional/lq_comparison.png."""

import logging
import sys

# Everything this job prints, warns or raises goes to its log file.
sys.stderr = open(snakemake.log[0], "w", buffering=1)
logging.basicConfig(
    stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
)
logging.captureWarnings(True)
log = logging.getLogger("iouq.workflow.plot_lq_comparison")

import pandas as pd  # noqa: E402

from iouq.plotting import plot_lq_comparison  # noqa: E402
from iouq.results import write_figure_atomic  # noqa: E402

settings = snakemake.params.settings
comparison = pd.read_csv(snakemake.input[0], dtype={"sector": str})
fig = plot_lq_comparison(comparison, title=f"{snakemake.wildcards.region}: regional output multipliers by location quotient",
                         delta=settings["delta"], delta_range=settings["delta_range"])
write_figure_atomic(fig, snakemake.output[0])
log.info("wrote %s", snakemake.output[0])
