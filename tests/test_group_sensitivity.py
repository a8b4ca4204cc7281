"""Grouped Morris and Sobol (large tables) against independent references: brute-force
evaluation of the Saltelli design with full re-inversion, SALib's own grouped sampler and
analyser, and the analytic first-order variance shares of the groups."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy.stats import spearmanr

from iouq.errors import BoxNotProductiveError
from iouq.importance import ImportanceError
from iouq.sensitivity import (
    evaluate_multipliers,
    group_agreement,
    group_morris,
    group_salib_columns,
    group_sobol,
    group_variance_shares,
    morris_mu_star,
    sobol_indices,
)
from iouq.table import IOTable
from iouq.tables import load_table


@pytest.fixture(scope="module")
def bea():
    return load_table("bea2002-sector")


@pytest.mark.parametrize("grouping", ["column", "row"])
def test_rank_one_design_matches_brute_force(bea, grouping):
    """Same draws (the generator is consumed as A then B), every AB_g matrix re-inverted."""
    from SALib.analyze import sobol as sobol_analyze

    N, seed, tol = 16, 5, 0.1
    names, S1, ST = group_sobol(bea, tol, seed, base_samples=N, grouping=grouping, batch=N)
    rows, cols = np.nonzero(bea.A)
    a = bea.A[rows, cols]
    r = tol * np.abs(a)
    rng = np.random.default_rng(seed)
    UA, UB = rng.random((N, a.size)), rng.random((N, a.size))
    XA, XB = a - r + 2 * r * UA, a - r + 2 * r * UB
    key = cols if grouping == "column" else rows
    groups = np.unique(key)
    X = []
    for i in range(N):
        X.append(XA[i])
        for g in groups:
            x = XA[i].copy()
            x[key == g] = XB[i, key == g]
            X.append(x)
        X.append(XB[i])
    Y = evaluate_multipliers(bea.A, rows, cols, np.array(X))
    problem = {"num_vars": len(groups), "names": names, "bounds": [[0.0, 1.0]] * len(groups)}
    for l in range(bea.n):
        res = sobol_analyze.analyze(problem, Y[:, l], calc_second_order=False, num_resamples=10, seed=seed)
        np.testing.assert_allclose(ST[:, l], res["ST"], rtol=1e-7, atol=1e-10)
        np.testing.assert_allclose(S1[:, l], res["S1"], rtol=1e-7, atol=1e-10)


@pytest.mark.parametrize("grouping", ["column", "row"])
def test_group_sobol_tends_to_first_order_shares(bea, grouping):
    """At ±1% the multipliers are almost linear: S1 and S_T of a group -> its variance share."""
    names, S1, ST = group_sobol(bea, 0.01, 3, base_samples=4096, grouping=grouping)
    n2, shares = group_variance_shares(bea, 0.01, grouping)
    assert names == n2
    for S in (S1, ST):
        err = np.abs(S - shares)
        assert err.max() < 0.06 and err.mean() < 0.01


def test_group_methods_agree_with_salib_native(bea):
    """SALib's own grouped samplers and analysers on the 15-sector table (feasible there)."""
    names, mu = group_morris(bea, 0.05, 9, trajectories=40)
    n_native, mu_native = morris_mu_star(bea, 0.05, 9, trajectories=40, grouping="column")
    assert names == n_native
    rho = [spearmanr(mu[:, l], mu_native[:, l]).statistic for l in range(bea.n)]
    assert np.mean(rho) > 0.9
    np.testing.assert_allclose(np.median(mu / mu_native), 1.0, atol=0.1)
    _, _, st = group_sobol(bea, 0.05, 9, base_samples=2048)
    _, _, st_native = sobol_indices(bea, 0.05, 9, base_samples=2048, grouping="column")
    assert np.abs(st - st_native).max() < 0.06


def test_large_table_grouped_columns_are_filled():
    table = load_table("bea2002-summary")
    mu, st, names, gmu, gst = group_salib_columns(table, 0.01, 4, trajectories=4, base_samples=32)
    nz = table.A != 0
    assert np.isfinite(mu[nz]).all() and np.isfinite(st[nz]).all()
    assert np.isnan(mu[~nz]).all()
    assert gmu.shape == (len(names), table.n) and len(names) == len(np.unique(np.nonzero(table.A)[1]))
    # a sector without inputs has a constant multiplier (1): no Sobol indices, not an error
    no_inputs = np.flatnonzero(~nz.any(axis=0))
    assert no_inputs.size and np.array_equal(np.flatnonzero(np.isnan(gst).all(axis=0)), no_inputs)
    df = group_agreement(table, {"a": gmu, "b": gst}, top_k=5)
    assert list(df.columns) == ["sector", "multiplier", "method_a", "method_b", "coefficients", "spearman",
                                "top_k", "top_k_overlap"]


