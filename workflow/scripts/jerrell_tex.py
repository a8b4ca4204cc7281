"""Rule jerrell_tex: Jerrell's (1995) published intervals, the recomputed enclosures and the
Monte Carlo uniform 95% range -> results/miernyk/interval/jerrell_comparison.tex (booktabs)."""

import logging
import sys

# Everything this job prints, warns or raises goes to its log file.
sys.stderr = open(snakemake.log[0], "w", buffering=1)
logging.basicConfig(
    stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
)
logging.captureWarnings(True)
log = logging.getLogger("iouq.workflow.jerrell_tex")

import pandas as pd  # noqa: E402

from iouq.compare import latex_jerrell  # noqa: E402
from iouq.results import write_text_atomic  # noqa: E402

jerrell = pd.read_csv(snakemake.input.jerrell, dtype={"sector": str})
comparisons = {tol: pd.read_csv(path, dtype={"sector": str, "distribution": str}, keep_default_na=False)
               for tol, path in zip(snakemake.params.tolerances, snakemake.input.comparisons, strict=True)}
write_text_atomic(latex_jerrell(jerrell, comparisons), snakemake.output[0])
log.info("wrote %s", snakemake.output[0])
