"""Rule compare_summary: widths across all datasets and tolerances -> results/summary/widths.csv
(iouq.compare.SUMMARY_COLUMNS) and widths.tex (booktabs)."""

import logging
import sys

# Everything this job prints, warns or raises goes to its log file.
sys.stderr = open(snakemake.log[0], "w", buffering=1)
logging.basicConfig(
    stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
)
logging.captureWarnings(True)
log = logging.getLogger("iouq.workflow.compare_summary")

import pandas as pd  # noqa: E402

from iouq.compare import SUMMARY_COLUMNS, latex_summary, summary_widths  # noqa: E402
from iouq.results import write_csv_atomic, write_text_atomic  # noqa: E402

read = lambda path: pd.read_csv(path, dtype={"sector": str, "distribution": str}, keep_default_na=False,  # noqa: E731
                                na_values=[""])
comparisons = {}
for (dataset, tol), path in zip(snakemake.params.datasets_tols, snakemake.input, strict=True):
    comp = read(path)
    comp["distribution"] = comp["distribution"].fillna("")
    comparisons[(dataset, tol)] = comp
summary = summary_widths(comparisons)
write_csv_atomic(summary, snakemake.output.csv, columns=SUMMARY_COLUMNS)
written = pd.read_csv(snakemake.output.csv, dtype={"tol": str, "distribution": str}, keep_default_na=False,
                      na_values=[""])
written["distribution"] = written["distribution"].fillna("")
write_text_atomic(latex_summary(written), snakemake.output.tex)
log.info("wrote %d rows to %s", len(summary), snakemake.output.csv)
