"""Rule importance_table: importance of every coefficient of one table at one tolerance.

Output: results/{dataset}/importance/tol-{tol}.csv with columns row, col, coefficient, target,
tolerable_limit_up_pct, tolerable_limit_down_pct, inverse_important, field_of_influence,
variance_share, morris_mu_star, sobol_total (one block of n^2 rows per target; the SALib
columns are filled on the multipliers rows: per coefficient on small tables, with the value of
the coefficient's column (or row) group on large ones; the log says which).
"""

import logging
import sys

# Everything this job prints, warns or raises goes to its log file.
sys.stderr = open(snakemake.log[0], "w", buffering=1)
logging.basicConfig(
    stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
)
logging.captureWarnings(True)
log = logging.getLogger("iouq.workflow.importance_table")

from iouq.importance import IMPORTANCE_COLUMNS, available_targets, importance_frame  # noqa: E402
from iouq.results import write_csv_atomic  # noqa: E402
from iouq.sensitivity import group_salib_columns, salib_columns, salib_plan  # noqa: E402
from iouq.tables import load_table  # noqa: E402

settings = snakemake.params.settings
salib = settings["salib"]
table = load_table(snakemake.params.table)
tol = float(snakemake.wildcards.tol)
sat = snakemake.params.satellites
accounts = [a for a in (sat["accounts"] or table.accounts) if a in table.accounts]
targets, skipped = available_targets(table, list(settings["targets"]) + [f"effects:{a}" for a in accounts])
log.info("table %s (%s): %d sectors; tol %r; p %r; targets %s", table.name, snakemake.params.table, table.n, tol, settings["p"], targets)
for target, reason in skipped.items():
    log.info("target %s skipped: %s", target, reason)
result = importance_frame(
    table, tol, settings["p"], targets, cutoff=settings["cutoff"], distribution=settings["distribution"]
)
run, reason = salib_plan(table, tol, salib["max_factors"])
if run:
    log.info("SALib Morris and Sobol per coefficient (%s), seed %d, on the Type I output multipliers", reason, snakemake.params.seed)
    mu, st, _, _ = salib_columns(
        table, tol, snakemake.params.seed, trajectories=salib["morris_trajectories"], base_samples=salib["sobol_base_samples"]
    )
    rows = result["target"] == "multipliers"
    result.loc[rows, "morris_mu_star"] = mu.reshape(-1)
    result.loc[rows, "sobol_total"] = st.reshape(-1)
    log.info("morris_mu_star and sobol_total: mean over the Type I output multipliers, multipliers rows only (not run for the inverse and output targets)")
elif tol > 0 and salib["grouping"] != "none":
    grouping = salib["grouping"]
    log.info("per-coefficient SALib not run (%s); Morris and Sobol on %s groups instead, seed %d: every "
             "coefficient carries its group's mu* and S_T (mean over the Type I output multipliers)",
             reason, grouping, snakemake.params.seed)
    mu, st, names, _, _ = group_salib_columns(
        table, tol, snakemake.params.seed, grouping=grouping, trajectories=salib["morris_trajectories"],
        base_samples=salib["group_base_samples"],
    )
    rows = result["target"] == "multipliers"
    result.loc[rows, "morris_mu_star"] = mu.reshape(-1)
    result.loc[rows, "sobol_total"] = st.reshape(-1)
else:
    log.info("SALib columns left empty: %s", reason)
write_csv_atomic(result, snakemake.output[0], columns=list(IMPORTANCE_COLUMNS))
log.info("wrote %d rows to %s", len(result), snakemake.output[0])
