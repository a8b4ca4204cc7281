"""Rule importance_agreement: agreement between the importance rankings of one table.

Output: results/{dataset}/importance/ranking_agreement.csv with columns sector, multiplier,
method_a, method_b, coefficients, spearman, top_k, top_k_overlap (per Type I output
multiplier; Morris and Sobol only where run, the reason is logged).
"""

import logging
import sys

# Everything this job prints, warns or raises goes to its log file.
sys.stderr = open(snakemake.log[0], "w", buffering=1)
logging.basicConfig(
    stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
)
logging.captureWarnings(True)
log = logging.getLogger("iouq.workflow.importance_agreement")

from iouq.results import write_csv_atomic  # noqa: E402
import pandas as pd  # noqa: E402

from iouq.sensitivity import group_ranking_agreement, ranking_agreement, salib_columns, salib_plan  # noqa: E402
from iouq.tables import load_table  # noqa: E402

COLUMNS = ["sector", "multiplier", "method_a", "method_b", "coefficients", "spearman", "top_k", "top_k_overlap"]

settings = snakemake.params.settings
salib = settings["salib"]
table = load_table(snakemake.params.table)
tol = float(settings["agreement_tol"])
log.info("table %s (%s): %d sectors; tol %r; p %r; top-k %d", table.name, snakemake.params.table, table.n, tol, settings["p"], settings["top_k"])
run, reason = salib_plan(table, tol, salib["max_factors"])
mu = st = None
if run:
    log.info("SALib Morris and Sobol per coefficient (%s), seed %d", reason, snakemake.params.seed)
    _, _, mu, st = salib_columns(
        table, tol, snakemake.params.seed, trajectories=salib["morris_trajectories"], base_samples=salib["sobol_base_samples"]
    )
else:
    log.info("Morris and Sobol left out of the per-coefficient comparison: %s", reason)
result = ranking_agreement(
    table, tol, p=settings["p"], top_k=settings["top_k"], distribution=settings["distribution"], morris=mu, sobol_total=st
)
grouping = salib["grouping"]
if not run and tol > 0 and grouping != "none":
    log.info("group-level comparison (%s groups): first-order variance shares vs Morris and Sobol, seed %d",
             grouping, snakemake.params.seed)
    groups = group_ranking_agreement(
        table, tol, snakemake.params.seed, grouping=grouping, trajectories=salib["morris_trajectories"],
        base_samples=salib["group_base_samples"], top_k=settings["top_k"], distribution=settings["distribution"],
    )
    result = pd.concat([result, groups], ignore_index=True)
summary = result.groupby(["method_a", "method_b"], sort=False)[["spearman", "top_k_overlap"]].mean()
log.info("mean over multipliers:\n%s", summary.to_string())
write_csv_atomic(result, snakemake.output[0], columns=COLUMNS)
log.info("wrote %d rows to %s", len(result), snakemake.output[0])
