"""Satellite accounts: table-directory format, quantities, the three families, the CLI.

References are independent of the code under test: the Eurostat Manual's published effects,
brute force over every vertex of the box, finite differences of re-inverted systems, and the
definitions computed here with ``numpy.linalg.inv``.
"""

from __future__ import annotations

import io
import itertools
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iouq import cli
from iouq.errors import IOUQError, TableError
from iouq.interval import interval_multiplier
from iouq.quantities import (
    EXTENSIONS_COLUMNS,
    extensions_frame,
    footprint_elasticities,
    parse_quantity,
    satellite_values,
    table_quantities,
)
from iouq.stochastic import stochastic_analysis
from iouq.table import IOTable
from iouq.tables import bundled_path, load_table, read_table_dir, write_table_dir

GERMANY_SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "eurostat_manual_germany_1995"


def run(argv, capsys):
    status = cli.main(argv)
    cap = capsys.readouterr()
    return status, cap.out, cap.err


# ---------------------------------------------------------------------------- published numbers
def test_eurostat_published_employment_and_gva_effects():
    """Eurostat Manual (2008) ch. 15, Germany 1995: employment and GVA effects at 4 decimals."""
    table = load_table("germany1995")
    pub = pd.read_csv(bundled_path("germany1995") / "published_results.csv").set_index("code")
    ext = extensions_frame(table)
    emp = ext[ext.account == "EMP"].set_index("sector")
    gva = ext[ext.account == "B1G"].set_index("sector")
    codes = list(table.sectors)
    assert np.array_equal(np.round(emp.loc[codes, "effect_type1"].to_numpy(), 4),
                          pub.loc[codes, "employment_effect_published_1000persons_per_mioEUR"].to_numpy())
    assert np.array_equal(np.round(gva.loc[codes, "effect_type1"].to_numpy(), 4),
                          pub.loc[codes, "gva_effect_published"].to_numpy())
    # the published numbers themselves, typed from the manual (not read from a shipped file)
    assert np.round(gva.loc[codes, "effect_type1"].to_numpy(), 4).tolist() == [0.845, 0.7647, 0.8615, 0.9019, 0.9393, 0.9199]
    assert np.round(emp.loc[codes, "effect_type1"].to_numpy(), 4).tolist() == [0.0326, 0.0162, 0.0207, 0.0237, 0.0112, 0.0242]


def test_bundled_accounts_match_the_shared_source():
    table = load_table("germany1995")
    assert set(table.accounts) >= {"EMP", "EMP_WS", "EMP_SE", "B1G", "CO2", "CH4", "N2O"}
    assert table.satellite_units["CO2"] == "1000 t" and table.satellite_units["EMP"] == "1000 persons"
    x = table.output
    # CO2 of manufacturing (CPA_B-E) = 558327 thousand t (manual p. 482), output P1 = 1079446
    j = table.sectors.index("CPA_B-E")
    assert table.intensity("CO2")[j] * x[j] == pytest.approx(558327.0, rel=1e-14)
    assert np.allclose(table.intensity("EMP_WS") + table.intensity("EMP_SE"), table.intensity("EMP"), rtol=1e-14)
    if GERMANY_SHARED.is_dir():
        emp = pd.read_csv(GERMANY_SHARED / "employment_thousand_persons.csv").set_index("row")
        assert np.allclose(table.intensity("EMP") * x, emp.loc["EMP", list(table.sectors)].to_numpy(), rtol=1e-14)


# ---------------------------------------------------------------------------- definitions
def _small_table(A, s, h=None, c=None, name="t"):
    n = len(s)
    sectors = tuple(str(i + 1) for i in range(n))
    S = pd.DataFrame([s], index=pd.Index(["X"], name="account"), columns=list(sectors))
    return IOTable(name=name, sectors=sectors, A=np.array(A, dtype=float), household_income=h,
                   household_consumption=c, satellites=S, satellite_signed=("X",))


