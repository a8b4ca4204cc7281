# Configuration validation, dataset resolution, wildcard constraints and target lists.
# Functions only (no rules): rules live in the other .smk files.

import math
import re
from pathlib import Path

import jsonschema
import yaml
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

import iouq.tables


# --------------------------------------------------------------------------- validation
KEY_SEPARATOR = "/"  # in messages: interval/methods/0 is item 0 of key methods of interval


def describe_config_error(error, schema):
    """One readable paragraph for a jsonschema error: the key, the problem, what the key is."""
    path = list(error.absolute_path)
    key = KEY_SEPARATOR.join(str(p) for p in path)
    message = f"invalid configuration: {'key ' + repr(key) if key else 'top level'}: {error.message}."
    if error.validator == "additionalProperties":
        allowed = ", ".join(sorted(error.schema.get("properties", {})))
        message += f" Allowed keys here: {allowed}."
    # Description of the innermost named key on the path (list indices are skipped).
    node, named, description = schema, [], None
    for part in path:
        if isinstance(part, int):
            node = node.get("items", {})
            continue
        node = node.get("properties", {}).get(part, {})
        named.append(part)
        if "description" in node:
            described, description = ".".join(named), node["description"]
    if description:
        message += f" ({described}: {' '.join(description.split())})"
    return message


def validate_config(config):
    """Validate ``config`` (and fill defaults); a violation raises a short WorkflowError."""
    try:
        validate(config, schema="../schemas/config.schema.yaml")
    except WorkflowError as exc:
        error = exc.__context__
        if not isinstance(error, jsonschema.exceptions.ValidationError):
            raise
        schema_file = Path(workflow.basedir) / "workflow" / "schemas" / "config.schema.yaml"
        schema = yaml.safe_load(schema_file.read_text(encoding="utf-8"))
        raise WorkflowError(describe_config_error(error, schema)) from None


validate_config(config)

# Every result path starts with RESULTS and every log/benchmark path with LOGS: results/ and
# logs/ for the default (empty) run name, results/<run>/ and logs/<run>/ otherwise, so that a
# sweep with another configuration never overwrites the files of the default run.
def run_prefixes(run):
    """``(RESULTS, LOGS)`` of a run name ('' -> results/, logs/; 'x' -> results/x/, logs/x/)."""
    run = (run or "").strip("/")
    return ("results/", "logs/") if not run else (f"results/{run}/", f"logs/{run}/")


RESULTS, LOGS = run_prefixes(config.get("run", ""))


# --------------------------------------------------------------------------- datasets
# DATASETS maps the name used in result paths (results/{dataset}/...) to what is handed to
# iouq.tables.load_table: the bundled name itself, or the path of a table directory.
def is_table_path(entry):
    """A dataset entry containing a path separator (or starting with '.') is a directory."""
    return any(sep in entry for sep in "\\/") or entry.startswith(".")


def resolve_datasets(entries):
    bundled = set(iouq.tables.BUNDLED)
    datasets = {}
    for entry in entries:
        if is_table_path(entry):
            directory = Path(entry)
            if not directory.is_dir():
                raise WorkflowError(
                    f"config: datasets: '{entry}' is not a table directory (looked for "
                    f"{directory.resolve()}); relative paths are relative to the working directory."
                )
            key = directory.resolve().name
        else:
            if entry not in bundled:
                raise WorkflowError(
                    f"config: datasets: '{entry}' is neither a bundled table ({', '.join(sorted(bundled))}) "
                    "nor a path (write a table directory as ./name or with its full path)."
                )
            key = entry
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", key):
            raise WorkflowError(
                f"config: datasets: '{entry}' gives the result name '{key}'; rename the directory "
                "to letters, digits, '.', '_' and '-' only."
            )
        if key in datasets:
            raise WorkflowError(
                f"config: datasets: '{entry}' and '{datasets[key]}' would both write to results/{key}/; "
                "rename one of the table directories."
            )
        datasets[key] = entry
    return datasets


DATASETS = resolve_datasets(config["datasets"])
TOLERANCES = list(config["tolerances"])
for _tol in TOLERANCES:
    if not float(_tol) < 1:
        raise WorkflowError(
            f"invalid configuration: key 'tolerances': '{_tol}' is not below 1; tolerances are "
            "fractions (0.01 means ±1%)."
        )
INTERVAL_METHODS = list(config["interval"]["methods"])
IMPORTANCE = config["importance"]  # settings of the importance family (rules/importance.smk)
STOCHASTIC = config["stochastic"]  # settings of the stochastic family (rules/stochastic.smk)

# Jerrell's (1995) published intervals are for the bundled Miernyk table.
JERRELL = "miernyk" in DATASETS and DATASETS["miernyk"] == "miernyk"


wildcard_constraints:
    dataset="|".join(re.escape(d) for d in DATASETS),
    tol="|".join(re.escape(t) for t in TOLERANCES),


# --------------------------------------------------------------------------- inputs
def table_source(wildcards):
    """The argument of iouq.tables.load_table for the dataset of a job."""
    return DATASETS[wildcards.dataset]


def table_files(wildcards):
    """The files of a job's table directory (inputs, so an edited table triggers a rerun)."""
    return table_files_of(wildcards.dataset)


