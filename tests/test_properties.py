"""Property suite (hypothesis): every interval row contains the true range, every ``exact`` row
*is* the true range, Monte Carlo draws of a bounded law stay inside the verified enclosure, and
tolerable limits equal bisection with re-inversion — over random small tables.

The tables: n = 1..6 producing sectors, with or without households, sparse (so that every vertex
of the coefficient box can be enumerated), with a few negative coefficients, all-zero columns and
sectors paying no household income; tolerances drawn below the productivity limit of the box.

The reference is brute force, independent of the code under test: plain ``numpy.linalg.inv`` of
every vertex of the box, and for the ratio (income) multipliers, which can have an interior
extreme along their own denominator coefficient, a dense grid along that coefficient refined by
golden-section search at every vertex of the other coefficients.

Profiles: ``fast`` (the default of ``make test``; a bounded number of examples) and ``long``
(``make test-long``, i.e. ``HYPOTHESIS_PROFILE=long``).
"""

from __future__ import annotations

import itertools
import math
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iouq.distributions import coefficient_model
from iouq.errors import IOUQError
from iouq.importance import tolerable_limits
from iouq.interval import critical_tolerance, interval_multiplier
from iouq.multipliers import multiplier_values
from iouq.stochastic import montecarlo, multiplier_problem
from iouq.table import IOTable

from test_importance import brute_limits