def _reference(A, s, h=None, c=None):
    """Effects and multipliers from the definitions, with numpy.linalg.inv."""
    A, s = np.asarray(A, float), np.asarray(s, float)
    n = len(s)
    L = np.linalg.inv(np.eye(n) - A)
    out = {"intensity": s, "effect_type1": s @ L}
    with np.errstate(divide="ignore", invalid="ignore"):
        out["multiplier_type1"] = np.where(s != 0, out["effect_type1"] / s, np.nan)
    if h is not None:
        C = np.zeros((n + 1, n + 1))
        C[:n, :n], C[:n, n], C[n, :n] = A, c, h
        Lc = np.linalg.inv(np.eye(n + 1) - C)
        out["effect_type2"] = s @ Lc[:n, :n]
        with np.errstate(divide="ignore", invalid="ignore"):
            out["multiplier_type2"] = np.where(s != 0, out["effect_type2"] / s, np.nan)
    return out


def test_point_values_match_definitions_and_undefined_cells():
    A = [[0.1, 0.2, 0.0], [0.3, 0.05, 0.1], [0.0, 0.2, 0.1]]
    s = [2.0, 0.0, 0.5]
    h, c = np.array([0.2, 0.3, 0.25]), np.array([0.3, 0.2, 0.1])
    t = _small_table(A, s, h, c)
    ref = _reference(A, s, h, c)
    ext = extensions_frame(t)
    for q in ("intensity", "effect_type1", "multiplier_type1", "effect_type2", "multiplier_type2"):
        np.testing.assert_allclose(ext[q].to_numpy(), ref[q], rtol=1e-13, equal_nan=True)
        np.testing.assert_allclose(satellite_values(t, f"{q}:X"), ref[q], rtol=1e-13, equal_nan=True)
    assert np.isnan(ext.multiplier_type1[1]) and np.isnan(ext.multiplier_type2[1])
    t1 = _small_table(A, s)
    ext1 = extensions_frame(t1)
    assert ext1.effect_type2.isna().all() and ext1.multiplier_type2.isna().all()
    assert table_quantities(t1) == ["output_type1", "effect_type1:X", "multiplier_type1:X"]


def test_parse_quantity_names():
    assert parse_quantity("effect_type1:CO2").account == "CO2"
    assert parse_quantity("output_type1").account is None
    for bad in ("effect_type1", "foo:CO2", "effect_type1:", "nonsense"):
        with pytest.raises(IOUQError):
            parse_quantity(bad)


# ---------------------------------------------------------------------------- elasticities
def test_elasticities_equal_finite_differences_of_reinverted_systems():
    table = load_table("germany1995")
    y = table.total_final_demand()
    el = footprint_elasticities(table, "CO2")
    s = table.intensity("CO2")
    A = np.array(table.A)
    f0 = s @ np.linalg.solve(np.eye(table.n) - A, y)
    idx = {c: k for k, c in enumerate(table.sectors)}
    rel = 1e-4  # central differences: truncation O(rel^2), rounding about 1e-16 / rel
    for row in el.itertuples():
        j = idx[row.col]
        if row.kind == "A":
            i = idx[row.row]
            vals = []
            for sign in (1, -1):
                Ap = A.copy()
                Ap[i, j] *= 1 + sign * rel
                vals.append(s @ np.linalg.solve(np.eye(table.n) - Ap, y))
        else:
            vals = []
            for sign in (1, -1):
                sp = s.copy()
                sp[j] *= 1 + sign * rel
                vals.append(sp @ np.linalg.solve(np.eye(table.n) - A, y))
        fd = (vals[0] - vals[1]) / (2 * rel * f0)
        assert row.elasticity == pytest.approx(fd, rel=1e-6, abs=1e-11)
    assert el[el.kind == "intensity"].elasticity.sum() == pytest.approx(1.0, rel=1e-12)
    assert len(el[el.kind == "A"]) == np.count_nonzero(A)


# ---------------------------------------------------------------------------- interval family
QUANTITIES = ("effect_type1", "multiplier_type1", "effect_type2", "multiplier_type2", "intensity")


