"""Rule plot_footprints: footprints with interval hull and Monte Carlo range -> results/{dataset}/footprints/tol-{tol}.png,
for every tolerance of the dataset in one job (outputs png_<k>: tolerance k)."""

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

dataset = snakemake.wildcards.dataset
for k, tol in enumerate(snakemake.params.tolerances):
    summary = pd.read_csv(snakemake.input[k])
    fig = plot_footprints(summary, title=f"{dataset}: footprints at ±{float(tol):g} "
                          "(A, S, Y boxes; log-normal Monte Carlo with cv = tolerance)")
    png = snakemake.output[f"png_{k}"]
    write_figure_atomic(fig, png)
    fig.clear()  # free the figure before the next tolerance (an Agg Figure, not pyplot's: nothing else to close)
    log.info("wrote %s", png)
