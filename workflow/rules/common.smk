# Configuration validation, dataset resolution, wildcard constraints and target lists.
# Functions only (no rules): rules live in the other .smk files.

import math
import re
import sys
from pathlib import Path

import jsonschema
import yaml
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

import iouq.config
import iouq.errors
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


def stop(message):
    """Stop before any job: the message alone on stderr (no traceback), exit status 2, as the CLI."""
    print(f"iouq: error: {message}", file=sys.stderr)
    raise SystemExit(2)


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
        stop(describe_config_error(error, schema))


validate_config(config)

# Every result path starts with RESULTS and every log/benchmark path with LOGS: results/ and
# logs/ for the default (empty) run name, results/<run>/ and logs/<run>/ otherwise, so that a
# sweep with another configuration never overwrites the files of the default run.
def run_prefixes(run):
    """``(RESULTS, LOGS)`` of a run name ('' -> results/, logs/; 'x' -> results/x/, logs/x/)."""
    run = (run or "").strip("/")
    return ("results/", "logs/") if not run else (f"results/{run}/", f"logs/{run}/")


RESULTS, LOGS = run_prefixes(config.get("run", ""))


def results(path):
    """A result path: ``path`` under RESULTS (e.g. ``results("{dataset}/multipliers.csv")``)."""
    return f"{RESULTS}{path}"


def logs(path):
    """A log or benchmark path: ``path`` under LOGS."""
    return f"{LOGS}{path}"


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


def config_check(check, *args):
    """Run an iouq check; an input error stops the run before any job (:func:`stop`)."""
    try:
        return check(*args)
    except (iouq.errors.IOUQError, WorkflowError) as exc:
        stop(str(exc))


_TABLES = {}


def dataset_table(dataset):
    """The table of ``dataset`` (a key of DATASETS), loaded once at parse time; a broken table
    stops the run before any job with the loader's one-line message."""
    if dataset not in _TABLES:
        if dataset in REGIONS:  # not written yet: the same regionalisation in memory
            _TABLES[dataset] = config_check(regional_table_in_memory, REGIONS[dataset])
        else:
            _TABLES[dataset] = config_check(iouq.tables.load_table, DATASETS[dataset])
    return _TABLES[dataset]


def regional_table_in_memory(entry):
    """The table rule regional_table will write for a region (for the parse-time checks)."""
    import iouq.regional

    national = iouq.tables.load_table(entry["national"])
    data = iouq.regional.read_regional_csv(entry["data"], national)
    return iouq.regional.regionalize(national, data, entry["method"], REGIONAL["delta"], name=entry["name"])


config_check(iouq.config.check_settings, config)
DATASETS = config_check(resolve_datasets, config["datasets"])


# --------------------------------------------------------------------------- regions (rules/regional.smk)
# Every configured region is a dataset of its own: its table is the regionalised national table,
# written by rule regional_table to results/<region>/regional/table/ (coefficients form).
REGIONAL = config["regional"]
FOOTPRINTS = config["footprints"]


def resolve_regions(entries, datasets):
    """Check every region before the first job (national table, data file, sectors); name -> entry."""
    import iouq.regional

    regions = {}
    for k, entry in enumerate(entries):
        where = f"config: regional: regions/{k} ({entry['name']})"
        if entry["name"] in datasets or entry["name"] in regions:
            raise WorkflowError(f"{where}: the name is already a dataset or region; give the region another name.")
        national = entry["national"]
        if not is_table_path(national) and national not in iouq.tables.BUNDLED:
            raise WorkflowError(f"{where}: national '{national}' is neither a bundled table nor a path (write ./name).")
        try:
            table = iouq.tables.load_table(national)
            iouq.regional.read_regional_csv(entry["data"], table)
        except iouq.errors.IOUQError as exc:
            raise WorkflowError(f"{where}: {exc}") from None
        regions[entry["name"]] = dict(entry)
    lo, hi = REGIONAL["delta_range"]
    if lo > hi:
        raise WorkflowError(f"invalid configuration: key 'regional/delta_range': [{lo}, {hi}] must be increasing (lo <= hi).")
    return regions


REGIONS = config_check(resolve_regions, REGIONAL["regions"], DATASETS)
for _region in REGIONS:
    DATASETS[_region] = results(f"{_region}/regional/table")
TOLERANCES = list(config["tolerances"])
for _dataset in DATASETS:
    config_check(iouq.config.check_dataset, _dataset, dataset_table(_dataset), config)