def _vertex_values(t: IOTable, q: str, tol: float, sat_tol: float) -> np.ndarray:
    """The quantity at every vertex of the (A or closed matrix) x intensity box, by brute force."""
    n = t.n
    s0 = t.intensity("X")
    type2 = q.endswith("type2")
    M0 = t.closed_matrix() if type2 else np.array(t.A)
    coords = [(k, l) for k in range(M0.shape[0]) for l in range(M0.shape[1]) if M0[k, l] != 0]
    scoords = [i for i in range(n) if s0[i] != 0]
    out = []
    for signs in itertools.product((-1.0, 1.0), repeat=len(coords) + len(scoords)):
        M = M0.copy()
        for (k, l), sg in zip(coords, signs):
            M[k, l] = M0[k, l] + sg * tol * abs(M0[k, l])
        s = s0.copy()
        for i, sg in zip(scoords, signs[len(coords):]):
            s[i] = s0[i] + sg * sat_tol * abs(s0[i])
        Linv = np.linalg.inv(np.eye(M.shape[0]) - M)[:n, :n]
        eff = s @ Linv
        with np.errstate(divide="ignore", invalid="ignore"):
            val = {"intensity": s, "effect_type1": eff, "effect_type2": eff,
                   "multiplier_type1": eff / s, "multiplier_type2": eff / s}[q]
        out.append(val)
    return np.array(out)


@st.composite
def small_tables(draw):
    n = draw(st.integers(2, 2))
    A = np.array(draw(st.lists(st.floats(-0.08, 0.3), min_size=n * n, max_size=n * n))).reshape(n, n)
    A[np.abs(A) < 0.02] = 0.0
    s = np.array(draw(st.lists(st.floats(-1.0, 5.0), min_size=n, max_size=n)))
    s[np.abs(s) < 0.05] = 0.0
    h = np.array(draw(st.lists(st.floats(0.05, 0.3), min_size=n, max_size=n)))
    c = np.array(draw(st.lists(st.floats(0.05, 0.3), min_size=n, max_size=n)))
    tol = draw(st.sampled_from([0.0, 0.01, 0.1]))
    sat_tol = draw(st.sampled_from([0.0, 0.05, 0.2]))
    return A, s, h, c, tol, sat_tol


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_tables())
def test_interval_exact_labels_are_the_vertex_range(case):
    """Every 'exact' bound equals the brute-force range over all box vertices (the quantities are
    monotone, or Moebius in their own denominator, in each coordinate); every bound contains it."""
    A, s, h, c, tol, sat_tol = case
    t = _small_table(A, s, h, c)
    for q in QUANTITIES:
        V = _vertex_values(t, q, tol, sat_tol)
        with warnings.catch_warnings():  # all-NaN columns: multipliers of sectors with s_j = 0
            warnings.simplefilter("ignore", RuntimeWarning)
            vmin, vmax = np.nanmin(V, axis=0), np.nanmax(V, axis=0)
        for method in ("sharp", "verified", "naive"):
            df = interval_multiplier(t, tol, f"{q}:X", method, sat_tol=sat_tol)
            lo, hi = df.lower.to_numpy(), df.upper.to_numpy()
            defined = ~np.isnan(lo)
            if q.startswith("multiplier"):
                assert np.array_equal(defined, s != 0)
            else:
                assert defined.all()
            scale = np.maximum(np.abs(vmin), np.abs(vmax)) + 1e-300
            tol_num = 1e-9 * scale + 1e-12
            assert np.all(lo[defined] <= vmin[defined] + tol_num[defined]), (q, method)
            assert np.all(hi[defined] >= vmax[defined] - tol_num[defined]), (q, method)
            exact = (df.exactness == "exact").to_numpy()
            if method == "naive":
                assert not exact.any()
            if (A >= 0).all() and (s >= 0).all() and method != "naive":
                assert exact[defined].all(), (q, method)
            np.testing.assert_allclose(lo[exact], vmin[exact], rtol=1e-9, atol=1e-12)
            np.testing.assert_allclose(hi[exact], vmax[exact], rtol=1e-9, atol=1e-12)