settings.register_profile(
    "fast", max_examples=12, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "long", max_examples=400, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fast"))

MAX_RANDOM = 9  # non-zero coefficients of the closed matrix: 2^9 = 512 box vertices at most
RTOL = 1e-9


# ============================================================================ random tables
@st.composite
def small_tables(draw) -> tuple[IOTable, float]:
    """A random productive table and a tolerance below the productivity limit of its boxes."""
    n = draw(st.integers(1, 6))
    households = draw(st.booleans())
    N = n + 1 if households else n
    # sparse pattern: the diagonal-free positions first, a few of them non-zero
    cells = [(i, j) for i in range(N) for j in range(N)]
    k = draw(st.integers(1, min(MAX_RANDOM, len(cells))))
    chosen = draw(st.lists(st.sampled_from(cells), min_size=k, max_size=k, unique=True))
    M = np.zeros((N, N))
    for i, j in chosen:
        M[i, j] = draw(st.floats(0.02, 0.6))
    # a few small negative coefficients (scrap, subsidies)
    n_neg = draw(st.integers(0, min(2, len(chosen))))
    for i, j in chosen[:n_neg]:
        M[i, j] = -0.3 * M[i, j]
    # keep the matrix productive with room: column sums of |M| at most 0.85
    colsum = np.abs(M).sum(axis=0)
    M = M / np.maximum(1.0, colsum / 0.85)[None, :]
    sectors = tuple(f"s{i + 1}" for i in range(n))
    if households:
        if not np.any(M[n, :n] != 0):  # households need some income somewhere
            j = draw(st.integers(0, n - 1))
            M[n, j] = 0.3
            M[:, j] /= max(1.0, np.abs(M[:, j]).sum() / 0.85)
        table = IOTable(name="h", sectors=sectors, A=M[:n, :n], household_income=M[n, :n],
                        household_consumption=M[:n, n], household_self=M[n, n])
        crit = min(critical_tolerance(M), critical_tolerance(M[:n, :n]))
    else:
        table = IOTable(name="t", sectors=sectors, A=M)
        crit = critical_tolerance(M)
    frac = draw(st.floats(0.0, 0.9))
    tol = float(min(0.9, 0.9 * crit if math.isfinite(crit) else 0.9) * frac)
    return table, tol


def _multipliers(table: IOTable) -> list[str]:
    return ["output_type1", "output_type2", "income_type1", "income_type2"] if table.has_households else ["output_type1"]


# ============================================================================ brute force
def _matrix(table: IOTable, mult: str) -> np.ndarray:
    """The matrix whose coefficients are uncertain for ``mult`` (as in iouq.interval)."""
    n = table.n
    if mult == "output_type1":
        return np.array(table.A)
    if mult == "income_type1":
        M = np.zeros((n + 1, n + 1))
        M[:n, :n] = table.A
        M[n, :n] = table.household_income
        return M
    return table.closed_matrix()


def _values(Ms: np.ndarray, n: int, mult: str) -> np.ndarray:
    """Multiplier values of a stack of matrices by plain inverses (rows: matrices, cols: sectors)."""
    L = np.linalg.inv(np.eye(Ms.shape[-1]) - Ms)
    if mult in ("output_type1", "output_type2"):
        return L[:, :n, :n].sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return L[:, n, :n] / Ms[:, n, :n]


def _vertices(M: np.ndarray, tol: float, skip: tuple[int, int] | None = None) -> np.ndarray:
    """Every vertex of the box over the non-zero coefficients of M (``skip`` held at the centre)."""
    coords = [tuple(c) for c in np.argwhere(M != 0) if tuple(c) != skip]
    out = np.broadcast_to(M, (2 ** len(coords),) + M.shape).copy()
    for v, signs in enumerate(itertools.product((-1.0, 1.0), repeat=len(coords))):
        for (i, j), s in zip(coords, signs):
            out[v, i, j] = M[i, j] + s * tol * abs(M[i, j])
    return out


def _golden(f, a: np.ndarray, b: np.ndarray, maximize: bool, iters: int = 70) -> np.ndarray:
    """Vectorised golden-section search of a unimodal bracket [a, b]; returns the best value."""
    g = (math.sqrt(5) - 1) / 2
    sgn = 1.0 if maximize else -1.0
    c, d = b - g * (b - a), a + g * (b - a)
    fc, fd = sgn * f(c), sgn * f(d)
    for _ in range(iters):
        left = fc > fd
        b = np.where(left, d, b)
        a = np.where(left, a, c)
        c, d = b - g * (b - a), a + g * (b - a)
        fc, fd = sgn * f(c), sgn * f(d)
    return sgn * np.maximum(fc, fd)


def brute_range(table: IOTable, mult: str, tol: float) -> tuple[np.ndarray, np.ndarray]:
    """The range of ``mult`` over the box by enumeration (and 1-D search for ratio multipliers)."""
    n = table.n
    M = _matrix(table, mult)
    if mult in ("output_type1", "output_type2"):
        vals = _values(_vertices(M, tol), n, mult)
        return vals.min(axis=0), vals.max(axis=0)
    lo, hi = np.full(n, np.nan), np.full(n, np.nan)
    for j in range(n):
        a = M[n, j]
        if a == 0:
            continue
        V = _vertices(M, tol, skip=(n, j))
        dlo, dhi = a - tol * abs(a), a + tol * abs(a)

        def f(d: np.ndarray) -> np.ndarray:
            Ms = V.copy()
            Ms[:, n, j] = d
            return _values(Ms, n, mult)[:, j]

        grid = np.linspace(dlo, dhi, 33)
        vals = np.stack([f(np.full(len(V), g)) for g in grid], axis=1)
        best = []
        for maximize in (False, True):
            idx = (vals.argmax if maximize else vals.argmin)(axis=1)
            a0 = grid[np.maximum(idx - 1, 0)]
            b0 = grid[np.minimum(idx + 1, len(grid) - 1)]
            refined = _golden(f, a0, b0, maximize)
            both = np.concatenate([vals, refined[:, None]], axis=1)
            best.append(both.max() if maximize else both.min())
        lo[j], hi[j] = best
    return lo, hi


def _close(x: np.ndarray, y: np.ndarray, rtol: float = RTOL) -> np.ndarray:
    return np.abs(x - y) <= rtol * np.maximum(np.abs(y), 1e-300)


# ============================================================================ properties
@given(small_tables())
def test_interval_rows_contain_the_range_and_exact_rows_equal_it(case) -> None:
    table, tol = case
    for mult in _multipliers(table):
        point = multiplier_values(table, mult)
        blo, bhi = brute_range(table, mult, tol)
        defined = ~np.isnan(point)
        res = {}
        for method in ("naive", "sharp", "verified"):
            try:
                df = interval_multiplier(table, tol, mult, method)
            except IOUQError as exc:
                # naive interval elimination may legitimately break down; nothing else may refuse
                assert method == "naive" and "divisor interval contains zero" in str(exc), str(exc)
                continue
            lo, hi = df["lower"].to_numpy(float), df["upper"].to_numpy(float)
            ex = df["exactness"].to_numpy() == "exact"
            res[method] = (lo, hi, ex)
            assert np.array_equal(np.isnan(lo), ~defined)
            slack = 1e-12 * np.maximum(np.abs(point), 1.0)
            d = defined
            assert np.all(lo[d] <= point[d] + slack[d]) and np.all(point[d] <= hi[d] + slack[d]), (mult, method)
            # every method contains the attainable range (naive: up to its unrounded arithmetic)
            rs = RTOL * np.maximum(np.abs(blo), 1.0)
            assert np.all(lo[d] <= blo[d] + rs[d]) and np.all(hi[d] >= bhi[d] - rs[d]), (mult, method, lo, blo, hi, bhi)
            # an exact row is the range
            if method != "naive":
                e = ex & d
                assert np.all(_close(lo[e], blo[e])) and np.all(_close(hi[e], bhi[e])), (mult, method, lo, blo, hi, bhi)
            else:
                assert not ex.any()
        # where sharp is the range, naive (an enclosure) and verified (rigorous) contain it
        slo, shi, sex = res["sharp"]
        e = sex & defined
        for method in ("naive", "verified"):
            if method in res:
                olo, ohi, _ = res[method]
                assert np.all(olo[e] <= slo[e] + RTOL * np.abs(slo[e])), (mult, method)
                assert np.all(ohi[e] >= shi[e] - RTOL * np.abs(shi[e])), (mult, method)


@given(small_tables(), st.sampled_from(["uniform", "beta"]))
def test_bounded_monte_carlo_draws_lie_in_the_verified_enclosure(case, distribution) -> None:
    table, tol = case
    for mult in _multipliers(table):
        problem = multiplier_problem(table, mult)
        model = coefficient_model(problem.M, tol, distribution)
        res = montecarlo(problem, model, n_samples=300, seed=7, chunk_size=128, progress=False, law=False)
        ver = interval_multiplier(table, tol, mult, "verified")
        lo = ver["lower"].to_numpy(float)[problem.defined]
        hi = ver["upper"].to_numpy(float)[problem.defined]
        assert res.n_rejected == 0
        assert np.all(res.samples >= lo[None, :]) and np.all(res.samples <= hi[None, :]), mult


@given(small_tables(), st.sampled_from(["inverse", "multipliers"]), st.sampled_from([0.5, 1.0, 5.0]))
@settings(max_examples=int(os.environ.get("HYPOTHESIS_LIMITS_EXAMPLES", "8")))
def test_tolerable_limits_equal_bisection(case, target, p) -> None:
    table, _ = case
    coefs = [tuple(int(v) for v in ij) for ij in np.argwhere(table.A != 0)]
    if not coefs:
        return
    up, down = tolerable_limits(table, p, target)
    idx = tuple(np.array(coefs).T)
    for direction, mine in ((1, up[idx]), (-1, down[idx])):
        ref = brute_limits(table, coefs, p, target, direction)
        unbounded = np.isinf(ref) & (np.isinf(mine) | (mine > 1e9))
        np.testing.assert_allclose(mine[~unbounded], ref[~unbounded], rtol=1e-6)


def test_income_type1_n1_verified_is_exact_only_when_tight() -> None:
    """Issue 8 item 2: n = 1 with households, income_type1 at ±10%: the verified bound is the
    vertex range (1/(1-a) over a in [0.18, 0.22]), not an interval-arithmetic blow-up labelled exact."""
    t = IOTable(name="x", sectors=("1",), A=[[0.2]], household_income=[0.3], household_consumption=[0.5])
    ver = interval_multiplier(t, 0.1, "income_type1", "verified")
    exact_lo, exact_hi = 1 / (1 - 0.18), 1 / (1 - 0.22)
    lo, hi = float(ver["lower"].iloc[0]), float(ver["upper"].iloc[0])
    assert lo <= exact_lo and hi >= exact_hi
    if ver["exactness"].iloc[0] == "exact":
        assert _close(np.array([lo, hi]), np.array([exact_lo, exact_hi])).all()
    assert pytest.approx(exact_lo, rel=1e-12) == lo and pytest.approx(exact_hi, rel=1e-12) == hi


@given(small_tables(), st.floats(0.02, 0.6))
def test_past_the_productivity_limit_every_bounded_method_refuses(case, excess) -> None:
    """A tolerance beyond the limit of a box around a non-negative matrix puts non-productive
    economies in the box: every interval method and every bounded-law stochastic method refuses
    (naming the limit) instead of returning numbers."""
    from iouq.errors import BoxNotProductiveError
    from iouq.stochastic import stochastic_summary

    table, _ = case
    A = np.abs(table.A)
    t2 = IOTable(name="p", sectors=table.sectors, A=A)
    crit = critical_tolerance(A)
    tol = crit * (1 + excess)
    if not tol < 1:
        return
    for method in ("naive", "sharp", "verified"):
        with pytest.raises(BoxNotProductiveError):
            interval_multiplier(t2, tol, "output_type1", method)
    for method in ("perturbation", "montecarlo"):
        with pytest.raises(BoxNotProductiveError):
            stochastic_summary(t2, tol, "output_type1", "uniform", method, n_samples=64)
