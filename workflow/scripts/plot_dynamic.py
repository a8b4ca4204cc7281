"""Rule plot_dynamic: dynamic-multiplier paths with Monte Carlo bands -> multipliers_tol-{tol}.png."""

import logging
import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)
logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                    force=True)
logging.captureWarnings(True)

import pandas as pd  # noqa: E402

from pathlib import Path  # noqa: E402

from iouq.tables import bundled_path  # noqa: E402
from iouq.dynamic.plot import plot_dynamic_multipliers  # noqa: E402
from iouq.results import write_figure_atomic  # noqa: E402

bands = pd.read_csv(snakemake.input.bands, dtype={"sector": str})
dataset = snakemake.wildcards.dyn
# Sector names: industries.csv of the table directory (code,name) when it has one.
names = None
directory = Path(snakemake.params.table) if "/" in snakemake.params.table else bundled_path(snakemake.params.table)
if (directory / "industries.csv").is_file():
    ind = pd.read_csv(directory / "industries.csv", dtype=str)
    names = {c: (n if len(n) <= 32 else n[:30] + "…") for c, n in zip(ind.iloc[:, 0], ind.iloc[:, 1])}
    names = {c: n.split(" (")[0] for c, n in names.items()}
fig = plot_dynamic_multipliers(bands, f"{dataset}: dynamic output multipliers, box ±{float(snakemake.params.tol):.0%}",
                               names=names)
write_figure_atomic(fig, snakemake.output[0], dpi=150)
