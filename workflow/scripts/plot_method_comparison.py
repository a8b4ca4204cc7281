"""Rule plot_method_comparison: densities inside interval enclosures -> results/{dataset}/stochastic/tol-{tol}_comparison.png
and .pdf, for every tolerance of the dataset in one job (outputs png_<k>, pdf_<k>: tolerance k)."""

import logging
import sys

# Everything this job prints, warns or raises goes to its log file.
sys.stderr = open(snakemake.log[0], "w", buffering=1)
logging.basicConfig(
    stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
)
logging.captureWarnings(True)
log = logging.getLogger("iouq.workflow.plot_method_comparison")

import pandas as pd  # noqa: E402

from iouq.plotstyle import write_figure  # noqa: E402
from iouq.plotting import pce_legend_label, plot_method_comparison  # noqa: E402

dataset = snakemake.wildcards.dataset
for k, tol in enumerate(snakemake.params.tolerances):
    densities = pd.read_csv(snakemake.input.densities[k], dtype={"sector": str})
    intervals = pd.read_csv(snakemake.input.intervals[k], dtype={"sector": str})
    summary = pd.read_csv(snakemake.input.summary[k], dtype={"sector": str})
    diagnostics = pd.read_csv(snakemake.input.diagnostics[k], dtype={"sector": str})
    # the multipliers, then the first satellite account's Type I effect and multiplier (if any)
    shown = ["output_type1", "income_type2"]
    for quantity in ("effect_type1", "multiplier_type1"):
        names = [m for m in dict.fromkeys(densities["multiplier"]) if str(m).startswith(quantity + ":")]
        shown += names[:1]
    fig = plot_method_comparison(
        densities, intervals, multipliers=shown, summary=summary, pce_label=pce_legend_label(diagnostics),
        title=f"{dataset}, tolerance ±{100 * float(tol):g}%: stochastic densities and interval enclosures"
    )
    png, pdf = snakemake.output[f"png_{k}"], snakemake.output[f"pdf_{k}"]
    write_figure(fig, [png, pdf])
    fig.clear()  # free the figure before the next tolerance (an Agg Figure, not pyplot's: nothing else to close)
    log.info("wrote %s", png)
