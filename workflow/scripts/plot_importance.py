"""Rule plot_importance: tolerable-limit matrix and zeroing curves -> results/{dataset}/importance/importance.png."""

import logging
import sys

# Everything this job prints, warns or raises goes to its log file.
sys.stderr = open(snakemake.log[0], "w", buffering=1)
logging.basicConfig(
    stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
)
logging.captureWarnings(True)
log = logging.getLogger("iouq.workflow.plot_importance")

import pandas as pd  # noqa: E402

from iouq.plotting import plot_importance  # noqa: E402
from iouq.plotstyle import write_figure  # noqa: E402

limits = pd.read_csv(snakemake.input.limits, dtype={"row": str, "col": str})
zeroing = pd.read_csv(snakemake.input.zeroing, dtype={"sector": str})
target = "multipliers" if (limits["target"] == "multipliers").any() else str(limits["target"].iloc[0])
fig = plot_importance(limits, zeroing, target=target, p=snakemake.params.p, cutoff=snakemake.params.cutoff,
                      title=f"{snakemake.wildcards.dataset}: which coefficients matter")
write_figure(fig, [snakemake.output.png, snakemake.output.pdf])
log.info("wrote %s (target %s)", snakemake.output[0], target)
