"""Rule plot_cross_family: ranges of every method in percent of the point ->
results/{dataset}/compare/tol-{tol}_ranges.png and .pdf."""

import logging
import sys

# Everything this job prints, warns or raises goes to its log file.
sys.stderr = open(snakemake.log[0], "w", buffering=1)
logging.basicConfig(
    stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
)
logging.captureWarnings(True)
log = logging.getLogger("iouq.workflow.plot_cross_family")

import pandas as pd  # noqa: E402

from iouq.plotstyle import write_figure  # noqa: E402
from iouq.plotting import plot_cross_family, pce_legend_label  # noqa: E402

comp = pd.read_csv(snakemake.input.comparison, dtype={"sector": str, "distribution": str}, keep_default_na=False,
                   na_values=[""])
comp["distribution"] = comp["distribution"].fillna("")
diagnostics = pd.read_csv(snakemake.input.diagnostics, dtype={"sector": str})
w = snakemake.wildcards
fig = plot_cross_family(comp, multipliers=snakemake.params.multipliers, max_sectors=snakemake.params.sectors,
                        pce_label=pce_legend_label(diagnostics),
                        title=f"{w.dataset}, tolerance ±{100 * float(w.tol):g}%: ranges of the three families")
write_figure(fig, [snakemake.output.png, snakemake.output.pdf])
log.info("wrote %s", snakemake.output.png)
