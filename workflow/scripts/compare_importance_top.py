"""Rule compare_importance_top: the top-k coefficients of every importance ranking and the
variance share they carry -> results/{dataset}/compare/importance_top.csv."""

import logging
import sys

# Everything this job prints, warns or raises goes to its log file.
sys.stderr = open(snakemake.log[0], "w", buffering=1)
logging.basicConfig(
    stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
)
logging.captureWarnings(True)
log = logging.getLogger("iouq.workflow.compare_importance_top")

import pandas as pd  # noqa: E402

from iouq.compare import IMPORTANCE_TOP_COLUMNS, importance_top  # noqa: E402
from iouq.results import write_csv_atomic  # noqa: E402

limits = pd.read_csv(snakemake.input.limits, dtype={"row": str, "col": str})
target = "multipliers" if (limits["target"] == "multipliers").any() else str(limits["target"].iloc[0])
nonzero = int(((limits["target"] == target) & (limits["coefficient"] != 0)).sum())
p = snakemake.params
grouped = p.grouping if nonzero > p.max_factors and p.grouping != "none" else None
log.info("target %s, %d non-zero coefficients, SALib values %s", target, nonzero,
         f"of {grouped} groups" if grouped else "per coefficient")
top = importance_top(limits, target=target, k_values=p.top_k, grouped=grouped)
write_csv_atomic(top, snakemake.output[0], columns=IMPORTANCE_TOP_COLUMNS)
log.info("wrote %d rows to %s", len(top), snakemake.output[0])
