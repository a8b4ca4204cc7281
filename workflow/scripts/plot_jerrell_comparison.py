"""Rule plot_jerrell_comparison: published vs naive vs sharp intervals per sector and tolerance."""

import logging
import sys

# Everything this job prints, warns or raises goes to its log file.
sys.stderr = open(snakemake.log[0], "w", buffering=1)
logging.basicConfig(
    stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
)
logging.captureWarnings(True)
log = logging.getLogger("iouq.workflow.plot_jerrell_comparison")

import pandas as pd  # noqa: E402

from iouq.plotting import plot_jerrell_comparison  # noqa: E402
from iouq.plotstyle import write_figure  # noqa: E402

comparison = pd.read_csv(snakemake.input.comparison, dtype={"sector": str})
point = pd.read_csv(snakemake.input.multipliers, dtype={"sector": str}).set_index("sector")["income_type2"]
fig = plot_jerrell_comparison(comparison, methods=("published", "naive", "sharp", "verified"), point=point)
write_figure(fig, [snakemake.output.png, snakemake.output.pdf])
log.info("wrote %s", snakemake.output[0])
