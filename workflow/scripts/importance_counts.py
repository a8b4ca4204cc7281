"""Rule importance_counts: how many coefficients are inverse-important, per target and p.

Output: results/{dataset}/importance/counts.csv with columns dataset, target, p,
nonzero_coefficients, important, important_share and one count per Schintke-Staeglin band.
"""

import logging
import sys

# Everything this job prints, warns or raises goes to its log file.
sys.stderr = open(snakemake.log[0], "w", buffering=1)
logging.basicConfig(
    stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
)
logging.captureWarnings(True)
log = logging.getLogger("iouq.workflow.importance_counts")

from iouq.importance import available_targets, importance_counts  # noqa: E402
from iouq.results import write_csv_atomic  # noqa: E402
from iouq.tables import load_table  # noqa: E402

settings = snakemake.params.settings
table = load_table(snakemake.params.table)
sat = snakemake.params.satellites
accounts = [a for a in (sat["accounts"] or table.accounts) if a in table.accounts]
targets, skipped = available_targets(table, list(settings["targets"]) + [f"effects:{a}" for a in accounts])
for target, reason in skipped.items():
    log.info("target %s skipped: %s", target, reason)
log.info("table %s (%s): %d sectors; p values %s; cut-off %g%%", table.name, snakemake.params.table, table.n, settings["count_p"], settings["cutoff"])
result = importance_counts(table, settings["count_p"], targets, cutoff=settings["cutoff"], bands=settings["bands"])
log.info("counts:\n%s", result.to_string(index=False))
write_csv_atomic(result, snakemake.output[0])
log.info("wrote %d rows to %s", len(result), snakemake.output[0])