INTERVAL_METHODS = list(config["interval"]["methods"])
IMPORTANCE = config["importance"]  # settings of the importance family (rules/importance.smk)
STOCHASTIC = config["stochastic"]  # settings of the stochastic family (rules/stochastic.smk)
SATELLITES = config["satellites"]  # satellite accounts and quantities (rules/satellites.smk)
if SATELLITES["sat_tol"] is not None and not float(SATELLITES["sat_tol"]) < 1:
    raise WorkflowError(
        f"invalid configuration: key 'satellites/sat_tol': '{SATELLITES['sat_tol']}' is not below 1; "
        "it is a fraction (0.1 means ±10%) or null (the same as each tolerance)."
    )

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
    if dataset in REGIONS:
        return regional_table_files(dataset)
    source = DATASETS[dataset]
    directory = Path(source) if is_table_path(source) else iouq.tables.bundled_path(source)
    return [str(directory / name) for name in iouq.tables.TABLE_FILES if (directory / name).is_file()]


def jerrell_published():
    """The bundled CSV of Jerrell's (1995) published interval multipliers."""
    return str(iouq.tables.bundled_path("miernyk") / "jerrell1995_published.csv")


def interval_results(wildcards):
    return expand(results("{dataset}/interval/tol-{tol}.csv"), dataset=wildcards.dataset, tol=TOLERANCES)


def per_tolerance(path):
    """``path`` for every tolerance of TOLERANCES (in order), other wildcards ({dataset}) kept."""
    return expand(path, tol=TOLERANCES, allow_missing=True)


def per_tolerance_outputs(name, path, **report_kwargs):
    """Named outputs ``{name}_{k}``, one per tolerance k of TOLERANCES (in order): ``path`` with
    its ``{tol}`` filled in, other wildcards ({dataset}) kept. With ``report_kwargs`` (caption,
    category, subcategory, labels) every file is marked with ``report(...)``, each with its own
    ``"tolerance": "<tol>"`` label added. Used as ``output: **per_tolerance_outputs(...)`` by the
    figure rules that draw every tolerance of a dataset in one job (one Python start-up, not one
    per tolerance); their scripts read ``snakemake.output[f"{name}_{k}"]`` with ``params.tolerances``."""
    outputs = {}
    for k, (tol, file) in enumerate(zip(TOLERANCES, per_tolerance(path))):
        if report_kwargs:
            labels = {**report_kwargs.get("labels", {}), "tolerance": tol}
            file = report(file, **{**report_kwargs, "labels": labels})
        outputs[f"{name}_{k}"] = file
    return outputs


def has_households(dataset):
    """Whether the table of ``dataset`` has a household row and column (loaded once, at parse time)."""
    return dataset_table(dataset).has_households


def importance_outputs(dataset):
    """The importance results of one dataset (rules/importance.smk)."""
    households = [results(f"{dataset}/importance/households.csv")] if has_households(dataset) else []
    return [
        *households,
        *expand(results("{dataset}/importance/tol-{tol}.csv"), dataset=dataset, tol=TOLERANCES),
        results(f"{dataset}/importance/zeroing.csv"),
        results(f"{dataset}/importance/ranking_agreement.csv"),
        results(f"{dataset}/importance/counts.csv"),
        results(f"{dataset}/importance/importance.png"),
    ]


def stochastic_outputs(dataset):
    """The stochastic results of one dataset (rules/stochastic.smk)."""
    return [
        *expand(results("{dataset}/stochastic/tol-{tol}.csv"), dataset=dataset, tol=TOLERANCES),
        *expand(results("{dataset}/stochastic/tol-{tol}_densities.csv"), dataset=dataset, tol=TOLERANCES),
        *expand(results("{dataset}/stochastic/tol-{tol}_comparison.png"), dataset=dataset, tol=TOLERANCES),
    ]


def regional_entry(wildcards):
    return REGIONS[wildcards.region]


def regional_inputs(wildcards):
    """National table files and the regional data file of a region (edits trigger a rerun)."""
    entry = REGIONS[wildcards.region]
    national = entry["national"]
    directory = Path(national) if is_table_path(national) else iouq.tables.bundled_path(national)
    files = [str(directory / n) for n in iouq.tables.TABLE_FILES if (directory / n).is_file()]
    return [*files, entry["data"]]


def regional_table_files(region):
    """The files rule regional_table writes for ``region``."""
    return [results(f"{region}/regional/table/table.yaml"), results(f"{region}/regional/table/A.csv")]


def regional_outputs(region):
    """The regional results of one region (rules/regional.smk)."""
    return [
        results(f"{region}/regional/lq_comparison.csv"),
        results(f"{region}/regional/lq_comparison.png"),
        *expand(results("{region}/regional/delta_tol-{tol}.csv"), region=region, tol=TOLERANCES),
    ]


_SATELLITES = {}


def has_satellites(dataset):
    """Whether the table of ``dataset`` has satellite accounts (loaded once, at parse time; regions: no)."""
    if dataset not in _SATELLITES:
        _SATELLITES[dataset] = bool(dataset_table(dataset).accounts)
    return _SATELLITES[dataset]


