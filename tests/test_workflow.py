"""The Snakemake pipeline: lint, dry run on the default config, a small real run, config errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
SNAKEFILE = REPO / "Snakefile"
SCHEMA = REPO / "workflow" / "schemas" / "config.schema.yaml"
DEFAULT_CONFIG = REPO / "config" / "config.yaml"

INTERVAL_COLUMNS = ["sector", "multiplier", "method", "lower", "upper", "exactness"]
MULTIPLIER_COLUMNS = ["sector", "output_type1", "output_type2", "income_type1", "income_type2"]
JERRELL_COLUMNS = [
    "sector", "tol", "published_lower", "published_upper", "naive_lower", "naive_upper",
    "sharp_lower", "sharp_upper", "verified_lower", "verified_upper", "sharp_naive_width_ratio",
]


def snakemake(*args: str, cwd: Path = REPO, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run Snakemake of this interpreter on the repository's Snakefile."""
    return subprocess.run(
        [sys.executable, "-m", "snakemake", "--snakefile", str(SNAKEFILE), *args],
        cwd=cwd, capture_output=True, text=True, timeout=timeout,
    )


def output(proc: subprocess.CompletedProcess) -> str:
    return proc.stdout + proc.stderr


def write_config(path: Path, **config) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


# ---------------------------------------------------------------------------- default config
def test_lint_is_clean_on_default_config():
    proc = snakemake("--lint", "--nolock")
    assert proc.returncode == 0, output(proc)
    assert "Congratulations, your workflow is in a good condition!" in output(proc)


def test_dry_run_plans_every_result_of_default_config():
    config = yaml.safe_load(DEFAULT_CONFIG.read_text())
    proc = snakemake("-n", "--forceall", "--nolock", "--cores", "1")
    assert proc.returncode == 0, output(proc)
    text = output(proc)
    counts = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit():
            counts[parts[0]] = int(parts[1])
    n_regions = len(config["regional"]["regions"])
    n_data, n_tol = len(config["datasets"]) + n_regions, len(config["tolerances"])
    assert counts["interval_table"] == n_data * n_tol
    assert counts["multipliers"] == n_data
    assert counts["plot_interval_widths"] == n_data
    assert counts["jerrell_comparison"] == 1 and counts["plot_jerrell_comparison"] == 1
    # the per-tolerance figures: one job per dataset draws every tolerance
    assert counts["plot_method_comparison"] == n_data and counts["plot_cross_family"] == n_data
    assert counts["compare_table"] == n_data * n_tol
    assert counts["plot_importance"] == n_data
    # every bundled table but pymrio-test has households (regions inherit their national table's)
    assert counts["importance_households"] == n_data - 1
    assert counts.get("regional_table", 0) == counts.get("lq_comparison", 0) == n_regions
    assert counts.get("regional_delta", 0) == n_regions * n_tol
    # datasets with satellite accounts: pymrio-test and germany1995
    assert counts["footprints"] == 2 * n_tol and counts["footprint_elasticities"] == 2
    assert counts["plot_footprints"] == 2
    for tol in config["tolerances"]:
        assert f"results/miernyk/interval/tol-{tol}.csv" in text
    n_dyn, n_dtol = len(config["dynamic"]["datasets"]), len(config["dynamic"]["tolerances"])
    assert counts["dynamic_paths"] == n_dyn and counts["dynamic_importance"] == n_dyn
    assert counts["dynamic_multipliers"] == counts["plot_dynamic"] == n_dyn * n_dtol


def test_default_config_keeps_tolerance_spelling():
    config = yaml.safe_load(DEFAULT_CONFIG.read_text())
    assert config["tolerances"] == ["0.001", "0.01", "0.1"]
    assert config["datasets"] == ["miernyk", "bea2002-sector", "bea2002-summary", "germany1995", "pymrio-test"]


# ---------------------------------------------------------------------------- schema
def test_schema_matches_library_constants():
    from iouq.interval import METHODS

    schema = yaml.safe_load(SCHEMA.read_text())
    assert schema["properties"]["interval"]["properties"]["methods"]["items"]["enum"] == list(METHODS)


