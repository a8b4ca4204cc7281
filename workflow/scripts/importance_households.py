"""Rule importance_households: the household coefficients against the Type II output multipliers.

Output: results/{dataset}/importance/households.csv with columns row, col, coefficient, kind,
tolerable_limit_up_pct, tolerable_limit_down_pct, inverse_important, field_of_influence,
variance_share, household_variance_share (variance shares at importance.agreement_tol).
"""

import logging
import sys

# Everything this job prints, warns or raises goes to its log file.
sys.stderr = open(snakemake.log[0], "w", buffering=1)
logging.basicConfig(
    stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
)
logging.captureWarnings(True)
log = logging.getLogger("iouq.workflow.importance_households")

from iouq.importance import HOUSEHOLD_COLUMNS, household_importance  # noqa: E402
from iouq.results import write_csv_atomic  # noqa: E402
from iouq.tables import load_table  # noqa: E402

settings = snakemake.params.settings
table = load_table(snakemake.params.table)
tol = float(settings["agreement_tol"])
result = household_importance(
    table, tol, settings["p"], cutoff=settings["cutoff"], distribution=settings["distribution"]
)
log.info("table %s: %d household coefficients, %d inverse-important at p %r; household coefficients carry "
         "%.1f%% of the first-order variance of the Type II output multipliers at tol %r (%s)",
         table.name, int((result["coefficient"] != 0).sum()), int(result["inverse_important"].sum()), settings["p"],
         100 * result["household_variance_share"].iloc[0], tol, settings["distribution"])
write_csv_atomic(result, snakemake.output[0], columns=list(HOUSEHOLD_COLUMNS))
log.info("wrote %d rows to %s", len(result), snakemake.output[0])