def footprint_outputs(dataset):
    """The footprint results of one dataset with satellites (rules/footprints.smk)."""
    if not has_satellites(dataset):
        return []
    return [
        *expand(results("{dataset}/footprints/tol-{tol}.csv"), dataset=dataset, tol=TOLERANCES),
        *expand(results("{dataset}/footprints/tol-{tol}.png"), dataset=dataset, tol=TOLERANCES),
        results(f"{dataset}/footprints/elasticities.csv"),
    ]


_ACCOUNTS = {}


def satellite_accounts(dataset):
    """The configured satellite accounts the table of ``dataset`` has (loaded once, at parse time)."""
    if dataset not in _ACCOUNTS:
        have = dataset_table(dataset).accounts
        wanted = SATELLITES["accounts"] or have
        _ACCOUNTS[dataset] = [a for a in wanted if a in have]
    return _ACCOUNTS[dataset]


def satellite_extensions(wildcards):
    """The point values of a dataset's satellite quantities (none without accounts)."""
    return [results(f"{wildcards.dataset}/extensions.csv")] if satellite_accounts(wildcards.dataset) else []


def satellite_outputs(dataset):
    """The satellite results of one dataset (rules/satellites.smk); none without accounts."""
    if not satellite_accounts(dataset):
        return []
    return [results(f"{dataset}/extensions.csv"), results(f"{dataset}/importance/elasticities.csv")]


# --------------------------------------------------------------------------- targets
def final_outputs(wildcards):
    """Every result of the configured pipeline (the default target)."""
    outputs = []
    for dataset in DATASETS:
        outputs.append(results(f"{dataset}/multipliers.csv"))
        outputs += expand(results("{dataset}/interval/tol-{tol}.csv"), dataset=dataset, tol=TOLERANCES)
        outputs.append(results(f"{dataset}/interval/widths.png"))
        outputs += importance_outputs(dataset)
        outputs += stochastic_outputs(dataset)
        outputs += footprint_outputs(dataset)
        outputs += satellite_outputs(dataset)
    for region in REGIONS:
        outputs += regional_outputs(region)
    if JERRELL:
        outputs.append(results("miernyk/interval/jerrell_comparison.csv"))
        outputs.append(results("miernyk/interval/jerrell_comparison.png"))
    return outputs


# --------------------------------------------------------------------------- comparison layer
COMPARE = config["compare"]  # defaults filled by the schema


def comparison_outputs(wildcards):
    """Every result of the comparison layer (part of the default target)."""
    outputs = [results("provenance.yaml"), results("summary/widths.csv"), results("summary/widths.tex")]
    for dataset in DATASETS:
        outputs += expand(results("{dataset}/compare/tol-{tol}.{ext}"), dataset=dataset, tol=TOLERANCES,
                          ext=["csv", "tex"])
        outputs += expand(results("{dataset}/compare/tol-{tol}_ranges.{ext}"), dataset=dataset, tol=TOLERANCES,
                          ext=["png", "pdf"])
        outputs += expand(results("{dataset}/compare/{name}.{ext}"), dataset=dataset,
                          name=["widths", "variance_share"], ext=["png", "pdf"])
        outputs.append(results(f"{dataset}/compare/importance_top.csv"))
        # PDF versions of the figures of rules/report.smk
        outputs.append(results(f"{dataset}/interval/widths.pdf"))
        outputs.append(results(f"{dataset}/importance/importance.pdf"))
        outputs += expand(results("{dataset}/stochastic/tol-{tol}_comparison.pdf"), dataset=dataset, tol=TOLERANCES)
    if JERRELL:
        outputs.append(results("miernyk/interval/jerrell_comparison.tex"))
        outputs.append(results("miernyk/interval/jerrell_comparison.pdf"))
    return outputs


def comparison_tables(wildcards):
    return expand(results("{dataset}/compare/tol-{tol}.csv"), dataset=list(DATASETS), tol=TOLERANCES)
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
    """Callable giving the runtime (minutes) of a job of ``kind`` (stochastic, importance, interval,
    figures: the per-tolerance figures of one dataset, small)."""

    def runtime(wildcards, attempt=1):
        n = _job_n(wildcards)
        scale = ((n + 1) / 134) ** 2
        if kind == "stochastic":
            minutes = 3 + 12 * scale * int(STOCHASTIC["samples"]) / 20000 * len(STOCHASTIC["distributions"]) / 3
        elif kind == "importance":
            minutes = 3 + 12 * scale ** 1.5
        elif kind == "interval":
            minutes = 3 + 6 * scale ** 1.5
        elif kind == "figures":  # one figure per tolerance in one job (measured: <= 5 s per figure)
            minutes = 4 + len(TOLERANCES)
        else:
            minutes = 5
        return int(math.ceil(minutes)) * attempt

    return runtime
