"""Regional tables by location quotients: hand-computed formulas, exact delta-bounds, errors, CLI."""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iouq import cli
from iouq.regional import (
    RegionalError,
    delta_bounds,
    delta_grid_range,
    delta_montecarlo,
    lq_accuracy,
    lq_comparison,
    read_regional_csv,
    regional_data,
    regional_output_multipliers,
    regionalize,
)
from iouq.table import IOTable
from iouq.tables import load_table, read_table_dir

# ------------------------------------------------------------------ hand-computed 3-sector case
A3 = np.array([[0.1, 0.2, 0.1], [0.3, 0.1, 0.2], [0.05, 0.15, 0.1]])
XN = np.array([100.0, 200.0, 100.0])  # national output, total 400
XR = np.array([20.0, 10.0, 10.0])  # regional output, total 40: the region is 10% of the nation
# SLQ = (20/40)/(100/400) = 2, (10/40)/(200/400) = 0.5, (10/40)/(100/400) = 1
CILQ = np.array([[2.0, 4.0, 2.0], [0.25, 0.5, 0.5], [0.5, 2.0, 1.0]])  # SLQ_i / SLQ_j, SLQ_i on the diagonal
LAM = (math.log(1.1) / math.log(2)) ** 0.25  # [log2(1 + 0.1)]^0.25 = 0.60894...


def table3(households: bool = False) -> IOTable:
    kw = {}
    if households:
        kw = {"household_income": [0.3, 0.2, 0.25], "household_consumption": [0.2, 0.3, 0.1]}
    return IOTable(name="three", sectors=("a", "b", "c"), A=A3, output=XN, **kw)


def expected(Q: np.ndarray) -> np.ndarray:
    return np.minimum(Q, 1.0) * A3


@pytest.mark.parametrize(
    "method, Q",
    [
        ("slq", np.array([[2.0] * 3, [0.5] * 3, [1.0] * 3])),
        ("cilq", CILQ),
        ("flq", CILQ * LAM),
        # AFLQ: only buying sector a has SLQ > 1; its column is multiplied by log2(1 + 2) = log2 3
        ("aflq", CILQ * LAM * np.array([math.log(3) / math.log(2), 1.0, 1.0])[None, :]),
    ],
)
def test_lq_formulas_on_hand_computed_case(method, Q):
    t = table3()
    data = regional_data(t, XR)
    assert data.size == pytest.approx(0.1, rel=1e-15)
    reg = regionalize(t, data, method, 0.25)
    np.testing.assert_allclose(reg.A, expected(Q), rtol=1e-14, atol=0)
    # FLQ by hand: 0.60894 * CILQ, so row a and the (c, b) cell are capped at 1
    if method == "flq":
        np.testing.assert_allclose(reg.A[0], A3[0], rtol=0)
        assert reg.A[1, 0] == pytest.approx(0.25 * 0.608946 * 0.3, rel=1e-5)
    m = regional_output_multipliers(t, data, method, 0.25)
    np.testing.assert_allclose(m, np.linalg.inv(np.eye(3) - expected(Q)).sum(axis=0), rtol=1e-12)


def test_households_are_a_buying_sector_with_quotient_one():
    t = table3(households=True)
    reg = regionalize(t, regional_data(t, XR), "flq", 0.25)
    np.testing.assert_allclose(reg.household_consumption, np.minimum(np.array([2.0, 0.5, 1.0]) * LAM, 1) * [0.2, 0.3, 0.1])
    np.testing.assert_array_equal(reg.household_income, [0.3, 0.2, 0.25])
    reg_s = regionalize(t, regional_data(t, XR), "slq")
    np.testing.assert_allclose(reg_s.household_consumption, [0.2, 0.15, 0.1])


def test_zero_regional_sector_supplies_nothing():
    t = table3()
    reg = regionalize(t, regional_data(t, [20.0, 0.0, 10.0]), "cilq")
    np.testing.assert_array_equal(reg.A[1], 0.0)  # no regional supply of b
    np.testing.assert_allclose(reg.A[[0, 2], 1], A3[[0, 2], 1])  # buying sector absent: CILQ = inf, capped at 1


# ------------------------------------------------------------------ delta ranges
@st.composite
def small_case(draw):
    n = draw(st.integers(2, 5))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    A = rng.uniform(0, 1, (n, n)) * (rng.random((n, n)) < 0.8)
    A = A / A.sum(axis=0).clip(min=1e-9) * rng.uniform(0.2, 0.7, n)
    xn = rng.uniform(1, 10, n)
    xr = xn * rng.uniform(0.0, 0.5, n)
    xr[0] = max(xr[0], 0.1)
    lo = draw(st.floats(0.0, 0.5))
    hi = lo + draw(st.floats(0.0, 0.45))
    method = draw(st.sampled_from(["flq", "aflq"]))
    return IOTable(name="h", sectors=tuple(f"s{i}" for i in range(n)), A=A, output=xn), xr, (lo, hi), method


