"""Rule compare_table: the three families side by side for one dataset and tolerance.

Outputs: results/{dataset}/compare/tol-{tol}.csv (iouq.compare.COMPARE_COLUMNS, then
iouq.compare.EXTRA_COLUMNS) and tol-{tol}.tex (booktabs; the sectors with the largest CV).
"""

import logging
import sys

# Everything this job prints, warns or raises goes to its log file.
sys.stderr = open(snakemake.log[0], "w", buffering=1)
logging.basicConfig(
    stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
)
logging.captureWarnings(True)
log = logging.getLogger("iouq.workflow.compare_table")

import pandas as pd  # noqa: E402

from iouq.compare import COMPARE_COLUMNS, EXTRA_COLUMNS, comparison_table, latex_comparison  # noqa: E402
from iouq.results import write_csv_atomic, write_text_atomic  # noqa: E402

read = lambda path: pd.read_csv(path, dtype={"sector": str, "distribution": str}, keep_default_na=False,  # noqa: E731
                                na_values=[""])
w = snakemake.wildcards
extensions = read(snakemake.input.extensions[0]) if snakemake.input.extensions else None
table = comparison_table(read(snakemake.input.point), read(snakemake.input.intervals),
                         read(snakemake.input.stochastic), read(snakemake.input.diagnostics), extensions)
table["distribution"] = table["distribution"].fillna("")
bad = table[table["box_bounded"] & (table["method"] == "montecarlo_range") & (table["inside_verified"] != True)]  # noqa: E712
if len(bad):
    log.error("%d Monte Carlo ranges of box-bounded distributions leave the verified enclosure:\n%s", len(bad),
              bad.to_string())
log.info("%d rows; reduced models: %s", len(table), sorted(set(table.loc[table["reduced_model"], "method"])))
write_csv_atomic(table, snakemake.output.csv, columns=COMPARE_COLUMNS + EXTRA_COLUMNS)
# The LaTeX numbers are rounded from the values as written to the CSV (10 significant digits).
written = read(snakemake.output.csv)
written["distribution"] = written["distribution"].fillna("")
write_text_atomic(latex_comparison(written, dataset=w.dataset, tol=w.tol, sectors=snakemake.params.tex_sectors),
                  snakemake.output.tex)
log.info("wrote %s and %s", snakemake.output.csv, snakemake.output.tex)
