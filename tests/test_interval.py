"""Interval enclosures against independent references: brute force over the box, mpmath at 50
digits, the published Jerrell (1995) table, closed forms."""

from __future__ import annotations

import itertools
from importlib.resources import files

import mpmath
import numpy as np
import pandas as pd
import pytest

from iouq.errors import BoxNotProductiveError, HouseholdsMissingError, IOUQError
from iouq.interval import interval_inverse, interval_multiplier, interval_table, jerrell_comparison
from iouq.table import IOTable
from iouq.tables import load_table

MULTS = ["output_type1", "output_type2", "income_type1", "income_type2"]


def _table(M: np.ndarray, n: int, name: str = "t") -> IOTable:
    return IOTable(
        name=name,
        sectors=tuple(str(i + 1) for i in range(n)),
        A=M[:n, :n],
        household_income=M[n, :n],
        household_consumption=M[:n, n],
        household_self=M[n, n],
    )


def _random_closed(n: int, seed: int, negatives: int = 0, scale: float = 0.6) -> np.ndarray:
    rng = np.random.default_rng(seed)
    M = rng.uniform(0.0, 1.0, (n + 1, n + 1))
    M *= scale / M.sum(axis=0)
    if negatives:
        idx = rng.choice(M.size, negatives, replace=False)
        M.flat[idx] *= -0.05
    return M


def _brute(M: np.ndarray, n: int, mult: str, Ms: np.ndarray) -> np.ndarray:
    """Multiplier values for a stack of perturbed closed matrices Ms, by plain numpy inverses."""
    eye = np.eye(n + 1)
    if mult == "output_type1":
        return np.linalg.inv(np.eye(n) - Ms[:, :n, :n]).sum(axis=1)
    if mult == "income_type1":
        L = np.linalg.inv(np.eye(n) - Ms[:, :n, :n])
        h = Ms[:, n, :n]
        return np.einsum("si,sij->sj", h, L) / h
    L = np.linalg.inv(eye - Ms)
    if mult == "output_type2":
        return L[:, :n, :n].sum(axis=1)
    return L[:, n, :n] / Ms[:, n, :n]


def _box_samples(M: np.ndarray, tol: float, rng: np.random.Generator, grid: int = 41) -> np.ndarray:
    """All vertices of the box, each combined with a grid along every household-row coefficient
    (ratio multipliers can have interior minima there), plus uniform samples."""
    nz = np.argwhere(M != 0)
    rad = tol * np.abs(M)
    verts = []
    for bits in itertools.product((-1.0, 1.0), repeat=len(nz)):
        V = M.copy()
        V[nz[:, 0], nz[:, 1]] += np.array(bits) * rad[nz[:, 0], nz[:, 1]]
        verts.append(V)
    verts = np.array(verts)
    n = M.shape[0] - 1
    out = [verts]
    for j in range(n):
        for g in np.linspace(-1, 1, grid):
            V = verts.copy()
            V[:, n, j] = M[n, j] + g * rad[n, j]
            out.append(V)
    out.append(M + rad * rng.uniform(-1, 1, (4000, *M.shape)))
    return np.concatenate(out)


@pytest.mark.parametrize("negatives", [0, 2])
@pytest.mark.parametrize("mult", MULTS)
def test_brute_force_small_box(mult: str, negatives: int) -> None:
    """3x3 closed matrix (2 sectors + households): every vertex and a grid along the ratio
    denominators lie inside `verified` and touch `sharp`; naive is never narrower."""
    n, tol = 2, 0.1
    M = _random_closed(n, seed=7, negatives=negatives)
    T = _table(M, n)
    vals = _brute(M, n, mult, _box_samples(M, tol, np.random.default_rng(1)))
    lo, hi = vals.min(axis=0), vals.max(axis=0)
    sharp = interval_multiplier(T, tol, mult, "sharp")
    ver = interval_multiplier(T, tol, mult, "verified")
    naive = interval_multiplier(T, tol, mult, "naive")
    assert np.all(ver.lower.to_numpy() <= lo) and np.all(ver.upper.to_numpy() >= hi)
    # sharp is the range: the sampled extremes reach it (grid spacing allows 1e-4 relative)
    np.testing.assert_allclose(sharp.upper, hi, rtol=1e-12)
    np.testing.assert_allclose(sharp.lower, lo, rtol=1e-4)
    assert np.all(sharp.lower.to_numpy() <= lo + 1e-12)
    np.testing.assert_allclose(ver.lower, sharp.lower, rtol=1e-9)
    np.testing.assert_allclose(ver.upper, sharp.upper, rtol=1e-9)
    assert np.all(naive.lower.to_numpy() <= sharp.lower.to_numpy() + 1e-9)
    assert np.all(naive.upper.to_numpy() >= sharp.upper.to_numpy() - 1e-9)
    assert set(sharp.exactness) == {"exact"}