def test_ratio_multiplier_is_sharper_than_naive_and_decreases_in_own_intensity():
    table = load_table("germany1995")
    sharp = interval_multiplier(table, 0.05, "multiplier_type1:CO2", "sharp")
    naive = interval_multiplier(table, 0.05, "multiplier_type1:CO2", "naive")
    assert ((sharp.upper - sharp.lower) < 0.9 * (naive.upper - naive.lower)).all()
    # the lower end has the own intensity at its upper end (decreasing), the others at their lower
    s = table.intensity("CO2")
    j = 0
    A_lo = table.A * 0.95
    L = np.linalg.inv(np.eye(table.n) - A_lo)
    sv = s * 0.95
    sv[j] = s[j] * 1.05
    assert sharp.lower[j] == pytest.approx((sv @ L)[j] / sv[j], rel=1e-12)


def test_tolerance_zero_gives_point_values():
    table = load_table("germany1995")
    for q in ("effect_type1:EMP", "multiplier_type2:CO2"):
        df = interval_multiplier(table, 0.0, q, "verified", sat_tol=0.0)
        pt = satellite_values(table, q)
        np.testing.assert_allclose(df.lower, pt, rtol=1e-12)
        np.testing.assert_allclose(df.upper, pt, rtol=1e-12)


# ---------------------------------------------------------------------------- stochastic family
@pytest.mark.parametrize("distribution", ["uniform", "beta"])
@pytest.mark.parametrize("q", ["effect_type1:CO2", "multiplier_type1:EMP", "effect_type2:EMP", "multiplier_type2:CO2"])
def test_interval_hull_contains_every_monte_carlo_draw(q, distribution):
    table = load_table("germany1995")
    tol = 0.1
    an = stochastic_analysis(table, tol, q, distribution, ("montecarlo",), n_samples=2000, seed=7)
    hull = interval_multiplier(table, tol, q, "verified")
    S = an.mc.samples
    assert np.all(S >= hull.lower.to_numpy()[None, :]) and np.all(S <= hull.upper.to_numpy()[None, :])
    # the draws fill most of the hull width (it is sharp, not loose)
    span = (S.max(axis=0) - S.min(axis=0)) / (hull.upper - hull.lower).to_numpy()
    assert np.all(span > 0.15)


def test_sat_tol_effect_draws_match_a_direct_simulation():
    """Effects with sat_tol != tol: mean and sd agree with a direct simulation (independent code)."""
    table = load_table("germany1995")
    tol, sat_tol = 0.05, 0.2
    an = stochastic_analysis(table, tol, "effect_type1:CO2", "uniform", ("montecarlo", "perturbation"),
                             n_samples=4000, seed=3, sat_tol=sat_tol)
    rng = np.random.default_rng(11)
    A0, s0 = np.array(table.A), table.intensity("CO2")
    N = 4000
    vals = np.empty((N, table.n))
    for k in range(N):
        A = A0 * (1 + tol * rng.uniform(-1, 1, A0.shape))
        s = s0 * (1 + sat_tol * rng.uniform(-1, 1, s0.shape))
        vals[k] = s @ np.linalg.inv(np.eye(table.n) - A)
    mc = an.summaries["montecarlo"]
    se = vals.std(axis=0) / np.sqrt(N)
    assert np.all(np.abs(mc["mean"].to_numpy() - vals.mean(axis=0)) < 5 * np.sqrt(2) * se)
    np.testing.assert_allclose(mc["sd"].to_numpy(), vals.std(axis=0, ddof=1), rtol=0.08)
    np.testing.assert_allclose(an.summaries["perturbation"]["sd"].to_numpy(), vals.std(axis=0, ddof=1), rtol=0.08)


def test_stochastic_refusals_are_clear():
    table = load_table("germany1995")
    for kwargs in (dict(multiplier="effect_type1:CO2", distribution="dirichlet"),
                   dict(multiplier="multiplier_type1:CO2", distribution="uniform", sat_tol=0.2),
                   dict(multiplier="intensity:CO2", distribution="uniform"),
                   dict(multiplier="effect_type1:NOPE", distribution="uniform")):
        with pytest.raises(IOUQError):
            stochastic_analysis(table, 0.05, methods=("perturbation",), **kwargs)


