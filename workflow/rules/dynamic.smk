# Dynamic input-output model (Johnson's DS/IO; Fuentes & Martinez Pellegrini 2021): paths of the
# paper's experiment, dynamic vs static vs long-run multipliers with interval hulls and Monte
# Carlo bands, and their figure. Scenarios are checked (keys, stability) at parse time.

import iouq.dynamic.model
import iouq.dynamic.stability

DYNAMIC = config.get("dynamic")
DYN_DATASETS = {}
DYN_SCENARIOS = {}
if DYNAMIC:
    DYN_DATASETS = resolve_datasets(list(DYNAMIC["datasets"]))
    for _key, _entry in DYN_DATASETS.items():
        try:
            _sc = iouq.dynamic.model.scenario_from_mapping(
                DYNAMIC["datasets"][_entry], where=f"config: dynamic: datasets: {_entry}"
            )
            iouq.dynamic.stability.check_stability(
                iouq.dynamic.model.build_model(iouq.tables.load_table(_entry), _sc)
            )
        except iouq.errors.IOUQError as _exc:
            raise WorkflowError(f"invalid configuration: key 'dynamic/datasets/{_entry}': {_exc}") from None
        DYN_SCENARIOS[_key] = DYNAMIC["datasets"][_entry]
    for _tol in DYNAMIC["tolerances"]:
        if not float(_tol) < 1:
            raise WorkflowError(f"invalid configuration: key 'dynamic/tolerances': '{_tol}' is not below 1.")
    if sorted(DYNAMIC["depreciation_range"]) != list(DYNAMIC["depreciation_range"]):
        raise WorkflowError("invalid configuration: key 'dynamic/depreciation_range': give [low, high].")
    if sorted(DYNAMIC["accelerator_range"]) != list(DYNAMIC["accelerator_range"]):
        raise WorkflowError("invalid configuration: key 'dynamic/accelerator_range': give [low, high].")


def dynamic_outputs():
    """Every result of the dynamic section."""
    if not DYNAMIC:
        return []
    out = []
    for key in DYN_DATASETS:
        out.append(RESULTS + f"{key}/dynamic/paths.csv")
        out.append(RESULTS + f"{key}/dynamic/importance.csv")
        for tol in DYNAMIC["tolerances"]:
            out.append(RESULTS + f"{key}/dynamic/multipliers_tol-{tol}.csv")
            out.append(RESULTS + f"{key}/dynamic/bands_tol-{tol}.csv")
            out.append(RESULTS + f"{key}/dynamic/multipliers_tol-{tol}.png")
    return out


def dyn_table_files(wildcards):
    entry = DYN_DATASETS[wildcards.dyn]
    directory = Path(entry) if is_table_path(entry) else iouq.tables.bundled_path(entry)
    return [str(directory / name) for name in iouq.tables.TABLE_FILES if (directory / name).is_file()]


rule dynamic_paths:
    input:
        dyn_table_files,
    output:
        RESULTS + "{dyn}/dynamic/paths.csv",
    wildcard_constraints:
        dyn="|".join(re.escape(d) for d in DYN_DATASETS) or "NONE",
    params:
        table=lambda wc: DYN_DATASETS[wc.dyn],
        scenario=lambda wc: DYN_SCENARIOS[wc.dyn],
        engine=DYNAMIC["engine"] if DYNAMIC else "euler",
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    log:
        LOGS + "dynamic/{dyn}/paths.log",
    benchmark:
        LOGS + "benchmarks/dynamic/{dyn}/paths.tsv"
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/dynamic_paths.py"


rule dynamic_multipliers:
    input:
        dyn_table_files,
    output:
        table=RESULTS + "{dyn}/dynamic/multipliers_tol-{dtol}.csv",
        bands=RESULTS + "{dyn}/dynamic/bands_tol-{dtol}.csv",
    wildcard_constraints:
        dyn="|".join(re.escape(d) for d in DYN_DATASETS) or "NONE",
        dtol="|".join(re.escape(t) for t in (DYNAMIC["tolerances"] if DYNAMIC else [])) or "NONE",
    params:
        table=lambda wc: DYN_DATASETS[wc.dyn],
        scenario=lambda wc: DYN_SCENARIOS[wc.dyn],
        settings=DYNAMIC,
        seed=config["seed"],
    threads: 1
    resources:
        mem_mb=1500,
        runtime=10,
    log:
        LOGS + "dynamic/{dyn}/multipliers_tol-{dtol}.log",
    benchmark:
        LOGS + "benchmarks/dynamic/{dyn}/multipliers_tol-{dtol}.tsv"
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/dynamic_multipliers.py"


rule plot_dynamic:
    input:
        table=RESULTS + "{dyn}/dynamic/multipliers_tol-{dtol}.csv",
        bands=RESULTS + "{dyn}/dynamic/bands_tol-{dtol}.csv",
    output:
        report(
            RESULTS + "{dyn}/dynamic/multipliers_tol-{dtol}.png",
            caption="../report/dynamic.rst",
            category="Dynamic model",
        ),
    wildcard_constraints:
        dyn="|".join(re.escape(d) for d in DYN_DATASETS) or "NONE",
        dtol="|".join(re.escape(t) for t in (DYNAMIC["tolerances"] if DYNAMIC else [])) or "NONE",
    params:
        tol=lambda wc: wc.dtol,
        table=lambda wc: DYN_DATASETS[wc.dyn],
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    log:
        LOGS + "dynamic/{dyn}/plot_tol-{dtol}.log",
    benchmark:
        LOGS + "benchmarks/dynamic/{dyn}/plot_tol-{dtol}.tsv"
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/plot_dynamic.py"


rule dynamic_importance:
    input:
        dyn_table_files,
    output:
        RESULTS + "{dyn}/dynamic/importance.csv",
    wildcard_constraints:
        dyn="|".join(re.escape(d) for d in DYN_DATASETS) or "NONE",
    params:
        table=lambda wc: DYN_DATASETS[wc.dyn],
        scenario=lambda wc: DYN_SCENARIOS[wc.dyn],
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    log:
        LOGS + "dynamic/{dyn}/importance.log",
    benchmark:
        LOGS + "benchmarks/dynamic/{dyn}/importance.tsv"
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/dynamic_importance.py"