@pytest.mark.parametrize("grouping", ["column", "row"])
def test_morris_trajectory_matches_re_inversion(bea, grouping):
    """Sherman-Morrison steps along a whole trajectory against a full re-inversion at every point."""
    from iouq.sensitivity import _groups, _morris_trajectory

    tol = 0.1
    names, rows, cols, gid, present = _groups(bea, tol, grouping)
    r = tol * np.abs(bea.A[rows, cols])
    rng = np.random.default_rng(2)
    start = rng.choice([0.0, 1.0 / 3.0], size=rows.size) + np.where(rng.random(rows.size) < 0.5, 0.0, 2.0 / 3.0)
    step = np.where(start >= 2.0 / 3.0, -2.0 / 3.0, 2.0 / 3.0)
    order = rng.permutation(len(names))
    Y = _morris_trajectory(bea, rows, cols, r, gid, present, grouping, start, step, order)
    X, x = [], start.copy()
    X.append(bea.A[rows, cols] - r + 2 * r * x)
    for g in order:
        x = x + np.where(gid == g, step, 0.0)
        X.append(bea.A[rows, cols] - r + 2 * r * x)
    ref = evaluate_multipliers(bea.A, rows, cols, np.array(X))
    assert np.all((x >= -1e-12) & (x <= 1 + 1e-12))  # the trajectory stays in the box
    np.testing.assert_allclose(Y, ref, rtol=1e-12)


def test_group_bad_input(bea):
    with pytest.raises(ImportanceError, match="seed"):
        group_sobol(bea, 0.1, 0)
    with pytest.raises(ImportanceError, match="grouping"):
        group_morris(bea, 0.1, 1, grouping="coefficient")
    with pytest.raises(ImportanceError, match="num_levels"):
        group_morris(bea, 0.1, 1, num_levels=3)
    with pytest.raises(ImportanceError, match="batch"):
        group_sobol(bea, 0.1, 1, batch=0)
    near = IOTable(name="near", sectors=("a", "b"), A=np.array([[0.6, 0.39], [0.39, 0.6]]))  # rho = 0.99
    with pytest.raises(BoxNotProductiveError, match="Productivity is lost"):
        group_sobol(near, 0.1, 1)


@pytest.mark.parametrize("factors,base", [(1, 8), (3, 16), (7, 32)])
def test_saltelli_indices_equal_salib_analyze_for_every_output(factors, base):
    """The vectorised estimators give SALib.analyze.sobol's S1 and ST for every output column
    (independent reference: SALib itself, one call per column), including a constant column."""
    from SALib.analyze import sobol as sobol_analyze

    from iouq.sensitivity import saltelli_indices

    rng = np.random.default_rng(factors * 100 + base)
    runs = base * (factors + 2)
    Y = np.column_stack([rng.normal(size=runs) ** 2 + c * rng.random(runs) for c in range(4)] + [np.full(runs, 2.5)])
    s1, st = saltelli_indices(Y, factors)
    problem = {"num_vars": factors, "names": [f"x{i}" for i in range(factors)], "bounds": [[0.0, 1.0]] * factors}
    for c in range(Y.shape[1]):
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SALib warns on the constant column
            ref = sobol_analyze.analyze(problem, Y[:, c], calc_second_order=False, num_resamples=10, seed=1)
        np.testing.assert_allclose(s1[:, c], np.nan_to_num(ref["S1"]), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(st[:, c], np.nan_to_num(ref["ST"]), rtol=1e-12, atol=1e-12)
    assert np.all(s1[:, -1] == 0) and np.all(st[:, -1] == 0)


@pytest.mark.parametrize("factors,trajectories,levels", [(1, 3, 4), (4, 6, 4), (9, 10, 6)])
def test_morris_steps_mu_star_equals_salib_analyze(factors, trajectories, levels):
    """mu* from the trajectory steps equals SALib.analyze.morris's mu_star on the same design
    (X[t, j+1:, order[t, j]] = delta), output by output (independent reference: SALib)."""
    from SALib.analyze import morris as morris_analyze

    from iouq.sensitivity import morris_steps_mu_star

    rng = np.random.default_rng(factors * 7 + trajectories)
    delta = levels / (2.0 * (levels - 1))
    orders = np.array([rng.permutation(factors) for _ in range(trajectories)])
    Y = rng.normal(size=(trajectories, factors + 1, 3)).cumsum(axis=1)
    X = np.zeros((trajectories, factors + 1, factors))
    for t in range(trajectories):
        for j, g in enumerate(orders[t]):
            X[t, j + 1 :, g] = delta
    got = morris_steps_mu_star(Y, orders, levels)
    problem = {"num_vars": factors, "names": [f"g{i}" for i in range(factors)], "bounds": [[0.0, 1.0]] * factors}
    for c in range(Y.shape[2]):
        ref = morris_analyze.analyze(problem, X.reshape(-1, factors), Y[:, :, c].reshape(-1), num_levels=levels,
                                     seed=3, num_resamples=10)
        np.testing.assert_allclose(got[:, c], np.asarray(ref["mu_star"], dtype=float), rtol=1e-12, atol=1e-14)
