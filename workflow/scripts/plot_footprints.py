"""Rule plot_footprints: footprints with interval hull and Monte Carlo range -> results/{dataset}/footprints/tol-{tol}.png."""

import logging
import sys

# Everything this job prints, warns or raises goes to its log file.
sys.stderr = open(snakemake.log[0], "w", buffering=1)
logging.basicConfig(
    stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
)
logging.captureWarnings(True)
log = logging.getLogger("iouq.workflow.plot_footprints")

import pandas as pd  # noqa: E402

from iouq.plotting import plot_footprints  # noqa: E402
from iouq.results import write_figure_atomic  # noqa: E402

summary = pd.read_csv(snakemake.input[0])
fig = plot_footprints(summary, title=f"{snakemake.wildcards.dataset}: footprints at ±{float(snakemake.wildcards.tol):g} "
                      "(A, S, Y boxes; log-normal Monte Carlo with cv = tolerance)")
write_figure_atomic(fig, snakemake.output[0])
log.info("wrote %s", snakemake.output[0])
