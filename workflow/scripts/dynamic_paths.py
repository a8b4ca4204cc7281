"""Rule dynamic_paths: paths of the scenario's shock -> results/{dataset}/dynamic/paths.csv."""

import logging
import os
import sys

# BLAS threads = the rule's threads (many small batched solves: extra threads only contend).
os.environ.setdefault("OPENBLAS_NUM_THREADS", str(snakemake.threads))
os.environ.setdefault("OMP_NUM_THREADS", str(snakemake.threads))

sys.stderr = open(snakemake.log[0], "w", buffering=1)
logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                    force=True)
logging.captureWarnings(True)
log = logging.getLogger("iouq.workflow.dynamic_paths")

from iouq.dynamic.analysis import PATH_COLUMNS, run_paths  # noqa: E402
from iouq.dynamic.model import build_model, scenario_from_mapping  # noqa: E402
from iouq.results import write_csv_atomic  # noqa: E402
from iouq.tables import load_table  # noqa: E402

table = load_table(snakemake.params.table)
model = build_model(table, scenario_from_mapping(snakemake.params.scenario))
log.info("table %s: %d sectors; scenario %s", table.name, table.n, model.scenario)
write_csv_atomic(run_paths(model, engine=snakemake.params.engine), snakemake.output[0], columns=PATH_COLUMNS)
log.info("wrote %s", snakemake.output[0])