def test_schema_rejects_unknown_keys_everywhere_and_describes_every_key():
    schema = yaml.safe_load(SCHEMA.read_text())

    def walk(node, where):
        if node.get("type") == "object":
            assert node.get("additionalProperties") is False, f"{where} allows unknown keys"
            required = set(node.get("required", []))
            assert required <= set(node["properties"]), f"{where}: required list"
            for key in set(node["properties"]) - required:  # an optional key says what it defaults to
                assert "default" in node["properties"][key], f"{where}/{key}: optional without a default"
            for key, sub in node["properties"].items():
                assert sub.get("description"), f"{where}/{key} has no description"
                walk(sub, f"{where}/{key}")

    walk(schema, "config")


def test_default_config_validates():
    import jsonschema

    jsonschema.Draft202012Validator(yaml.safe_load(SCHEMA.read_text())).validate(
        yaml.safe_load(DEFAULT_CONFIG.read_text())
    )


# ---------------------------------------------------------------------------- config errors
BASE = {
    "datasets": ["miernyk"],
    "tolerances": ["0.01"],
    "interval": {"methods": ["naive", "sharp"]},
    "seed": 1,
    "importance": yaml.safe_load(DEFAULT_CONFIG.read_text())["importance"],
    "stochastic": yaml.safe_load(DEFAULT_CONFIG.read_text())["stochastic"],
    "regional": {**yaml.safe_load(DEFAULT_CONFIG.read_text())["regional"], "regions": []},
    "footprints": yaml.safe_load(DEFAULT_CONFIG.read_text())["footprints"],
    "satellites": yaml.safe_load(DEFAULT_CONFIG.read_text())["satellites"],
    "dynamic": {**yaml.safe_load(DEFAULT_CONFIG.read_text())["dynamic"], "datasets": ["bea2002-3sector"], "draws": 20},
}


BASE_DYNAMIC = BASE["dynamic"]


@pytest.mark.parametrize(
    "change, expected",
    [
        ({"tolerence": ["0.01"]}, "'tolerence' was unexpected"),
        ({"interval": {"method": ["naive"]}}, "'method' was unexpected"),
        ({"interval": {"methods": ["exact"]}}, "interval/methods/0"),
        ({"tolerances": [0.01]}, "tolerances/0"),
        ({"tolerances": ["-0.01"]}, "tolerances/0"),
        ({"tolerances": ["1.5"]}, "outside 0 <= t < 1"),
        ({"datasets": ["no-such-table"]}, "no-such-table"),
        ({"datasets": ["./no-such-dir"]}, "no-such-dir"),
        ({"satellites": {"accounts": [], "quantities": ["effect"], "sat_tol": None}}, "satellites/quantities/0"),
        ({"satellites": {"accounts": [], "quantities": ["effect_type1"], "sat_tol": "ten"}}, "satellites/sat_tol"),
        ({"satellites": {"accounts": [], "quantities": ["effect_type1"], "sat_tol": "1.5"}}, "satellites/sat_tol"),
        ({"satellites": {"accounts": [], "quantities": ["effect_type1"]}}, "'sat_tol' is a required property"),
        ({"dynamic": {**BASE_DYNAMIC, "draws": -1}}, "dynamic/draws"),
        ({"dynamic": {**BASE_DYNAMIC, "datasets": [{"table": "bea2002-3sector", "scenario": {"acclerator": 7}}]}},
         "acclerator"),
        ({"dynamic": {**BASE_DYNAMIC, "datasets": [{"table": "bea2002-3sector",
                                                    "scenario": {"accelerator_role": "capacity"}}]}},
         "unstable configuration"),
    ],
)
def test_bad_config_fails_naming_the_key(tmp_path, change, expected):
    config = {**BASE, **change}
    proc = snakemake("-n", "--configfile", str(write_config(tmp_path / "bad.yaml", **config)), cwd=tmp_path)
    assert proc.returncode != 0
    assert expected in output(proc), output(proc)
    assert "invalid configuration" in output(proc) or "config: datasets" in output(proc)


def test_missing_key_fails_naming_the_key(tmp_path):
    config = {k: v for k, v in BASE.items() if k != "tolerances"}
    proc = snakemake("-n", "--configfile", str(write_config(tmp_path / "bad.yaml", **config)), cwd=tmp_path)
    assert proc.returncode != 0
    assert "'tolerances' is a required property" in output(proc), output(proc)


