"""Rule provenance: resolved config, software versions, git commit, seed and input sha256 ->
results/provenance.yaml (iouq.provenance)."""

import logging
import sys

# Everything this job prints, warns or raises goes to its log file.
sys.stderr = open(snakemake.log[0], "w", buffering=1)
logging.basicConfig(
    stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
)
logging.captureWarnings(True)
log = logging.getLogger("iouq.workflow.provenance")

from iouq.provenance import provenance, provenance_yaml  # noqa: E402
from iouq.results import write_text_atomic  # noqa: E402

record = provenance(snakemake.params.config, snakemake.params.datasets)
write_text_atomic(provenance_yaml(record), snakemake.output[0])
log.info("wrote %s (iouq %s, commit %s)", snakemake.output[0], record["iouq"]["version"], record["iouq"]["commit"])
