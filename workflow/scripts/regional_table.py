"""Rule regional_table: the regionalised national table -> results/{region}/regional/table/."""

import logging
import sys

# Everything this job prints, warns or raises goes to its log file.
sys.stderr = open(snakemake.log[0], "w", buffering=1)
logging.basicConfig(
    stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
)
logging.captureWarnings(True)
log = logging.getLogger("iouq.workflow.regional_table")

import os  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

from iouq.regional import read_regional_csv, regionalize  # noqa: E402
from iouq.tables import load_table, write_table_dir  # noqa: E402

entry = snakemake.params.entry
national = load_table(entry["national"])
data = read_regional_csv(entry["data"], national)
table = regionalize(national, data, entry["method"], snakemake.params.delta, name=snakemake.wildcards.region)
log.info("region %s: %s from %s, size %.4g, provenance %s", snakemake.wildcards.region, entry["method"],
         entry["national"], data.size, table.meta["provenance"])
target = Path(snakemake.output.yaml).parent
target.mkdir(parents=True, exist_ok=True)
tmp = Path(tempfile.mkdtemp(prefix=".table.tmp-", dir=target.parent))
try:
    write_table_dir(table, tmp, form="coefficients")
    for name in ("A.csv", "table.yaml"):  # table.yaml last: the directory is complete when it appears
        os.replace(tmp / name, target / name)
finally:
    shutil.rmtree(tmp, ignore_errors=True)
log.info("wrote %s", target)