# ---------------------------------------------------------------------------- a real run
def test_small_pipeline_writes_the_result_contract(tmp_path):
    from iouq.tables import load_table, write_table_dir

    write_table_dir(load_table("miernyk"), tmp_path / "tables" / "mytable")
    config = write_config(
        tmp_path / "config" / "config.yaml",
        datasets=["miernyk", "./tables/mytable"],
        tolerances=["0", "0.01"],
        interval={"methods": ["naive", "sharp", "verified"]},
        seed=1,
        importance=yaml.safe_load(DEFAULT_CONFIG.read_text())["importance"],
        stochastic={**yaml.safe_load(DEFAULT_CONFIG.read_text())["stochastic"], "samples": 2000},
        regional={**yaml.safe_load(DEFAULT_CONFIG.read_text())["regional"], "regions": []},
        footprints=yaml.safe_load(DEFAULT_CONFIG.read_text())["footprints"],
        satellites=yaml.safe_load(DEFAULT_CONFIG.read_text())["satellites"],
        dynamic={**yaml.safe_load(DEFAULT_CONFIG.read_text())["dynamic"], "datasets": ["bea2002-3sector"],
                 "draws": 50},
    )
    proc = snakemake("--cores", "2", "--configfile", str(config), "--directory", str(tmp_path), timeout=600)
    assert proc.returncode == 0, output(proc)
    results = tmp_path / "results"

    for dataset in ("miernyk", "mytable"):
        point = pd.read_csv(results / dataset / "multipliers.csv", dtype={"sector": str})
        assert list(point.columns) == MULTIPLIER_COLUMNS
        iv = pd.read_csv(results / dataset / "interval" / "tol-0.01.csv", dtype={"sector": str})
        assert list(iv.columns) == INTERVAL_COLUMNS
        assert set(iv["method"]) == {"naive", "sharp", "verified"}
        assert set(iv["multiplier"]) == set(MULTIPLIER_COLUMNS[1:])
        assert len(iv) == 6 * 4 * 3
        assert (iv["lower"] <= iv["upper"]).all()
        merged = iv.merge(point.melt(id_vars="sector", var_name="multiplier", value_name="point"))
        assert ((merged["lower"] <= merged["point"]) & (merged["point"] <= merged["upper"])).all()
        assert (results / dataset / "interval" / "widths.png").stat().st_size > 1000
        st = pd.read_csv(results / dataset / "stochastic" / "tol-0.01.csv", dtype={"sector": str})
        assert list(st.columns) == ["sector", "multiplier", "method", "distribution", "mean", "sd", "skew",
                                    "q025", "q500", "q975", "n_samples", "mc_se_mean"]
        assert not st.isna().any().any()
        dens = pd.read_csv(results / dataset / "stochastic" / "tol-0.01_densities.csv", dtype={"sector": str})
        assert list(dens.columns) == ["sector", "multiplier", "method", "distribution", "x", "density"]
        assert (results / dataset / "stochastic" / "tol-0.01_comparison.png").stat().st_size > 1000
        assert (results / dataset / "importance" / "importance.png").stat().st_size > 1000
        # tolerance 0 (issue 8): every method and figure works; the distributions are point masses
        st0 = pd.read_csv(results / dataset / "stochastic" / "tol-0.csv", dtype={"sector": str})
        st0 = st0.merge(point.melt(id_vars="sector", var_name="multiplier", value_name="point"))
        assert (st0["sd"] == 0).all() and st0["skew"].isna().all()
        for q in ("mean", "q025", "q500", "q975"):
            np.testing.assert_allclose(st0[q], st0["point"], rtol=1e-9)
        iv0 = pd.read_csv(results / dataset / "interval" / "tol-0.csv", dtype={"sector": str})
        iv0 = iv0.merge(point.melt(id_vars="sector", var_name="multiplier", value_name="point"))
        np.testing.assert_allclose(iv0["lower"], iv0["point"], rtol=1e-9)
        np.testing.assert_allclose(iv0["upper"], iv0["point"], rtol=1e-9)
        assert (results / dataset / "stochastic" / "tol-0_comparison.png").stat().st_size > 1000
        hh = pd.read_csv(results / dataset / "importance" / "households.csv")
        assert set(hh["kind"]) == {"income", "consumption", "own"} and len(hh) == 2 * 6 + 1

    # A table given as a directory gives the same numbers as the bundled table.
    for name in ("multipliers.csv", "interval/tol-0.01.csv"):
        assert (results / "miernyk" / name).read_text() == (results / "mytable" / name).read_text()

    jerrell = pd.read_csv(results / "miernyk" / "interval" / "jerrell_comparison.csv", dtype={"sector": str})
    assert list(jerrell.columns)[:2] == ["sector", "tol"]
    assert set(JERRELL_COLUMNS) <= set(jerrell.columns)
    assert (results / "miernyk" / "interval" / "jerrell_comparison.png").stat().st_size > 1000
    assert not (results / "mytable" / "interval" / "jerrell_comparison.csv").exists()

    # The dynamic model's result contract.
    dyn = results / "bea2002-3sector" / "dynamic"
    paths = pd.read_csv(dyn / "paths.csv", dtype={"sector": str})
    assert list(paths.columns)[:5] == ["period", "sector", "output", "capacity", "dynamic_multiplier"]
    assert len(paths) == 15 * 3 and paths.dynamic_multiplier.iloc[:3].isna().all()  # period 1: before the shock
    mult = pd.read_csv(dyn / "multipliers_tol-0.1.csv", dtype={"sector": str})
    assert list(mult.columns)[:9] == ["sector", "static_type1", "static_type2", "long_run", "long_run_lower",
                                      "long_run_upper", "peak_dynamic", "mc_q025", "mc_q975"]
    assert ((mult.long_run_lower <= mult.long_run) & (mult.long_run <= mult.long_run_upper)).all()
    assert (dyn / "multipliers_tol-0.1.png").stat().st_size > 1000
    assert (dyn / "importance.csv").exists()

    # Every job leaves a log and a benchmark; no temporary files are left behind.
    assert (tmp_path / "logs" / "interval" / "miernyk" / "tol-0.01.log").exists()
    assert (tmp_path / "logs" / "benchmarks" / "interval" / "miernyk" / "tol-0.01.tsv").exists()
    for name in ("comparison", "ranges"):  # one figure job per dataset for all tolerances
        for dataset in ("miernyk", "mytable"):
            assert (tmp_path / "logs" / "report" / dataset / f"{name}.log").exists()
            assert (tmp_path / "logs" / "benchmarks" / "report" / dataset / f"{name}.tsv").exists()
    assert not list(results.rglob("*.tmp"))

    # Nothing left to do on a second run.
    again = snakemake("-n", "--configfile", str(config), "--directory", str(tmp_path))
    assert again.returncode == 0 and "Nothing to be done" in output(again), output(again)

    # The figures of every tolerance, drawn by one job per dataset, are each in the report with
    # their own tolerance label.
    proc = snakemake("--configfile", str(config), "--directory", str(tmp_path),
                     "--report", str(tmp_path / "report.html"), timeout=600)
    assert proc.returncode == 0, output(proc)
    html = (tmp_path / "report.html").read_text()
    for dataset in ("miernyk", "mytable"):
        for tol in ("0", "0.01"):
            assert report_labels(html, f"results/{dataset}/stochastic/tol-{tol}_comparison.png") == {
                "item": "densities", "tolerance": tol}
            assert report_labels(html, f"results/{dataset}/compare/tol-{tol}_ranges.png") == {
                "item": "ranges figure", "tolerance": tol}


