"""The regional and footprint parts of the pipeline: config errors before the first job, a small run."""

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
DEFAULT = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
REGION_DATA = REPO / "config" / "regions" / "bea2002-sector_synthetic.csv"


def snakemake(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "snakemake", "--snakefile", str(SNAKEFILE), *args],
                          cwd=cwd, capture_output=True, text=True, timeout=timeout)


def config_with(tmp_path: Path, regions, **regional) -> Path:
    config = {**DEFAULT, "datasets": ["pymrio-test"], "tolerances": ["0.01"],
              "regional": {**DEFAULT["regional"], "regions": regions, **regional}}
    path = tmp_path / "config" / "config.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def region(**kw):
    return {"name": "r1", "national": "bea2002-sector", "data": str(REGION_DATA), "method": "flq", **kw}


@pytest.mark.parametrize(
    "regions, regional, expected",
    [
        ([region(method="xlq")], {}, "regional/regions/0/method"),
        ([region(data="nowhere.csv")], {}, "config: regional: regions/0 (r1): nowhere.csv: regional data file not found"),
        ([region(national="no-such-table")], {}, "national 'no-such-table' is neither a bundled table"),
        ([region(name="pymrio-test")], {}, "already a dataset or region"),
        ([region()], {"delta_range": [0.3, 0.1]}, "'regional/delta_range': [0.3, 0.1] must be increasing"),
        ([region()], {"delta": 1.5}, "regional/delta"),
    ],
)
def test_bad_regional_config_fails_before_any_job(tmp_path, regions, regional, expected):
    proc = snakemake("-n", "--configfile", str(config_with(tmp_path, regions, **regional)), cwd=tmp_path)
    text = proc.stdout + proc.stderr
    assert proc.returncode != 0 and expected in text, text
    assert not (tmp_path / "results").exists()


def test_bad_sector_in_region_file_is_named(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(REGION_DATA.read_text().replace("\n01,", "\n99,", 1))
    proc = snakemake("-n", "--configfile", str(config_with(tmp_path, [region(data=str(bad))])), cwd=tmp_path)
    assert proc.returncode != 0 and "sectors ['99'] are not sectors of table 'bea2002-sector'" in proc.stdout + proc.stderr


def test_small_run_writes_regional_and_footprint_results(tmp_path):
    from iouq.mrio import footprints
    from iouq.regional import lq_comparison, read_regional_csv
    from iouq.tables import load_table

    config = config_with(tmp_path, [region()])
    targets = ["results/r1/regional/lq_comparison.csv", "results/r1/regional/delta_tol-0.01.csv",
               "results/r1/multipliers.csv", "results/pymrio-test/footprints/tol-0.01.csv",
               "results/pymrio-test/footprints/elasticities.csv", "results/pymrio-test/footprints/tol-0.01.png",
               "results/r1/regional/lq_comparison.png"]
    proc = snakemake("--cores", "2", *targets, "--configfile", str(config), cwd=tmp_path, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    res = tmp_path / "results"
    national = load_table("bea2002-sector")
    data = read_regional_csv(REGION_DATA, national)
    cmp_ = pd.read_csv(res / "r1" / "regional" / "lq_comparison.csv", dtype={"sector": str})
    ref = lq_comparison(national, data, 0.25, (0.1, 0.3))
    assert list(cmp_.columns) == list(ref.columns)
    np.testing.assert_allclose(cmp_["flq"], ref["flq"], rtol=1e-9)
    # the region's own table is the FLQ table: its multipliers match the comparison's flq column
    mult = pd.read_csv(res / "r1" / "multipliers.csv", dtype={"sector": str})
    np.testing.assert_allclose(mult["output_type1"], ref.loc[ref.multiplier == "output_type1", "flq"], rtol=1e-9)
    np.testing.assert_allclose(mult["output_type2"], ref.loc[ref.multiplier == "output_type2", "flq"], rtol=1e-9)
    delta = pd.read_csv(res / "r1" / "regional" / "delta_tol-0.01.csv", dtype={"sector": str})
    assert (delta.exactness == "exact").all()
    assert ((delta.lower <= delta.mc_min) & (delta.mc_max <= delta.upper)).all()
    fp = pd.read_csv(res / "pymrio-test" / "footprints" / "tol-0.01.csv")
    assert list(fp.columns[:3]) == ["region", "account", "footprint"]
    np.testing.assert_allclose(fp.footprint, footprints(load_table("pymrio-test")).footprint, rtol=1e-9)
    assert ((fp.lower <= fp.footprint) & (fp.footprint <= fp.upper)).all()
    el = pd.read_csv(res / "pymrio-test" / "footprints" / "elasticities.csv")
    assert list(el.columns) == ["region", "account", "row", "col", "coefficient", "elasticity", "variance_share",
                                "tolerable_limit_up_pct", "tolerable_limit_down_pct"]
    assert (tmp_path / "logs" / "benchmarks" / "regional" / "r1" / "table.tsv").exists()
    assert not list(res.rglob("*.tmp*"))
    for png in ("pymrio-test/footprints/tol-0.01.png", "r1/regional/lq_comparison.png"):
        assert (res / png).stat().st_size > 1000