# ---------------------------------------------------------------------------- CLI
def test_cli_extensions_header_and_values(capsys):
    status, out, err = run(["extensions", "germany1995", "--account", "EMP"], capsys)
    assert status == 0 and err == ""
    assert out.splitlines()[0] == "account,sector,intensity,effect_type1,multiplier_type1,effect_type2,multiplier_type2"
    df = pd.read_csv(io.StringIO(out))
    assert list(df.columns) == EXTENSIONS_COLUMNS and len(df) == 6
    assert np.round(df.effect_type1.to_numpy(), 4).tolist() == [0.0326, 0.0162, 0.0207, 0.0237, 0.0112, 0.0242]


def test_cli_interval_and_stochastic_accept_satellite_quantities(capsys):
    status, out, _ = run(["interval", "germany1995", "--tol", "0.01", "--multiplier", "effect_type1:CO2",
                          "--method", "sharp", "--sat-tol", "0.1"], capsys)
    assert status == 0
    df = pd.read_csv(io.StringIO(out))
    assert (df.exactness == "exact").all()
    pt = satellite_values(load_table("germany1995"), "effect_type1:CO2")
    assert np.all(df.lower < pt) and np.all(df.upper > pt)
    status, out, _ = run(["stochastic", "germany1995", "--tol", "0.01", "--multiplier", "multiplier_type2:EMP",
                          "--distribution", "uniform", "--method", "perturbation"], capsys)
    assert status == 0 and len(pd.read_csv(io.StringIO(out))) == 6


@pytest.mark.parametrize("argv", [
    ["extensions", "miernyk"],
    ["extensions", "germany1995", "--account", "XX"],
    ["interval", "germany1995", "--tol", "0.01", "--multiplier", "effect_type1:XX", "--method", "sharp"],
    ["interval", "germany1995", "--tol", "0.01", "--multiplier", "effect_type1:CO2", "--method", "sharp", "--sat-tol", "-1"],
    ["stochastic", "germany1995", "--tol", "0.01", "--multiplier", "effect_type1:CO2", "--distribution", "dirichlet",
     "--method", "montecarlo"],
])
def test_cli_bad_satellite_requests_are_one_line_errors(argv, capsys):
    status, out, err = run(argv, capsys)
    assert status == 2 and out == ""
    assert err.startswith("iouq: error: ") and err.count("\n") == 1


# ---------------------------------------------------------------------------- table directories
def _flows_dir(tmp_path: Path, satellites: str, extra_yaml: str = "") -> Path:
    d = tmp_path / "t"
    d.mkdir()
    (d / "table.yaml").write_text("form: flows\n" + extra_yaml)
    (d / "Z.csv").write_text("code,a,b\na,10,20\nb,30,5\n")
    (d / "final_demand.csv").write_text("code,F\na,70\nb,65\n")
    (d / "value_added.csv").write_text("code,a,b\nV,60,75\n")
    (d / "satellites.csv").write_text(satellites)
    return d


def test_reader_divides_totals_by_output_and_round_trips(tmp_path):
    d = _flows_dir(tmp_path, "account,a,b\nEMP,5,10\nNET,-1,2\n",
                   "satellite_units: {EMP: 1000 persons}\nsatellite_signed: [NET]\n")
    t = read_table_dir(d)
    np.testing.assert_allclose(t.intensity("EMP"), [5 / 100, 10 / 100])
    assert t.satellite_units == {"EMP": "1000 persons", "NET": ""}
    assert t.satellite_signed == ("NET",)
    for form in ("flows", "coefficients"):
        out = write_table_dir(t, tmp_path / f"rt-{form}", form=form)
        back = read_table_dir(out)
        np.testing.assert_allclose(back.satellites.to_numpy(), t.satellites.to_numpy(), rtol=1e-15)
        assert back.accounts == t.accounts and back.satellite_signed == ("NET",)
        assert back.satellite_units["EMP"] == "1000 persons"
    # writing a table without satellites over a directory removes the stale file
    plain = load_table("miernyk")
    write_table_dir(plain, tmp_path / "rt-coefficients")
    assert not (tmp_path / "rt-coefficients" / "satellites.csv").exists()
    # bundled germany1995 round-trips too
    g = load_table("germany1995")
    back = read_table_dir(write_table_dir(g, tmp_path / "g", form="flows"))
    np.testing.assert_allclose(back.satellites.to_numpy(), g.satellites.to_numpy(), rtol=1e-14)