@settings(max_examples=40, deadline=None)
@given(small_case())
def test_delta_bounds_equal_brute_force_range_over_fine_grid(case):
    t, xr, rng_d, method = case
    data = regional_data(t, xr)
    b = delta_bounds(t, data, method, rng_d)
    gmin, gmax = delta_grid_range(t, data, method, rng_d, points=101)
    assert (b["exactness"] == "exact").all()
    np.testing.assert_allclose(b["lower"], gmin, rtol=1e-12)
    np.testing.assert_allclose(b["upper"], gmax, rtol=1e-12)
    # and the multipliers are monotone (non-increasing) along the grid
    vals = np.array([regional_output_multipliers(t, data, method, d) for d in np.linspace(*rng_d, 11)])
    assert np.all(np.diff(vals, axis=0) <= 1e-12)


def test_delta_and_box_bounds_contain_monte_carlo_and_are_attained():
    t = load_table("germany1995")
    data = regional_data(t, t.output * np.array([0.1, 0.2, 0.05, 0.1, 0.08, 0.12]))
    for mult in ("output_type1", "output_type2"):
        b = delta_bounds(t, data, "flq", (0.1, 0.3), tol=0.05, multiplier=mult)
        draws = delta_montecarlo(t, data, "flq", (0.1, 0.3), 400, seed=7, tol=0.05, multiplier=mult)
        assert np.all(draws >= b["lower"].to_numpy() - 1e-12) and np.all(draws <= b["upper"].to_numpy() + 1e-12)
        # attained: the corner (delta_hi, every coefficient at r (1 - t)) by direct inversion
        R = regionalize(t, data, "flq", 0.3)
        M = R.A if mult == "output_type1" else R.closed_matrix()
        corner = np.linalg.inv(np.eye(M.shape[0]) - 0.95 * M)[: t.n, : t.n].sum(axis=0)
        np.testing.assert_allclose(b["lower"], corner, rtol=1e-12)
    again = delta_montecarlo(t, data, "flq", (0.1, 0.3), 50, seed=7, tol=0.05)
    np.testing.assert_array_equal(again, delta_montecarlo(t, data, "flq", (0.1, 0.3), 50, seed=7, tol=0.05))


def test_negative_coefficient_gives_enclosure_containing_grid():
    A = A3.copy()
    A[2, 0] = -0.05
    t = IOTable(name="neg", sectors=("a", "b", "c"), A=A, output=XN)
    data = regional_data(t, XR)
    b = delta_bounds(t, data, "flq", (0.1, 0.4))
    gmin, gmax = delta_grid_range(t, data, "flq", (0.1, 0.4), points=101)
    assert (b["exactness"] == "enclosure").all()
    assert np.all(b["lower"] <= gmin + 1e-12) and np.all(b["upper"] >= gmax - 1e-12)


def test_lq_comparison_columns_and_flq_inside_bounds():
    t = load_table("germany1995")
    data = regional_data(t, t.output * np.array([0.1, 0.2, 0.05, 0.1, 0.08, 0.12]))
    df = lq_comparison(t, data, 0.25, (0.1, 0.3))
    assert list(df.columns) == ["sector", "multiplier", "national", "slq", "cilq", "flq", "aflq",
                                "flq_lower", "flq_upper", "aflq_lower", "aflq_upper"]
    assert len(df) == 12
    assert (df["flq_lower"] <= df["flq"]).all() and (df["flq"] <= df["flq_upper"]).all()
    # regional multipliers never exceed the national ones (min(LQ, 1) <= 1, non-negative table)
    assert (df[["slq", "cilq", "flq", "aflq"]].max(axis=1) <= df["national"] + 1e-12).all()


def test_accuracy_ranking_on_synthetic_regions_matches_literature():
    """Flegg & Tohmo (2013), Bonfiglio & Chelli (2008): FLQ beats SLQ and CILQ, which overstate."""
    acc = lq_accuracy(n_regions=30, n=12, seed=3)
    err = {(r.method, None if np.isnan(r.delta) else r.delta): r.mean_abs_error for r in acc.itertuples()}
    assert err[("flq", 0.25)] < err[("slq", None)] and err[("flq", 0.25)] < err[("cilq", None)]
    assert err[("aflq", 0.25)] < err[("slq", None)]
    assert (acc.loc[acc.method.isin(["slq", "cilq"]), "mean_bias"] > 0).all()  # SLQ/CILQ overstate


