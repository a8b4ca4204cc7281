"""Rule interval_table: enclosures of all multipliers of one table at one tolerance.

Output: results/{dataset}/interval/tol-{tol}.csv with columns
sector, multiplier, method, lower, upper, exactness.
"""

import logging
import sys

# Everything this job prints, warns or raises goes to its log file.
sys.stderr = open(snakemake.log[0], "w", buffering=1)
logging.basicConfig(
    stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
)
logging.captureWarnings(True)
log = logging.getLogger("iouq.workflow.interval_table")

from iouq.interval import interval_table  # noqa: E402
from iouq.quantities import table_quantities  # noqa: E402
from iouq.results import write_csv_atomic  # noqa: E402
from iouq.tables import load_table  # noqa: E402

COLUMNS = ["sector", "multiplier", "method", "lower", "upper", "exactness"]

table = load_table(snakemake.params.table)
tol = float(snakemake.wildcards.tol)
methods = tuple(snakemake.params.methods)
log.info("table %s (%s): %d sectors; tol %r; methods %s", table.name, snakemake.params.table, table.n, tol, methods)
sat = snakemake.params.satellites
quantities = table_quantities(table, sat["accounts"] or None, sat["quantities"])
sat_tol = None if sat["sat_tol"] is None else float(sat["sat_tol"])
log.info("quantities %s; sat_tol %s", quantities, "= tol" if sat_tol is None else sat_tol)
result = interval_table(table, tol, methods=methods, multipliers=quantities, sat_tol=sat_tol)
write_csv_atomic(result, snakemake.output[0], columns=COLUMNS)
log.info("wrote %d rows to %s", len(result), snakemake.output[0])