@pytest.mark.parametrize("content,yaml_extra,needle", [
    ("account,a,c\nEMP,5,10\n", "", "codes not in Z.csv: ['c']"),
    ("account,a,b\nEMP,5,NaN\n", "", "NaN"),
    ("account,a,b\nEMP,5,ten\n", "", "'ten'"),
    ("account,a,b\nEMP,5,\n", "", "empty cells"),
    ("account,a,b\nEMP,5,-3\n", "", "satellite_signed"),
    ("account,a,b\nEMP,5,3\nEMP,1,1\n", "", "duplicate row codes"),
    ("account,a,b\nEMP,5,3\n", "satellite_units: {CO2: t}\n", "satellite_units names accounts"),
    ("account,a,b\nEMP,5,3\n", "satellite_signed: [CO2]\n", "satellite_signed names accounts"),
    ("account,a,b\nEMP,5,3\n", "satellite_signed: CO2\n", "must be a list"),
])
def test_bad_satellite_files_are_clear_errors(tmp_path, content, yaml_extra, needle):
    d = _flows_dir(tmp_path, content, yaml_extra)
    with pytest.raises(TableError) as exc:
        read_table_dir(d)
    msg = str(exc.value)
    assert needle in msg
    assert "satellites.csv" in msg or "table.yaml" in msg


def test_satellite_keys_without_file_are_an_error(tmp_path):
    d = _flows_dir(tmp_path, "account,a,b\nEMP,5,3\n", "satellite_units: {EMP: t}\n")
    (d / "satellites.csv").unlink()
    with pytest.raises(TableError, match="does not exist"):
        read_table_dir(d)


def test_cli_bad_satellite_file_writes_nothing(tmp_path, capsys):
    d = _flows_dir(tmp_path, "account,a,b\nEMP,5,-3\n")
    status, out, err = run(["extensions", str(d)], capsys)
    assert status == 2 and out == "" and "negative totals" in err


# ---------------------------------------------------------------------------- importance family
def _effects_all(table: IOTable, A: np.ndarray, account: str) -> np.ndarray:
    """Type I and Type II effects of ``account`` with coefficient matrix ``A``, by re-inversion."""
    n = table.n
    s = table.intensity(account)
    e1 = s @ np.linalg.inv(np.eye(n) - A)
    C = np.zeros((n + 1, n + 1))
    C[:n, :n], C[:n, n], C[n, :n] = A, table.household_consumption, table.household_income
    e2 = s @ np.linalg.inv(np.eye(n + 1) - C)[:n, :n]
    return np.concatenate([e1, e2])


def test_effects_tolerable_limits_are_attained_by_reinversion():
    from iouq.importance import tolerable_limits

    table = load_table("germany1995")
    p = 1.0
    up, down = tolerable_limits(table, p, "effects:CO2")
    A0 = np.array(table.A)
    base = _effects_all(table, A0, "CO2")
    for i, j in [(1, 1), (0, 0), (4, 4), (1, 0), (3, 2)]:
        for r, sign in ((up[i, j], 1.0), (down[i, j], -1.0)):
            A = A0.copy()
            A[i, j] *= 1 + sign * r / 100
            change = np.max(np.abs(_effects_all(table, A, "CO2") / base - 1)) * 100
            assert change == pytest.approx(p, rel=1e-8)


def test_effects_variance_shares_match_finite_difference_gradients():
    from iouq.importance import coefficient_sd, variance_shares

    table = load_table("germany1995")
    sd = coefficient_sd(table.A, 0.1, "uniform")
    shares = variance_shares(table, sd, "effects:EMP")
    A0 = np.array(table.A)
    n = table.n
    G = np.zeros((n, n, 2 * n))
    h = 1e-7
    for i in range(n):
        for j in range(n):
            Ap, Am = A0.copy(), A0.copy()
            Ap[i, j] += h
            Am[i, j] -= h
            G[i, j] = (_effects_all(table, Ap, "EMP") - _effects_all(table, Am, "EMP")) / (2 * h)
    contrib = (sd**2)[:, :, None] * G**2
    ref = (contrib / contrib.sum(axis=(0, 1))[None, None, :]).mean(axis=2)
    np.testing.assert_allclose(shares, ref, rtol=1e-5, atol=1e-12)
    assert shares.sum() == pytest.approx(1.0)


