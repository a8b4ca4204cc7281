"""Rule stochastic_table: stochastic summaries and densities of all multipliers of one table at
one tolerance.

Outputs (results/{dataset}/stochastic/):
  tol-{tol}.csv              sector, multiplier, method, distribution, mean, sd, skew, q025, q500,
                             q975, n_samples, mc_se_mean
  tol-{tol}_densities.csv    sector, multiplier, method, distribution, x, density
  tol-{tol}_diagnostics.csv  the summary keys plus quantile standard errors, control-variate
                             mean, rejection rate of non-productive draws, point value, PCE inputs,
                             PCE coefficients and the first-order variance share of the inputs
"""

import logging
import sys

# Everything this job prints, warns or raises goes to its log file.
sys.stderr = open(snakemake.log[0], "w", buffering=1)
logging.basicConfig(
    stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
)
logging.captureWarnings(True)
log = logging.getLogger("iouq.workflow.stochastic_table")

from iouq.results import write_csv_atomic  # noqa: E402
from iouq.quantities import parse_quantity, table_quantities  # noqa: E402
from iouq.stochastic import DENSITY_COLUMNS, DIAGNOSTIC_COLUMNS, stochastic_table  # noqa: E402
from iouq.tables import load_table  # noqa: E402

COLUMNS = ["sector", "multiplier", "method", "distribution", "mean", "sd", "skew", "q025", "q500", "q975",
           "n_samples", "mc_se_mean"]
DIAGNOSTICS = DIAGNOSTIC_COLUMNS

settings = snakemake.params.settings
table = load_table(snakemake.params.table)
tol = float(snakemake.wildcards.tol)
log.info("table %s (%s): %d sectors; tol %r; settings %s; seed %s", table.name, snakemake.params.table,
         table.n, tol, settings, snakemake.params.seed)
sat = snakemake.params.satellites
sat_tol = None if sat["sat_tol"] is None else float(sat["sat_tol"])
quantities = []
for name in table_quantities(table, sat["accounts"] or None, sat["quantities"]):
    q = parse_quantity(name)
    if q.quantity == "intensity":
        log.info("%s skipped: the stochastic family does not analyse intensities themselves", name)
    elif q.satellite and sat_tol is not None and sat_tol != tol and (q.ratio or tol == 0):
        log.info("%s skipped: the ratio multipliers need sat_tol equal to the tolerance", name)
    else:
        quantities.append(name)
summary, densities = stochastic_table(
    table, tol,
    multipliers=quantities,
    sat_tol=sat_tol,
    distributions=settings["distributions"],
    methods=settings["methods"],
    n_samples=settings["samples"],
    seed=snakemake.params.seed,
    chunk_size=settings["chunk_size"],
    pce_order=settings["pce"]["order"],
    pce_top_k=settings["pce"]["top_k"],
    pce_max_sectors=settings["pce"]["max_sectors"],
    pce_remainder=settings["pce"].get("remainder", "linear"),
    density_points=settings["density_points"],
    density_sectors=settings["density_sectors"],
    log=log,
)
for rate in summary.loc[summary["rejection_rate"] > 0, ["multiplier", "distribution", "rejection_rate"]].drop_duplicates().itertuples():
    log.warning("%s/%s: %.2f%% of the draws were non-productive and rejected", rate.multiplier,
                rate.distribution, 100 * rate.rejection_rate)
write_csv_atomic(summary, snakemake.output.summary, columns=COLUMNS)
write_csv_atomic(densities, snakemake.output.densities, columns=DENSITY_COLUMNS)
write_csv_atomic(summary, snakemake.output.diagnostics, columns=DIAGNOSTICS)
log.info("wrote %d summary rows and %d density rows", len(summary), len(densities))
