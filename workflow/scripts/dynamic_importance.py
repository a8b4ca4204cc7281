"""Rule dynamic_importance: elasticities of the long-run and peak dynamic multipliers ->
results/{dataset}/dynamic/importance.csv."""

import logging
import os
import sys

os.environ.setdefault("OPENBLAS_NUM_THREADS", str(snakemake.threads))
sys.stderr = open(snakemake.log[0], "w", buffering=1)
logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                    force=True)
logging.captureWarnings(True)

from iouq.dynamic.analysis import IMPORTANCE_COLUMNS, importance_table  # noqa: E402
from iouq.dynamic.model import build_model, scenario_from_mapping  # noqa: E402
from iouq.results import write_csv_atomic  # noqa: E402
from iouq.tables import load_table  # noqa: E402

model = build_model(load_table(snakemake.params.table), scenario_from_mapping(snakemake.params.scenario))
write_csv_atomic(importance_table(model), snakemake.output[0], columns=IMPORTANCE_COLUMNS)
