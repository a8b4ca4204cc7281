"""Rule dynamic_multipliers: static, long-run (with hull) and dynamic multipliers with Monte Carlo
bands -> results/{dataset}/dynamic/multipliers_tol-{tol}.csv and bands_tol-{tol}.csv."""

import logging
import os
import sys

# BLAS threads = the rule's threads (many small batched solves: extra threads only contend).
os.environ.setdefault("OPENBLAS_NUM_THREADS", str(snakemake.threads))
os.environ.setdefault("OMP_NUM_THREADS", str(snakemake.threads))
import time

sys.stderr = open(snakemake.log[0], "w", buffering=1)
logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                    force=True)
logging.captureWarnings(True)
log = logging.getLogger("iouq.workflow.dynamic_multipliers")

from iouq.dynamic.analysis import MULTIPLIER_COLUMNS, multiplier_table  # noqa: E402
from iouq.dynamic.model import build_model, scenario_from_mapping  # noqa: E402
from iouq.dynamic.plot import bands_frame  # noqa: E402
from iouq.results import write_csv_atomic  # noqa: E402
from iouq.tables import load_table  # noqa: E402

s = snakemake.params.settings
table = load_table(snakemake.params.table)
model = build_model(table, scenario_from_mapping(snakemake.params.scenario))
t0 = time.perf_counter()
df, paths = multiplier_table(
    table, model, float(snakemake.wildcards.dtol), s["draws"], snakemake.params.seed, distribution=s["distribution"],
    d_range=tuple(s["depreciation_range"]), beta_rel=s["beta_rel"], accelerator_range=tuple(s["accelerator_range"]),
    engine=s["engine"], chunk_size=s["chunk_size"],
)
log.info("table %s: %d sectors, %d draws in %.2f s", table.name, table.n, s["draws"], time.perf_counter() - t0)
write_csv_atomic(df, snakemake.output.table, columns=MULTIPLIER_COLUMNS)
write_csv_atomic(bands_frame(df, paths), snakemake.output.bands)
log.info("wrote %s, %s", snakemake.output.table, snakemake.output.bands)
