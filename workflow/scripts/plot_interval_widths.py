"""Rule plot_interval_widths: median relative width vs tolerance -> results/{dataset}/interval/widths.png and .pdf."""

import logging
import sys

# Everything this job prints, warns or raises goes to its log file.
sys.stderr = open(snakemake.log[0], "w", buffering=1)
logging.basicConfig(
    stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
)
logging.captureWarnings(True)
log = logging.getLogger("iouq.workflow.plot_interval_widths")

import pandas as pd  # noqa: E402

from iouq.plotting import plot_interval_widths  # noqa: E402
from iouq.plotstyle import write_figure  # noqa: E402

intervals = {
    tol: pd.read_csv(path, dtype={"sector": str})
    for tol, path in zip(snakemake.params.tolerances, snakemake.input.intervals, strict=True)
}
point = pd.read_csv(snakemake.input.multipliers, dtype={"sector": str})
fig = plot_interval_widths(intervals, point, title=f"{snakemake.wildcards.dataset}: interval enclosures")
write_figure(fig, [snakemake.output.png, snakemake.output.pdf])
log.info("wrote %s", snakemake.output[0])