def test_effects_target_needs_an_existing_account():
    from iouq.importance import available_targets, tolerable_limits

    table = load_table("germany1995")
    ok, skipped = available_targets(table, ["multipliers", "effects:CO2", "effects:NOPE"])
    assert ok == ["multipliers", "effects:CO2"] and "NOPE" in skipped["effects:NOPE"]
    with pytest.raises(IOUQError, match="NOPE"):
        tolerable_limits(table, 1.0, "effects:NOPE")


# ---------------------------------------------------------------------------- pipeline
def test_pipeline_writes_satellite_results(tmp_path):
    import subprocess
    import sys

    import yaml

    repo = Path(__file__).resolve().parents[1]
    config = yaml.safe_load((repo / "config" / "config.yaml").read_text())
    config.update(datasets=["germany1995"], tolerances=["0.01"], interval={"methods": ["naive", "sharp"]},
                  satellites={"accounts": ["EMP", "CO2"], "quantities": ["effect_type1", "multiplier_type1"],
                              "sat_tol": "0.1"})
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.yaml").write_text(yaml.safe_dump(config))
    targets = [f"results/germany1995/{f}" for f in ("extensions.csv", "importance/elasticities.csv",
                                                     "interval/tol-0.01.csv")]
    proc = subprocess.run([sys.executable, "-m", "snakemake", "--snakefile", str(repo / "Snakefile"), "--cores", "1",
                           "--directory", str(tmp_path), *targets], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    res = tmp_path / "results" / "germany1995"
    ext = pd.read_csv(res / "extensions.csv")
    assert list(ext.columns) == EXTENSIONS_COLUMNS and set(ext.account) == {"EMP", "CO2"}
    el = pd.read_csv(res / "importance" / "elasticities.csv")
    assert list(el.columns) == ["account", "kind", "row", "col", "coefficient", "elasticity"]
    iv = pd.read_csv(res / "interval" / "tol-0.01.csv")
    assert list(iv.columns) == ["sector", "multiplier", "method", "lower", "upper", "exactness"]
    sat = iv[iv.multiplier.str.contains(":")]
    assert set(sat.multiplier) == {"effect_type1:EMP", "multiplier_type1:EMP", "effect_type1:CO2", "multiplier_type1:CO2"}
    assert (sat[sat.method == "sharp"].exactness == "exact").all()
    # the rows equal the library's at tol 0.01 and sat_tol 0.1 (10 significant digits in the file)
    ref = interval_multiplier(load_table("germany1995"), 0.01, "effect_type1:CO2", "sharp", sat_tol=0.1)
    got = sat[(sat.multiplier == "effect_type1:CO2") & (sat.method == "sharp")]
    np.testing.assert_allclose(got.lower.to_numpy(), ref.lower.to_numpy(), rtol=1e-9)


def test_hull_with_own_intensity_tolerance_contains_the_draws_and_chunking_does_not_matter():
    table = load_table("germany1995")
    tol, sat_tol = 0.05, 0.2
    hull = interval_multiplier(table, tol, "effect_type1:CO2", "verified", sat_tol=sat_tol)
    runs = [stochastic_analysis(table, tol, "effect_type1:CO2", "uniform", ("montecarlo",), n_samples=1500, seed=5,
                                chunk_size=c, sat_tol=sat_tol).mc.samples for c in (64, 1024)]
    assert np.array_equal(runs[0], runs[1])
    S = runs[0]
    assert np.all(S >= hull.lower.to_numpy()[None, :]) and np.all(S <= hull.upper.to_numpy()[None, :])
    # the intensity tolerance dominates: the hull is much wider than with sat_tol = tol
    narrow = interval_multiplier(table, tol, "effect_type1:CO2", "sharp")
    assert np.all((hull.upper - hull.lower) > 2 * (narrow.upper - narrow.lower))
