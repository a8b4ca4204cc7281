"""Tests of iouq.importance and iouq.sensitivity against independent references.

References are computed here from first principles (full re-inversion with numpy, bisection,
finite differences, published / hand-checked numbers), never from the code under test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from iouq.errors import IOUQError, NotProductiveError
from iouq.importance import (
    DEFAULT_ZERO_TOL,
    coefficient_change,
    coefficient_sd,
    field_of_influence,
    importance_band,
    importance_counts,
    importance_frame,
    inverse_q,
    max_times,
    sherman_morrison,
    tolerable_limits,
    tolerable_limits_frame,
    total_field,
    variance_shares,
    zeroing_experiment,
)
from iouq.table import IOTable
from iouq.tables import load_table

MB_A = np.array([[0.15, 0.25], [0.20, 0.05]])


def mb_table() -> IOTable:
    """Miller & Blair 2x2 (methods.md section 4.1): A, x = (1000, 2000)."""
    return IOTable("mb", ("1", "2"), MB_A, output=np.array([1000.0, 2000.0]))


def random_table(n: int, seed: int, negative: bool = False) -> IOTable:
    """A productive random table with households and flows (optionally some negative a_ij)."""
    rng = np.random.default_rng(seed)
    A = rng.uniform(0, 1, (n, n)) * (rng.uniform(size=(n, n)) < 0.7)
    A *= 0.55 / A.sum(axis=0).max()
    if negative:
        A[rng.integers(0, n, 3), rng.integers(0, n, 3)] = -0.01
    h = rng.uniform(0.1, 0.3, n)
    c = rng.uniform(0, 1, n)
    c *= 0.6 / c.sum()
    x = rng.uniform(100, 1000, n)
    return IOTable(f"random{n}", tuple(f"s{k}" for k in range(n)), A, h, c, output=x)


def inv(M: np.ndarray) -> np.ndarray:
    return np.linalg.inv(np.eye(M.shape[-1]) - M)


# ============================================================================ brute force
def _targets(table: IOTable, A: np.ndarray, target: str) -> list[np.ndarray]:
    """Target quantities of a (batch of) coefficient matrices by full re-inversion."""
    n = table.n
    if target == "inverse":
        return [inv(A).reshape(A.shape[:-2] + (-1,))]
    if target == "output":
        f = table.total_final_demand()  # the table's own final demand (row sums of final_demand.csv)
        return [inv(A) @ f]
    out = [inv(A).sum(axis=-2)]
    if table.has_households:
        M = np.broadcast_to(table.closed_matrix(), A.shape[:-2] + (n + 1, n + 1)).copy()
        M[..., :n, :n] = A
        out.append(inv(M)[..., :n, :n].sum(axis=-2))
    return out


def brute_limits(table: IOTable, coefs: list[tuple[int, int]], p: float, target: str, direction: int) -> np.ndarray:
    """Tolerable limits (percent) by bisection on r with a full re-inversion at each step."""
    base = _targets(table, table.A, target)
    keep = [np.abs(y) > DEFAULT_ZERO_TOL * np.abs(y).max() for y in base]
    rows = np.array([c[0] for c in coefs])
    cols = np.array([c[1] for c in coefs])
    a = table.A[rows, cols]
    det0 = np.linalg.det(np.eye(table.n) - table.A)

    def feasible(r: np.ndarray) -> np.ndarray:
        As = np.broadcast_to(table.A, (len(coefs), table.n, table.n)).copy()
        As[np.arange(len(coefs)), rows, cols] = a * (1 + direction * r / 100)
        ok = np.linalg.det(np.eye(table.n) - As) / det0 > 0  # no crossing of a singular matrix
        for y0, k, y in zip(base, keep, _targets(table, As, target)):
            rel = np.abs(y[:, k] - y0[k]) / np.abs(y0[k])
            ok &= rel.max(axis=1) <= p / 100
        return ok

    return bisect_limits(feasible, len(coefs))


def bisect_limits(feasible, k: int) -> np.ndarray:
    """Largest r (percent) with ``feasible(r)`` for k coefficients at once: doubling, then bisection."""
    lo = np.zeros(k)
    hi = np.full(k, np.inf)
    r = 1e-3
    while r < 1e10 and np.any(np.isinf(hi)):
        ok = feasible(np.full(k, r))
        newly = np.isinf(hi) & ~ok
        hi[newly] = r
        lo[np.isinf(hi)] = r
        r *= 2.0  # the determinant check stops a jump across a singular matrix
    finite = np.isfinite(hi)
    for _ in range(48):
        mid = np.where(finite, 0.5 * (lo + hi), lo)
        ok = feasible(mid)
        lo = np.where(finite & ok, mid, lo)
        hi = np.where(finite & ~ok, mid, hi)
    return np.where(finite, 0.5 * (lo + hi), np.inf)


def check_against_brute(table: IOTable, target: str, p: float, coefs=None) -> None:
    up, down = tolerable_limits(table, p, target)
    if coefs is None:
        coefs = [tuple(ij) for ij in np.argwhere(table.A != 0)]
    idx = tuple(np.array(coefs).T)
    for direction, mine in ((1, up[idx]), (-1, down[idx])):
        ref = brute_limits(table, coefs, p, target, direction)
        both_inf = np.isinf(ref) & (np.isinf(mine) | (mine > 1e9))
        np.testing.assert_allclose(mine[~both_inf], ref[~both_inf], rtol=1e-6)
    assert np.any(np.abs(up[idx] - down[idx]) > 1e-6 * np.abs(up[idx])), "expected r+ != r-"


# ============================================================================ Miller & Blair
def test_miller_blair_inverse_and_output_limits() -> None:
    t = mb_table()
    up, down = tolerable_limits(t, 1.0, "inverse")
    np.testing.assert_allclose(up, [[5.263, 0.938], [0.938, 17.647]], atol=6e-4)
    # methods.md prints 5.370 for a11 r-: the exact value is 5.36948 (re-inversion gives exactly
    # 1.000% there), so the printed figure is rounded half-up from 5.3695; checked to 1e-3.
    np.testing.assert_allclose(down, [[5.370, 0.939], [0.939, 18.004]], atol=1e-3)
    up_x, _ = tolerable_limits(t, 1.0, "output")
    np.testing.assert_allclose(up_x, [[5.263, 1.593], [8.860, 17.647]], atol=6e-4)


def test_miller_blair_limits_hit_exactly_p() -> None:
    t = mb_table()
    L = inv(MB_A)
    up, down = tolerable_limits(t, 1.0, "inverse")
    for (i, j), r in np.ndenumerate(down):
        A2 = MB_A.copy()
        A2[i, j] *= 1 - r / 100
        assert np.abs(inv(A2) / L - 1).max() == pytest.approx(0.01, rel=1e-9)


# ============================================================================ brute force agreement
@pytest.mark.parametrize("target", ["inverse", "multipliers"])
def test_limits_vs_brute_force_miernyk(target: str) -> None:
    check_against_brute(load_table("miernyk"), target, 1.0)


@pytest.mark.parametrize("target", ["inverse", "multipliers", "output"])
def test_limits_vs_brute_force_bea2002_sector(target: str) -> None:
    check_against_brute(load_table("bea2002-sector"), target, 1.0)


@pytest.mark.parametrize("target", ["inverse", "multipliers", "output"])
@pytest.mark.parametrize("negative", [False, True])
def test_limits_vs_brute_force_random(target: str, negative: bool) -> None:
    check_against_brute(random_table(7, seed=11 + negative, negative=negative), target, 2.5)


def test_limits_vs_brute_force_bea2002_summary_negative_entries() -> None:
    """Sign handling on the real table with negative coefficients (and zeros in L)."""
    t = load_table("bea2002-summary")
    neg = [tuple(ij) for ij in np.argwhere(t.A < 0)[[0, 1, 6]]]
    pos = [(5, 7)]
    check_against_brute(t, "multipliers", 1.0, neg + pos)


def test_limits_nan_for_zero_coefficients_and_unbounded_is_inf() -> None:
    t = load_table("bea2002-summary")
    up, down = tolerable_limits(t, 1.0, "inverse")
    assert np.all(np.isnan(up[t.A == 0])) and np.all(np.isnan(down[t.A == 0]))
    assert np.all(up[t.A != 0] > 0) and np.all(down[t.A != 0] > 0)


# ============================================================================ O(n^3) algorithm
def test_inverse_q_equals_direct_quadruple_loop() -> None:
    rng = np.random.default_rng(3)
    L = rng.normal(size=(6, 6))
    L[1, 2] = 0.0
    L[4, 0] = 1e-20
    ref = np.zeros((6, 6))
    tiny = DEFAULT_ZERO_TOL * np.abs(L).max()
    for i in range(6):
        for j in range(6):
            ref[i, j] = max(
                abs(L[k, i] * L[j, l] / L[k, l]) for k in range(6) for l in range(6) if abs(L[k, l]) > tiny
            )
    np.testing.assert_allclose(inverse_q(L), ref, rtol=1e-14)


def test_max_times() -> None:
    rng = np.random.default_rng(4)
    X, Y = rng.uniform(size=(5, 3)), rng.uniform(size=(3, 4))
    np.testing.assert_array_equal(max_times(X, Y), (X[:, :, None] * Y[None, :, :]).max(axis=1))


# ============================================================================ Sherman–Morrison / fields
@pytest.mark.parametrize("i,j,delta", [(0, 0, 0.05), (0, 1, -0.1), (3, 1, 0.02), (5, 2, -0.3)])
def test_sherman_morrison_vs_reinversion(i: int, j: int, delta: float) -> None:
    A = load_table("miernyk").A
    A2 = A.copy()
    A2[i, j] += delta
    np.testing.assert_allclose(sherman_morrison(inv(A), i, j, delta), inv(A2), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(coefficient_change(A, i, j, delta), inv(A2), rtol=1e-12, atol=1e-14)


def test_field_of_influence_vs_finite_differences_and_not_transposed() -> None:
    A = load_table("bea2002-sector").A
    h = 1e-6
    for i, j in [(0, 3), (4, 1), (7, 7), (12, 2)]:
        Ap, Am = A.copy(), A.copy()
        Ap[i, j] += h
        Am[i, j] -= h
        fd = (inv(Ap) - inv(Am)) / (2 * h)
        F = field_of_influence(inv(A), i, j)
        np.testing.assert_allclose(F, fd, rtol=1e-6, atol=1e-9)
        if i != j:  # the ioanalysis transposition L[:, j] L[i, :] is wrong
            assert np.abs(np.outer(inv(A)[:, j], inv(A)[i, :]) - fd).max() > 1e-3


def test_total_field_closed_form_vs_reinversion() -> None:
    A = load_table("miernyk").A
    L = inv(A)
    eps = 0.01
    S = total_field(L, eps)
    for i, j in [(0, 1), (2, 2), (5, 3)]:
        A2 = A.copy()
        A2[i, j] += eps
        assert S[i, j] == pytest.approx((((inv(A2) - L) / eps) ** 2).sum(), rel=1e-10)
    S0 = total_field(L)
    assert S0[1, 4] == pytest.approx((np.outer(L[:, 1], L[4, :]) ** 2).sum(), rel=1e-12)


# ============================================================================ bad input
@pytest.mark.parametrize("p", [0, -1, float("nan"), float("inf")])
def test_bad_p(p: float) -> None:
    with pytest.raises(IOUQError, match="p must be"):
        tolerable_limits(mb_table(), p)


def test_index_out_of_range() -> None:
    with pytest.raises(IOUQError, match="out of range"):
        sherman_morrison(inv(MB_A), 2, 0, 0.01)
    with pytest.raises(IOUQError, match="out of range"):
        coefficient_change(MB_A, 0, -1, 0.01)
    with pytest.raises(IOUQError, match="out of range"):
        field_of_influence(inv(MB_A), 0, 5)


def test_non_productive_change() -> None:
    with pytest.raises(NotProductiveError, match="non-productive"):
        coefficient_change(MB_A, 0, 0, 0.9)
    with pytest.raises(NotProductiveError, match="non-productive"):
        sherman_morrison(inv(MB_A), 0, 1, 5.0)


def test_unknown_target_and_bad_cutoff() -> None:
    with pytest.raises(IOUQError, match="unknown target"):
        tolerable_limits(mb_table(), 1.0, "prices")
    with pytest.raises(IOUQError, match="cut-off"):
        tolerable_limits_frame(mb_table(), 1.0, cutoff=0)


def test_output_target_needs_flows() -> None:
    with pytest.raises(IOUQError, match="final demand"):
        tolerable_limits(load_table("miernyk"), 1.0, "output")


# ============================================================================ classification
def test_bands_and_frame() -> None:
    labels = importance_band(np.array([0.5, 5.0, 7, 20, 25, np.nan, np.inf]))
    assert list(labels) == ["0-5", "0-5", "5-10", "10-20", ">20", "", ">20"]
    df = tolerable_limits_frame(mb_table(), 1.0)
    assert list(df.columns[:6]) == [
        "row",
        "col",
        "coefficient",
        "tolerable_limit_up_pct",
        "tolerable_limit_down_pct",
        "inverse_important",
    ]
    assert df["inverse_important"].tolist() == [True, True, True, True]
    assert tolerable_limits_frame(mb_table(), 1.0, cutoff=10)["inverse_important"].tolist() == [True, True, True, False]


def test_counts_monotone_in_p() -> None:
    c = importance_counts(load_table("bea2002-sector"), [0.5, 1, 5], ["inverse"])
    assert c["important"].is_monotonic_decreasing
    band_cols = [col for col in c.columns if col.startswith("band_")]
    assert (c[band_cols].sum(axis=1) == c["nonzero_coefficients"]).all()


# ============================================================================ zeroing
def test_zeroing_vs_direct() -> None:
    t = load_table("bea2002-sector")
    z = zeroing_experiment(t, [0.0, 0.01])
    z0 = z[(z.cutoff == 0.0) & (z.multiplier == "output_type1")]
    np.testing.assert_allclose(z0["change_pct"], 0, atol=1e-10)
    A2 = np.where(np.abs(t.A) < 0.01, 0.0, t.A)
    z1 = z[(z.cutoff == 0.01) & (z.multiplier == "output_type1")]
    np.testing.assert_allclose(z1["value_zeroed"], inv(A2).sum(axis=0), rtol=1e-12)
    assert z1["zeroed_coefficients"].iloc[0] == np.count_nonzero((t.A != 0) & (np.abs(t.A) < 0.01))
    assert set(z["multiplier"]) == {"output_type1", "output_type2"}
    with pytest.raises(IOUQError, match="cut-offs"):
        zeroing_experiment(t, [-1])


# ============================================================================ variance shares
def test_variance_shares_vs_finite_difference_gradients() -> None:
    t = random_table(5, seed=2)
    t = IOTable("r5", t.sectors, t.A)  # Type I only
    tol = 0.05
    sd = coefficient_sd(t.A, tol)
    np.testing.assert_allclose(sd, tol * np.abs(t.A) / np.sqrt(3), rtol=1e-12)
    n, h = t.n, 1e-6
    grad = np.zeros((n, n, n))  # d m_l / d a_ij
    for i in range(n):
        for j in range(n):
            Ap, Am = t.A.copy(), t.A.copy()
            Ap[i, j] += h
            Am[i, j] -= h
            grad[i, j] = (inv(Ap).sum(axis=0) - inv(Am).sum(axis=0)) / (2 * h)
    contrib = sd[:, :, None] ** 2 * grad**2
    ref = (contrib / contrib.sum(axis=(0, 1))).mean(axis=2)
    mine = variance_shares(t, sd, "multipliers")
    np.testing.assert_allclose(mine, ref, rtol=1e-6, atol=1e-12)
    for target in ("inverse", "multipliers"):
        assert variance_shares(t, sd, target).sum() == pytest.approx(1.0)


def test_importance_frame_columns_and_size() -> None:
    t = load_table("bea2002-sector")
    df = importance_frame(t, 0.01)
    assert len(df) == 3 * t.n**2
    assert set(df["target"]) == {"inverse", "multipliers", "output"}
    assert df["morris_mu_star"].isna().all()


# ============================================================================ SALib
def test_salib_reproducible_and_consistent() -> None:
    from iouq.sensitivity import morris_mu_star, ranking_agreement, sobol_indices

    t = IOTable("mb", ("1", "2"), MB_A)
    names, _, st1 = sobol_indices(t, 0.1, seed=7, base_samples=1024)
    _, _, st2 = sobol_indices(t, 0.1, seed=7, base_samples=1024)
    np.testing.assert_array_equal(st1, st2)
    assert names == ["1|1", "1|2", "2|1", "2|2"]
    # independent first-order reference: dm_l/da_ij = m_i l_jl, uniform factors on a(1 +- 0.1)
    L = inv(MB_A)
    m = L.sum(axis=0)
    for l in range(2):
        g = np.outer(m, L[:, l]).reshape(-1)
        contrib = (0.1 * MB_A.reshape(-1)) ** 2 / 3 * g**2
        np.testing.assert_allclose(st1[:, l], contrib / contrib.sum(), atol=0.03)
    _, mu = morris_mu_star(t, 0.1, seed=7)
    # elementary effect = derivative times the factor range (2 * 0.1 * a) for a nearly linear model
    ref_mu = np.abs(np.outer(m, L[:, 0]).reshape(-1)) * 0.2 * MB_A.reshape(-1)
    np.testing.assert_allclose(mu[:, 0], ref_mu, rtol=0.1)  # derivative varies ~±10% over the box
    with pytest.raises(IOUQError, match="seed"):
        morris_mu_star(t, 0.1, seed=0)
    ra = ranking_agreement(t, 0.1, morris=mu, sobol_total=st1)
    assert set(ra.columns) >= {"sector", "method_a", "method_b", "spearman", "top_k_overlap"}
    assert ra["spearman"].dropna().between(-1, 1).all()


# ============================================================================ CLI
def test_cli_importance(capsys: pytest.CaptureFixture[str]) -> None:
    from iouq.cli import main

    assert main(["importance", "miernyk", "--p", "1", "--target", "multipliers"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("row,col,coefficient,tolerable_limit_up_pct,tolerable_limit_down_pct,inverse_important")
    df = pd.read_csv(pd.io.common.StringIO(out))
    assert len(df) == 36
    assert main(["importance", "miernyk", "--p", "0"]) == 2
    assert "p must be" in capsys.readouterr().err


def test_salib_column_groups() -> None:
    """Grouped Sobol: multiplier 1 of M&B depends more on column 1 than on column 2 (anchors.md 2.3)."""
    from iouq.sensitivity import sobol_indices

    names, s1, st = sobol_indices(IOTable("mb", ("1", "2"), MB_A), 0.1, seed=3, base_samples=512, grouping="column")
    assert names == ["1", "2"]
    assert st[0, 0] > st[1, 0] and st[1, 1] > st[0, 1]
    with pytest.raises(IOUQError, match="Sobol sampling"):
        sobol_indices(load_table("bea2002-summary"), 0.1, seed=3, grouping="column")


# ============================================================================ household coefficients
def _brute_household(table: IOTable, positions: list[tuple[int, int]], p: float, direction: int) -> np.ndarray:
    """Bisection on the relative change of closed-matrix coefficients, full re-inversion each step;
    target: every Type II output multiplier."""
    n = table.n
    M0 = table.closed_matrix()
    y0 = inv(M0)[:n, :n].sum(axis=0)
    det0 = np.linalg.det(np.eye(n + 1) - M0)
    rows = np.array([q[0] for q in positions])
    cols = np.array([q[1] for q in positions])
    a = M0[rows, cols]

    def feasible(r: np.ndarray) -> np.ndarray:
        Ms = np.broadcast_to(M0, (len(positions), n + 1, n + 1)).copy()
        Ms[np.arange(len(positions)), rows, cols] = a * (1 + direction * r / 100)
        ok = np.linalg.det(np.eye(n + 1) - Ms) / det0 > 0
        y = inv(Ms)[:, :n, :n].sum(axis=1)
        return ok & (np.abs(y / y0 - 1).max(axis=1) <= p / 100)

    return bisect_limits(feasible, len(positions))


@pytest.mark.parametrize("name", ["miernyk", "random"])
def test_household_limits_vs_brute_force(name: str) -> None:
    from iouq.importance import household_importance

    table = load_table("miernyk") if name == "miernyk" else random_table(7, 11)
    df = household_importance(table, 0.1, 1.0)
    n = table.n
    labels = list(table.sectors) + [table.household_label]
    df = df[df["coefficient"] != 0]
    positions = [(labels.index(r), labels.index(c)) for r, c in zip(df["row"], df["col"])]
    assert {"income", "consumption"} <= set(df["kind"]) and len(positions) >= 2 * n - 2
    for direction, col in ((1, "tolerable_limit_up_pct"), (-1, "tolerable_limit_down_pct")):
        ref = _brute_household(table, positions, 1.0, direction)
        np.testing.assert_allclose(df[col].to_numpy(), ref, rtol=1e-6)


def test_household_variance_shares_vs_finite_differences() -> None:
    """Shares from central differences of the re-inverted closed matrix (independent of L̄ algebra)."""
    from iouq.importance import household_importance
    from iouq.distributions import coefficient_sd as sd_of

    table = load_table("miernyk")
    n = table.n
    M = table.closed_matrix()
    S2 = sd_of(M, 0.1, "uniform") ** 2
    grads = np.zeros((n + 1, n + 1, n))
    for i, j in np.argwhere(M != 0):
        e = 1e-6
        Mp, Mm = M.copy(), M.copy()
        Mp[i, j] += e
        Mm[i, j] -= e
        grads[i, j] = (inv(Mp)[:n, :n].sum(axis=0) - inv(Mm)[:n, :n].sum(axis=0)) / (2 * e)
    contrib = S2[:, :, None] * grads**2
    shares = (contrib / contrib.sum(axis=(0, 1))).mean(axis=2)
    df = household_importance(table, 0.1, 1.0)
    labels = list(table.sectors) + [table.household_label]
    got = {(labels.index(r), labels.index(c)): v for r, c, v in zip(df["row"], df["col"], df["variance_share"])}
    for (i, j), v in got.items():
        assert v == pytest.approx(shares[i, j], rel=1e-5, abs=1e-12)
    hh = sum(shares[i, j] for (i, j) in got)
    assert df["household_variance_share"].iloc[0] == pytest.approx(hh, rel=1e-6)


def test_household_importance_needs_households() -> None:
    from iouq.errors import HouseholdsMissingError
    from iouq.importance import household_importance

    with pytest.raises(HouseholdsMissingError, match="household"):
        household_importance(mb_table(), 0.1)