# ------------------------------------------------------------------ bad input
def write(tmp_path, text, name="reg.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize(
    "text, match",
    [
        ("sector,regional\na,1\nb,1\nzz,1\n", "not sectors of table"),
        ("sector,regional\na,1\nb,1\n", r"\['c'\].*missing"),
        ("sector,regional\na,1\nb,1\nc,1\na,2\n", "more than once"),
        ("sector,regional\na,1\nb,lots\nc,1\n", "sector 'b', column 'regional': 'lots' is not a number"),
        ("sector,regional\na,1\nb,-1\nc,1\n", "non-negative"),
        ("sector,regional\na,150\nb,1\nc,1\n", r"exceeds the national one for sectors \['a'\]"),
        ("sector,value\na,1\nb,1\nc,1\n", "columns must be sector,regional"),
        ("sector,regional,national\na,1,0\nb,1,1\nc,1,1\n", "'national' must be a positive"),
        ("sector,regional\na,0\nb,0\nc,0\n", "every regional value is 0"),
        ("sector,regional\na,nan\nb,1\nc,1\n", "not a finite number"),
    ],
)
def test_bad_regional_files_get_one_clear_error(tmp_path, text, match):
    with pytest.raises(RegionalError, match=match):
        read_regional_csv(write(tmp_path, text), table3())


def test_missing_national_measure_and_bad_delta():
    t = load_table("miernyk")  # coefficients form: no output
    with pytest.raises(RegionalError, match="add a column 'national'"):
        regional_data(t, np.ones(6))
    d = regional_data(table3(), XR)
    with pytest.raises(RegionalError, match="0 <= delta < 1"):
        regionalize(table3(), d, "flq", 1.5)
    with pytest.raises(RegionalError, match="unknown location-quotient method"):
        regionalize(table3(), d, "glq")
    with pytest.raises(RegionalError, match="increasing"):
        delta_bounds(table3(), d, "flq", (0.3, 0.1))


# ------------------------------------------------------------------ CLI
def run(argv, capsys):
    status = cli.main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def test_cli_regionalize_writes_readable_table_with_provenance(tmp_path, capsys):
    t = load_table("germany1995")
    shares = np.array([0.1, 0.2, 0.05, 0.1, 0.08, 0.12])
    reg = write(tmp_path, "sector,regional\n" + "".join(f"{s},{float(x)!r}\n" for s, x in zip(t.sectors, t.output * shares)))
    out_dir = tmp_path / "region"
    for _ in range(2):  # the second run replaces the table directory
        status, out, err = run(["regionalize", "germany1995", "--regional", str(reg), "--method", "aflq",
                                "--delta", "0.2", "--out", str(out_dir)], capsys)
        assert status == 0 and err == ""
    assert out.splitlines()[0] == "directory,national_table,method,delta,region_size,lambda_star"
    back = read_table_dir(out_dir)
    assert back.meta["provenance"]["method"] == "aflq" and back.meta["provenance"]["delta"] == 0.2
    assert back.meta["provenance"]["national_table"] == "germany1995"
    data = regional_data(t, t.output * shares)
    np.testing.assert_allclose(np.linalg.inv(np.eye(6) - back.A).sum(axis=0),
                               regional_output_multipliers(t, data, "aflq", 0.2), rtol=1e-13)
    assert back.has_households
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary directories left


def test_cli_regionalize_errors_leave_nothing(tmp_path, capsys):
    bad = write(tmp_path, "sector,regional\nCPA_A,1\n")
    status, out, err = run(["regionalize", "germany1995", "--regional", str(bad), "--method", "flq",
                            "--out", str(tmp_path / "r")], capsys)
    assert status == 2 and out == "" and err.startswith("iouq: error: ") and err.count("\n") == 1
    assert not (tmp_path / "r").exists()
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "x.txt").write_text("keep")
    status, out, err = run(["regionalize", "germany1995", "--regional", str(bad), "--method", "flq",
                            "--out", str(tmp_path / "notes")], capsys)
    assert status == 2 and out == "" and "refusing to overwrite" in err
    assert (tmp_path / "notes" / "x.txt").read_text() == "keep"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes", "reg.csv"]


def test_cli_regionalize_refuses_to_replace_its_own_national_table(tmp_path, capsys):
    from iouq.tables import write_table_dir

    t = load_table("germany1995")
    write_table_dir(t, tmp_path / "nat", form="flows")
    before = (tmp_path / "nat" / "Z.csv").read_text()
    reg = write(tmp_path, "sector,regional\n" + "".join(f"{s},{float(x)!r}\n" for s, x in zip(t.sectors, t.output * 0.1)))
    status, out, err = run(["regionalize", str(tmp_path / "nat"), "--regional", str(reg), "--method", "flq",
                            "--out", str(tmp_path / "nat")], capsys)
    assert status == 2 and out == "" and "national table's own directory" in err
    assert (tmp_path / "nat" / "Z.csv").read_text() == before