def test_interior_minimum_of_type2_income() -> None:
    """The Type II income multiplier is not monotone in its own denominator: for this table the
    minimum over the box is interior, found by a fine 1-D scan with the other coefficients at
    their minimising vertex (all at the lower end: every derivative sign is positive)."""
    n, tol, j = 2, 0.1, 0
    M = _random_closed(n, seed=8, scale=0.8)
    T = _table(M, n)
    sharp = interval_multiplier(T, tol, "income_type2", "sharp")
    ver = interval_multiplier(T, tol, "income_type2", "verified")
    Mlo = M * (1 - tol)
    grid = np.linspace(M[n, j] * (1 - tol), M[n, j] * (1 + tol), 4001)
    vals = []
    for a in grid:
        V = Mlo.copy()
        V[n, j] = a
        vals.append(np.linalg.inv(np.eye(n + 1) - V)[n, j] / a)
    vals = np.array(vals)
    k = int(np.argmin(vals))
    assert 0 < k < len(grid) - 1, "the minimum should be interior for this case"
    assert sharp.lower[j] <= vals.min() + 1e-12
    assert sharp.lower[j] == pytest.approx(vals.min(), rel=1e-7)
    assert ver.lower[j] <= sharp.lower[j] and ver.lower[j] == pytest.approx(sharp.lower[j], rel=1e-9)
    # the endpoints alone would miss it
    assert sharp.lower[j] < min(vals[0], vals[-1]) - 1e-6


def test_jerrell_table_reproduced_by_naive() -> None:
    """All 18 published intervals of Jerrell (1995) at ±0.1%, ±1%, ±10%, to 2 decimals."""
    T = load_table("miernyk")
    pub = pd.read_csv(files("iouq") / "data/miernyk/jerrell1995_published.csv", dtype={"sector": str})
    assert len(pub) == 18
    cmp = jerrell_comparison(T, pub)
    assert len(cmp) == 18
    np.testing.assert_array_equal(cmp.naive_lower.round(2), cmp.published_lower)
    np.testing.assert_array_equal(cmp.naive_upper.round(2), cmp.published_upper)
    assert cmp.naive_matches_published.all()
    # sharp bounds beat naive strictly (the dependency problem bites), and contain the point value
    assert (cmp.sharp_naive_width_ratio < 1).all()
    assert (cmp.sharp_lower > cmp.naive_lower).all() and (cmp.sharp_upper < cmp.naive_upper).all()
    L = np.linalg.inv(np.eye(7) - T.closed_matrix())
    point = L[6, :6] / T.household_income
    for tol, grp in cmp.groupby("tol"):
        assert np.all(grp.sharp_lower.to_numpy() <= point) and np.all(point <= grp.sharp_upper.to_numpy())


def _mp_output_multipliers(A: np.ndarray) -> np.ndarray:
    mpmath.mp.dps = 50
    n = A.shape[0]
    M = mpmath.matrix(n, n)
    for i in range(n):
        for j in range(n):
            M[i, j] = (1 if i == j else 0) - mpmath.mpf(float(A[i, j]))
    y = mpmath.lu_solve(M.T, mpmath.matrix([1] * n))
    return y


def test_verified_contains_mpmath_reference_near_singular() -> None:
    """Spectral radius 0.999999: the verified enclosure contains the 50-digit solution."""
    rng = np.random.default_rng(3)
    n = 8
    A = rng.uniform(0, 1, (n, n))
    A *= 0.999999 / np.max(np.abs(np.linalg.eigvals(A)))
    T = IOTable(name="near", sectors=tuple(map(str, range(n))), A=A)
    ver = interval_multiplier(T, 0.0, "output_type1", "verified")
    ref = _mp_output_multipliers(A)
    for i in range(n):
        lo, hi = mpmath.mpf(float(ver.lower[i])), mpmath.mpf(float(ver.upper[i]))
        assert lo <= ref[i] <= hi
    rel = (ver.upper - ver.lower) / ver.upper
    assert rel.max() < 1e-6  # cond ~ 1e6: still a meaningful enclosure
    # a tiny box: the two vertex matrices (computed in mpmath) lie inside the enclosure
    tol = 1e-8
    ver = interval_multiplier(T, tol, "output_type1", "verified")
    hi_ref = _mp_output_multipliers(A * (1 + tol))
    lo_ref = _mp_output_multipliers(A * (1 - tol))
    for i in range(n):
        assert mpmath.mpf(float(ver.lower[i])) <= lo_ref[i]
        assert hi_ref[i] <= mpmath.mpf(float(ver.upper[i]))


