"""Rule plot_cross_family: ranges of every method in percent of the point ->
results/{dataset}/compare/tol-{tol}_ranges.png and .pdf, for every tolerance of the dataset in one
job (outputs png_<k>, pdf_<k>: tolerance k)."""

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

dataset = snakemake.wildcards.dataset
for k, tol in enumerate(snakemake.params.tolerances):
    comp = pd.read_csv(snakemake.input.comparison[k], dtype={"sector": str, "distribution": str},
                       keep_default_na=False, na_values=[""])
    comp["distribution"] = comp["distribution"].fillna("")
    diagnostics = pd.read_csv(snakemake.input.diagnostics[k], dtype={"sector": str})
    fig = plot_cross_family(comp, multipliers=snakemake.params.multipliers, max_sectors=snakemake.params.sectors,
                            pce_label=pce_legend_label(diagnostics),
                            title=f"{dataset}, tolerance ±{100 * float(tol):g}%: ranges of the three families")
    png, pdf = snakemake.output[f"png_{k}"], snakemake.output[f"pdf_{k}"]
    write_figure(fig, [png, pdf])
    fig.clear()  # free the figure before the next tolerance (an Agg Figure, not pyplot's: nothing else to close)
    log.info("wrote %s", png)
