"""Rule compare_dynamic: the dynamic model's long-run hull and Monte Carlo bands side by side ->
results/{dataset}/compare/dynamic_tol-{tol}.csv (iouq.compare.dynamic_comparison)."""

import logging
import sys

# Everything this job prints, warns or raises goes to its log file.
sys.stderr = open(snakemake.log[0], "w", buffering=1)
logging.basicConfig(
    stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
)
logging.captureWarnings(True)
log = logging.getLogger("iouq.workflow.compare_dynamic")

import pandas as pd  # noqa: E402

from iouq.compare import DYNAMIC_COMPARE_COLUMNS, dynamic_comparison  # noqa: E402
from iouq.results import write_csv_atomic  # noqa: E402

multipliers = pd.read_csv(snakemake.input[0], dtype={"sector": str}, keep_default_na=False, na_values=[""])
table = dynamic_comparison(multipliers, snakemake.params.distribution)
outside = table[(table["multiplier"] == "long_run") & (table["method"] == "montecarlo") & (table["inside_verified"] != True)]  # noqa: E712
if len(outside):
    log.error("%d Monte Carlo long-run ranges leave the hull:\n%s", len(outside), outside.to_string())
write_csv_atomic(table, snakemake.output[0], columns=DYNAMIC_COMPARE_COLUMNS)
log.info("wrote %d rows to %s", len(table), snakemake.output[0])
