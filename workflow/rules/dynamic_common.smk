# Dynamic model: configuration checks (scenarios built and stability-checked at parse time),
# datasets and targets. Functions only (no rules): the rules are in dynamic.smk.

import iouq.dynamic.model
import iouq.dynamic.stability

DYNAMIC = config.get("dynamic")
DYN_DATASETS = {}
DYN_SCENARIOS = {}
if DYNAMIC:
    _entries = [d if isinstance(d, str) else d["table"] for d in DYNAMIC["datasets"]]
    _overrides = {(d if isinstance(d, str) else d["table"]): ({} if isinstance(d, str) else d["scenario"])
                  for d in DYNAMIC["datasets"]}
    DYN_DATASETS = config_check(resolve_datasets, _entries)
    for _key, _entry in DYN_DATASETS.items():
        try:
            _sc = iouq.dynamic.model.scenario_from_mapping(
                _overrides[_entry], where=f"config: dynamic: datasets: {_entry}: scenario"
            )
            iouq.dynamic.stability.check_stability(
                iouq.dynamic.model.build_model(iouq.tables.load_table(_entry), _sc)
            )
        except iouq.errors.IOUQError as _exc:
            stop(f"invalid configuration: key 'dynamic/datasets/{_entry}': {_exc}")
        DYN_SCENARIOS[_key] = _overrides[_entry]
    for _k, _tol in enumerate(DYNAMIC["tolerances"]):
        config_check(iouq.config.parse_tolerance, _tol, f"dynamic/tolerances/{_k}")
    if sorted(DYNAMIC["depreciation_range"]) != list(DYNAMIC["depreciation_range"]):
        stop("invalid configuration: key 'dynamic/depreciation_range': give [low, high].")
    if sorted(DYNAMIC["accelerator_range"]) != list(DYNAMIC["accelerator_range"]):
        stop("invalid configuration: key 'dynamic/accelerator_range': give [low, high].")


def dynamic_outputs():
    """Every result of the dynamic section."""
    if not DYNAMIC:
        return []
    out = []
    for key in DYN_DATASETS:
        out.append(results(f"{key}/dynamic/paths.csv"))
        out.append(results(f"{key}/dynamic/importance.csv"))
        for tol in DYNAMIC["tolerances"]:
            out.append(results(f"{key}/dynamic/multipliers_tol-{tol}.csv"))
            out.append(results(f"{key}/dynamic/bands_tol-{tol}.csv"))
            out.append(results(f"{key}/dynamic/multipliers_tol-{tol}.png"))
            out.append(results(f"{key}/compare/dynamic_tol-{tol}.csv"))
    return out


def dyn_table_files(wildcards):
    entry = DYN_DATASETS[wildcards.dyn]
    directory = Path(entry) if is_table_path(entry) else iouq.tables.bundled_path(entry)
    return [str(directory / name) for name in iouq.tables.TABLE_FILES if (directory / name).is_file()]


