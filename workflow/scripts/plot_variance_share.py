"""Rule plot_variance_share: cumulative first-order variance share of the k most important
coefficients -> results/{dataset}/compare/variance_share.png and .pdf."""

import logging
import sys

# Everything this job prints, warns or raises goes to its log file.
sys.stderr = open(snakemake.log[0], "w", buffering=1)
logging.basicConfig(
    stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
)
logging.captureWarnings(True)
log = logging.getLogger("iouq.workflow.plot_variance_share")

import pandas as pd  # noqa: E402

from iouq.plotstyle import write_figure  # noqa: E402
from iouq.plotting import plot_variance_share  # noqa: E402

top = pd.read_csv(snakemake.input[0], dtype={"row": str, "col": str})
fig = plot_variance_share(top, title=f"{snakemake.wildcards.dataset}: variance carried by the top k")
write_figure(fig, [snakemake.output.png, snakemake.output.pdf])
log.info("wrote %s", snakemake.output.png)
