"""Rule plot_dynamic: dynamic-multiplier paths with Monte Carlo bands -> multipliers_tol-{tol}.png."""

import logging
import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)
logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                    force=True)
logging.captureWarnings(True)

import pandas as pd  # noqa: E402

from iouq.dynamic.aggregate import THREE_SECTOR_NAMES  # noqa: E402
from iouq.dynamic.plot import plot_dynamic_multipliers  # noqa: E402
from iouq.results import write_figure_atomic  # noqa: E402

bands = pd.read_csv(snakemake.input.bands, dtype={"sector": str})
dataset = snakemake.wildcards.dyn
names = THREE_SECTOR_NAMES if dataset.endswith("3sector") else None
fig = plot_dynamic_multipliers(bands, f"{dataset}: dynamic output multipliers, box ±{float(snakemake.params.tol):.0%}",
                               names=names)
write_figure_atomic(fig, snakemake.output[0], dpi=150)