def test_verified_close_to_sharp_on_well_conditioned_tables() -> None:
    for name in ("bea2002-sector", "germany1995"):
        T = load_table(name)
        for mult in MULTS:
            s = interval_multiplier(T, 0.01, mult, "sharp")
            v = interval_multiplier(T, 0.01, mult, "verified")
            assert np.all(v.lower <= s.lower) and np.all(v.upper >= s.upper)
            np.testing.assert_allclose(v.lower, s.lower, rtol=1e-9)
            np.testing.assert_allclose(v.upper, s.upper, rtol=1e-9)


def test_inverse_hull_is_two_vertex_solves_for_nonnegative_box() -> None:
    T = load_table("bea2002-sector")
    lo, hi, exact = interval_inverse(T, 0.05, "sharp")
    n = T.n
    np.testing.assert_allclose(lo, np.linalg.inv(np.eye(n) - 0.95 * T.A), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(hi, np.linalg.inv(np.eye(n) - 1.05 * T.A), rtol=1e-12, atol=1e-15)
    assert exact.all()
    vlo, vhi, _ = interval_inverse(T, 0.05, "verified")
    assert np.all(vlo <= lo) and np.all(vhi >= hi)
    nlo, nhi, _ = interval_inverse(T, 0.05, "naive")
    np.testing.assert_allclose(nlo, lo, rtol=1e-10)
    np.testing.assert_allclose(nhi, hi, rtol=1e-10)


def test_miller_blair_worked_hull() -> None:
    """methods.md 1.2: the M&B two-sector table with every a_ij ± 10%."""
    A = np.array([[0.15, 0.25], [0.2, 0.05]])
    T = IOTable(name="mb", sectors=("1", "2"), A=A)
    lo, hi, _ = interval_inverse(T, 0.1, "sharp")
    np.testing.assert_allclose(lo, [[1.2157, 0.2864], [0.2291, 1.1011]], atol=6e-5)
    np.testing.assert_allclose(hi, [[1.2971, 0.3774], [0.3020, 1.1461]], atol=6e-5)
    m = interval_multiplier(T, 0.1, "output_type1", "verified")
    np.testing.assert_allclose(m.lower, [1.4448, 1.3875], atol=6e-5)
    np.testing.assert_allclose(m.upper, [1.5990, 1.5235], atol=6e-5)


def test_general_case_bea_summary() -> None:
    """Negative coefficients: the two-vertex rule is not valid; the result must still contain
    every sampled table and say which bounds are exact."""
    T = load_table("bea2002-summary")
    n, tol = T.n, 0.01
    assert (T.A < 0).any()
    L0 = np.linalg.inv(np.eye(n) - T.A)
    assert (L0 < 0).any(), "the published-data inverse has negative entries"
    res = interval_multiplier(T, tol, "output_type1", "sharp")
    ver = interval_multiplier(T, tol, "output_type1", "verified")
    rng = np.random.default_rng(11)
    A = T.A
    samples = A + tol * np.abs(A) * rng.choice([-1.0, 1.0], size=(60, n, n))
    samples = np.concatenate([samples, A + tol * np.abs(A) * rng.uniform(-1, 1, (60, n, n))])
    vals = np.linalg.inv(np.eye(n) - samples).sum(axis=1)
    assert np.all(ver.lower.to_numpy() <= vals.min(axis=0))
    assert np.all(ver.upper.to_numpy() >= vals.max(axis=0))
    assert np.all(res.lower.to_numpy() <= vals.min(axis=0) + 1e-12)
    assert set(res.exactness) <= {"exact", "enclosure"}
    assert (res.exactness == "exact").sum() >= 100
    # the naive two-vertex rule would claim bounds that some member of the box violates for the
    # quantities with negative derivative signs; our exact bounds do not depend on it
    two_vertex_hi = np.linalg.inv(np.eye(n) - (A + tol * np.abs(A))).sum(axis=0)
    assert np.all(res.upper.to_numpy() >= two_vertex_hi - 1e-12)


def test_tol_zero_gives_point_values() -> None:
    from iouq.multipliers import point_multipliers

    T = load_table("germany1995")
    pm = point_multipliers(T)
    for mult in MULTS:
        s = interval_multiplier(T, 0.0, mult, "sharp")
        np.testing.assert_allclose(s.lower, pm[mult], rtol=1e-14)
        np.testing.assert_allclose(s.upper, pm[mult], rtol=1e-14)
        v = interval_multiplier(T, 0.0, mult, "verified")
        assert np.all(v.lower <= pm[mult] + 1e-14) and np.all(v.upper >= pm[mult] - 1e-14)


def test_box_leaving_productive_region_names_the_tolerance() -> None:
    T = load_table("miernyk")
    rho = np.max(np.abs(np.linalg.eigvals(T.closed_matrix())))
    with pytest.raises(BoxNotProductiveError) as err:
        interval_multiplier(T, 0.5, "income_type2", "sharp")
    assert err.value.critical_tol == pytest.approx(1 / rho - 1, rel=1e-9)
    assert "productive" in str(err.value) and "0.182" in str(err.value)


@pytest.mark.parametrize("tol", [-0.01, 1.0, float("nan"), "abc"])
def test_bad_tolerance(tol: object) -> None:
    with pytest.raises(IOUQError, match="tolerance"):
        interval_multiplier(load_table("miernyk"), tol, "output_type1", "sharp")


def test_type2_without_households() -> None:
    T = IOTable(name="mb", sectors=("1", "2"), A=np.array([[0.15, 0.25], [0.2, 0.05]]))
    with pytest.raises(HouseholdsMissingError, match="household"):
        interval_multiplier(T, 0.01, "output_type2", "sharp")
    df = interval_table(T, 0.01)
    assert set(df.multiplier) == {"output_type1"}


def test_unknown_method_and_multiplier() -> None:
    T = load_table("miernyk")
    with pytest.raises(IOUQError, match="method"):
        interval_multiplier(T, 0.01, "output_type1", "exactish")
    with pytest.raises(IOUQError, match="multiplier"):
        interval_multiplier(T, 0.01, "employment", "sharp")


def test_output_hull_with_final_demand_box() -> None:
    """methods.md 1.2 worked check: x in [912.39, 1095.63] x [1952.07, 2054.01] for the M&B
    table with A ± 10% and known f; with f ± 5% as well, the two vertex solves bound samples."""
    from iouq.interval import interval_output

    A = np.array([[0.15, 0.25], [0.2, 0.05]])
    f = np.array([350.0, 1700.0])
    T = IOTable(name="mb", sectors=("1", "2"), A=A)
    x = interval_output(T, 0.1, method="sharp", final_demand=f)
    np.testing.assert_allclose(x.lower, [912.39, 1952.07], atol=0.006)
    np.testing.assert_allclose(x.upper, [1095.63, 2054.01], atol=0.006)
    assert set(x.exactness) == {"exact"}
    xv = interval_output(T, 0.1, fd_tol=0.05, method="verified", final_demand=f)
    rng = np.random.default_rng(5)
    As = A * (1 + 0.1 * rng.uniform(-1, 1, (5000, 2, 2)))
    fs = f * (1 + 0.05 * rng.uniform(-1, 1, (5000, 2)))
    xs = np.linalg.solve(np.eye(2) - As, fs[..., None])[..., 0]
    assert np.all(xv.lower.to_numpy() <= xs.min(axis=0)) and np.all(xv.upper.to_numpy() >= xs.max(axis=0))
    # mixed-sign final demand: an enclosure, still containing every sample
    fm = np.array([-50.0, 1700.0])
    xm = interval_output(T, 0.1, method="sharp", final_demand=fm)
    xs = np.linalg.solve(np.eye(2) - As, np.broadcast_to(fm, (5000, 2))[..., None])[..., 0]
    assert set(xm.exactness) == {"enclosure"}
    assert np.all(xm.lower.to_numpy() <= xs.min(axis=0)) and np.all(xm.upper.to_numpy() >= xs.max(axis=0))
