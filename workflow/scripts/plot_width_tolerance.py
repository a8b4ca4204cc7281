"""Rule plot_width_tolerance: relative width against tolerance, all methods ->
results/{dataset}/compare/widths.png and .pdf."""

import logging
import sys

# Everything this job prints, warns or raises goes to its log file.
sys.stderr = open(snakemake.log[0], "w", buffering=1)
logging.basicConfig(
    stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
)
logging.captureWarnings(True)
log = logging.getLogger("iouq.workflow.plot_width_tolerance")

import pandas as pd  # noqa: E402

from iouq.plotstyle import write_figure  # noqa: E402
from iouq.plotting import plot_width_tolerance  # noqa: E402

summary = pd.read_csv(snakemake.input[0], dtype={"tol": str, "distribution": str, "dataset": str},
                      keep_default_na=False, na_values=[""])
summary = summary[summary["dataset"] == snakemake.wildcards.dataset]
fig = plot_width_tolerance(summary, title=f"{snakemake.wildcards.dataset}: relative width of every method")
write_figure(fig, [snakemake.output.png, snakemake.output.pdf])
log.info("wrote %s", snakemake.output.png)