def report_labels(html: str, path: str) -> dict:
    """The labels of result ``path`` in a self-contained Snakemake report (its JSON record)."""
    import json
    import re

    start = html.find(f'"{path}": {{')
    assert start >= 0, f"report lacks {path}"
    return json.loads(re.compile(r'"labels": (\{[^{}]*\})').search(html, start).group(1))


def test_readme_documents_every_config_key():
    schema = yaml.safe_load(SCHEMA.read_text())
    readme = (REPO / "README.md").read_text()

    def keys(node, prefix=""):
        for key, sub in node.get("properties", {}).items():
            yield prefix + key
            yield from keys(sub, prefix + key + ".")

    for key in keys(schema):
        assert f"| `{key}` |" in readme, f"README's configuration table lacks {key}"


# ---------------------------------------------------------------------------- comparison layer
RULES = REPO / "workflow" / "rules"


def figure_targets():
    """Every PNG a rule writes: (rule file, path text, whether it is wrapped in report()).
    common.smk only lists targets (no rules)."""
    import re

    found = []
    for smk in sorted(set(RULES.glob("*.smk")) - {RULES / "common.smk", RULES / "dynamic_common.smk"}):
        text = smk.read_text()
        for m in re.finditer(r'results\(f?"([^"]+\.png)"\)', text):
            before = text[: m.start()].split("\n")
            context = "\n".join(before[-3:])  # report( on the same line or opened just above
            # or per_tolerance_outputs(name, results(...), caption=..., ...): report() per tolerance
            after = text[m.end() : m.end() + 300].split(")", 1)[0]
            per_tol = context.rstrip().endswith("per_tolerance_outputs(\"png\",") and "caption=" in after
            found.append((smk.name, m.group(1), "report(" in context or per_tol))
    return found