def table_files_of(dataset):
    """The files of the table directory of ``dataset`` (a key of DATASETS)."""
    source = DATASETS[dataset]
    directory = Path(source) if is_table_path(source) else iouq.tables.bundled_path(source)
    return [str(directory / name) for name in iouq.tables.TABLE_FILES if (directory / name).is_file()]


def jerrell_published():
    """The bundled CSV of Jerrell's (1995) published interval multipliers."""
    return str(iouq.tables.bundled_path("miernyk") / "jerrell1995_published.csv")


def interval_results(wildcards):
    return expand(RESULTS + "{dataset}/interval/tol-{tol}.csv", dataset=wildcards.dataset, tol=TOLERANCES)


_HOUSEHOLDS = {}


def has_households(dataset):
    """Whether the table of ``dataset`` has a household row and column (loaded once, at parse time)."""
    if dataset not in _HOUSEHOLDS:
        _HOUSEHOLDS[dataset] = iouq.tables.load_table(DATASETS[dataset]).has_households
    return _HOUSEHOLDS[dataset]


def importance_outputs(dataset):
    """The importance results of one dataset (rules/importance.smk)."""
    households = [RESULTS + f"{dataset}/importance/households.csv"] if has_households(dataset) else []
    return [
        *households,
        *expand(RESULTS + "{dataset}/importance/tol-{tol}.csv", dataset=dataset, tol=TOLERANCES),
        RESULTS + f"{dataset}/importance/zeroing.csv",
        RESULTS + f"{dataset}/importance/ranking_agreement.csv",
        RESULTS + f"{dataset}/importance/counts.csv",
        RESULTS + f"{dataset}/importance/importance.png",
    ]


def stochastic_outputs(dataset):
    """The stochastic results of one dataset (rules/stochastic.smk)."""
    return [
        *expand(RESULTS + "{dataset}/stochastic/tol-{tol}.csv", dataset=dataset, tol=TOLERANCES),
        *expand(RESULTS + "{dataset}/stochastic/tol-{tol}_densities.csv", dataset=dataset, tol=TOLERANCES),
        *expand(RESULTS + "{dataset}/stochastic/tol-{tol}_comparison.png", dataset=dataset, tol=TOLERANCES),
    ]


# --------------------------------------------------------------------------- targets
def final_outputs(wildcards):
    """Every result of the configured pipeline (the default target)."""
    outputs = []
    for dataset in DATASETS:
        outputs.append(RESULTS + f"{dataset}/multipliers.csv")
        outputs += expand(RESULTS + "{dataset}/interval/tol-{tol}.csv", dataset=dataset, tol=TOLERANCES)
        outputs.append(RESULTS + f"{dataset}/interval/widths.png")
        outputs += importance_outputs(dataset)
        outputs += stochastic_outputs(dataset)
    if JERRELL:
        outputs.append(RESULTS + "miernyk/interval/jerrell_comparison.csv")
        outputs.append(RESULTS + "miernyk/interval/jerrell_comparison.png")
    return outputs


# --------------------------------------------------------------------------- job sizes
# threads and resources of every job, for --executor slurm and for local scheduling. Memory in MB
# and runtime in minutes, sized from the table (n sectors) and the Monte Carlo sample count.
# Calibrated on the default run (logs/benchmarks/**.tsv: max_rss, s) with a factor >= 2 margin;
# override them with --set-resources or in profiles/slurm/config.yaml.
_SIZES = {}


def table_n(dataset):
    """Number of sectors of ``dataset`` (loaded once, at parse time)."""
    if dataset not in _SIZES:
        _SIZES[dataset] = iouq.tables.load_table(DATASETS[dataset]).n if dataset in DATASETS else 6
    return _SIZES[dataset]


def _job_n(wildcards):
    return table_n(getattr(wildcards, "dataset", "miernyk"))


def _stochastic_mem_mb(n):
    N = n + 1  # household-closed matrix
    samples, chunk = int(STOCHASTIC["samples"]), int(STOCHASTIC["chunk_size"])
    per_multiplier = samples * N * 8 * 2  # samples and first-order terms of one multiplier
    draws = chunk * N * N * 8 * 4  # joint draws, gathered subset, productivity check, gammas
    return 500 + int(1.5 * (4 * per_multiplier + draws + 4 * (6 << 20)) / 2**20)


def job_mem_mb(kind):
    """Callable giving the memory (MB) of a job of ``kind`` (stochastic, importance, interval, small)."""

    def mem(wildcards, attempt=1):
        n = _job_n(wildcards)
        if kind == "stochastic":
            base = _stochastic_mem_mb(n)
        elif kind in ("importance", "interval"):
            base = 500 + int(4 * 8 * n**3 / 2**20)
        else:
            base = 500
        return base * attempt  # a retry (--retries) gets more memory

    return mem


def job_runtime(kind):
    """Callable giving the runtime (minutes) of a job of ``kind``."""

    def runtime(wildcards, attempt=1):
        n = _job_n(wildcards)
        scale = ((n + 1) / 134) ** 2
        if kind == "stochastic":
            minutes = 3 + 12 * scale * int(STOCHASTIC["samples"]) / 20000 * len(STOCHASTIC["distributions"]) / 3
        elif kind == "importance":
            minutes = 3 + 12 * scale ** 1.5
        elif kind == "interval":
            minutes = 3 + 6 * scale ** 1.5
        else:
            minutes = 5
        return int(math.ceil(minutes)) * attempt

    return runtime