def test_every_figure_and_comparison_table_is_in_the_report_with_a_caption():
    import re

    figures = figure_targets()
    assert len(figures) >= 7
    missing = [(f, p) for f, p, in_report in figures if not in_report]
    assert not missing, f"figures not marked with report(): {missing}"
    for smk in RULES.glob("*.smk"):
        for caption in re.findall(r'caption=(?:REPORT_DIR \+ |)"(?:\.\./report/)?([^"]+\.rst)"', smk.read_text()):
            assert (REPO / "workflow" / "report" / caption).is_file(), caption
    compare = (RULES / "compare.smk").read_text()
    for table in ("compare/tol-{tol}.csv", "summary/widths.csv", "compare/importance_top.csv"):
        assert re.search(r'report\(results\("[^"]*' + re.escape(table), compare), table
    assert 'report: "workflow/report/workflow.rst"' in SNAKEFILE.read_text()
    # and the README lists every figure
    readme = (REPO / "README.md").read_text()
    for _, path, _ in figures:
        shown = (path.replace("{{dataset}}", "{dataset}").replace(f"{{TOLERANCES[0]}}", "{tol}")
                 .replace("{dtol}", "{tol}"))
        assert shown.split("/", 1)[-1] in readme, f"README does not list {shown}"


def tiny_config(path: Path, chunk_size: int) -> Path:
    default = yaml.safe_load(DEFAULT_CONFIG.read_text())
    return write_config(
        path, datasets=["miernyk"], tolerances=["0.1"], interval={"methods": ["naive", "sharp", "verified"]},
        seed=5, importance={**default["importance"], "count_p": [1]},
        stochastic={**default["stochastic"], "samples": 1000, "chunk_size": chunk_size,
                    "distributions": ["uniform", "dirichlet"]},
    )


def test_same_seed_same_bytes_across_cores_and_a_report_with_every_figure(tmp_path):
    runs = {}
    for cores, chunk in (("1", 128), ("2", 700)):
        work = tmp_path / f"cores{cores}"
        config = tiny_config(work / "config" / "config.yaml", chunk)
        proc = snakemake("--cores", cores, "--configfile", str(config), "--directory", str(work), timeout=900)
        assert proc.returncode == 0, output(proc)
        runs[cores] = work / "results"
    one, two = runs["1"], runs["2"]
    files = sorted(p.relative_to(one) for p in one.rglob("*") if p.suffix in (".csv", ".tex"))
    assert len(files) > 15 and Path("miernyk/compare/tol-0.1.csv") in files
    for rel in files:
        assert (one / rel).read_bytes() == (two / rel).read_bytes(), f"{rel} differs between --cores 1 and 2"
    assert sorted(p.relative_to(two) for p in two.rglob("*") if p.suffix in (".csv", ".tex")) == files

    comp = pd.read_csv(one / "miernyk" / "compare" / "tol-0.1.csv", dtype={"sector": str, "distribution": str},
                       keep_default_na=False)
    ranges = comp[(comp["method"] == "montecarlo_range") & (comp["distribution"] == "uniform")]
    assert len(ranges) == 6 * 4 and (ranges["inside_verified"].astype(str) == "True").all()
    prov = yaml.safe_load((one / "provenance.yaml").read_text())
    assert prov["seed"] == 5 and prov["config"]["stochastic"]["chunk_size"] == 128
    assert set(prov["packages"]) >= {"numpy", "scipy", "pandas", "chaospy", "SALib", "snakemake"}
    import hashlib

    from iouq.tables import bundled_path

    a_csv = bundled_path("miernyk") / "A.csv"
    assert prov["inputs"]["miernyk"]["A.csv"] == hashlib.sha256(a_csv.read_bytes()).hexdigest()

    work = tmp_path / "cores2"
    proc = snakemake("--configfile", str(work / "config" / "config.yaml"), "--directory", str(work),
                     "--report", str(work / "results" / "report.html"), timeout=600)
    assert proc.returncode == 0, output(proc)
    html = (work / "results" / "report.html").read_text()
    pngs = sorted(p.name for p in two.rglob("*.png"))
    assert len(pngs) >= 7
    for name in pngs:
        assert name in html, f"report lacks {name}"
    assert "tol-0.1.csv" in html and "widths.csv" in html and "provenance.yaml" in html
