"""Common random numbers and the Dirichlet sampler: against brute-force re-inversion of the very
same draws, against scipy's Beta law (the marginal of a Dirichlet composition), and byte-identical
results for every chunk size."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from iouq.distributions import coefficient_model, sample_values
from iouq.multipliers import MULTIPLIERS
from iouq.results import write_csv_atomic
from iouq.stochastic import BLOCK, marginal_index, montecarlo_common, multiplier_problem, stochastic_table
from iouq.tables import load_table


@pytest.fixture(scope="module")
def miernyk():
    return load_table("miernyk")


def _problems(table, tol, dist):
    problems = [multiplier_problem(table, m) for m in MULTIPLIERS]
    return problems, [coefficient_model(p.M, tol, dist) for p in problems]


def _brute(problem, M):
    """Multiplier of one drawn matrix by explicit inversion (independent of the batched solver)."""
    Binv = np.linalg.inv(np.eye(M.shape[0]) - M)
    d = problem.defined
    if problem.kind == "linear":
        return (problem.w @ Binv)[d]
    return Binv[problem.h, d] / M[problem.h, d]


@pytest.mark.parametrize("dist", ["uniform", "normal", "dirichlet"])
def test_common_draws_are_the_joint_draws_reinverted(miernyk, dist):
    """Every multiplier's samples are the brute-force multipliers of the same joint draws."""
    tol, n, seed = 0.05, 1500, 11
    problems, models = _problems(miernyk, tol, dist)
    res = montecarlo_common(problems, models, n, seed, chunk_size=400, law=False)
    closed = models[MULTIPLIERS.index("output_type2")]
    shared = [i for i, md in enumerate(models) if marginal_index(closed, md) is not None]
    # the joint draws, reproduced from the documented seeding: group 0 is the closed matrix
    gseed = np.random.SeedSequence(seed).spawn(2 if len(shared) < 4 else 1)[0]
    children = gseed.spawn(-(-n // BLOCK))
    draws = []
    for b, child in enumerate(children):
        bitgen = np.random.SFC64(child)
        size = min(BLOCK, n - b * BLOCK)
        # uniform and normal (dense tables): one variate per slot of the dense transposed
        # matrix, slot col * N + row (documented in stochastic._dense_plan)
        N = closed.center.shape[0]
        a = closed.center[closed.rows, closed.cols]
        r = closed.tol * np.abs(a)
        slot = closed.cols * N + closed.rows
        assert closed.size >= 0.5 * N * N  # the dense path
        if dist == "uniform":
            words = -(-N * N // 2)
            x = bitgen.random_raw(size * words).reshape(size, words).view(np.uint32)[:, : N * N]
            u = (x[:, slot] + 0.5) * 2.0**-32
            draws.append(a + r * (2.0 * u - 1.0))
        elif dist == "normal":
            z = np.random.Generator(bitgen).standard_normal((size, N * N))[:, slot]
            draws.append(a + r / np.sqrt(3.0) * z)
        else:
            draws.append(sample_values(closed, np.random.Generator(bitgen), size))
    V = np.concatenate(draws)
    for i in shared:
        pb, md = problems[i], models[i]
        idx = marginal_index(closed, md)
        ref, kept = [], 0
        for s in range(0, n, 97):  # every 97th draw
            M = pb.M.copy()
            M[md.rows, md.cols] = V[s, idx]
            if np.max(np.abs(np.linalg.eigvals(M))) >= 1:
                continue
            ref.append((s, _brute(pb, M)))
        assert res[i].n_rejected == 0 or dist == "normal"
        if res[i].n_rejected == 0:
            for s, val in ref:
                np.testing.assert_allclose(res[i].samples[s], val, rtol=1e-11)
                kept += 1
            assert kept >= 10
    if dist == "dirichlet":
        # A alone: its columns' remainders include the household share, so it has its own draws
        assert MULTIPLIERS.index("output_type1") not in shared
        assert len(shared) == 3
    else:
        assert len(shared) == 4


@pytest.mark.parametrize("dist", ["uniform", "normal", "dirichlet"])
def test_common_draws_do_not_depend_on_chunk_size(miernyk, dist):
    problems, models = _problems(miernyk, 0.1, dist)
    a = montecarlo_common(problems, models, 2100, 5, chunk_size=1024)
    b = montecarlo_common(problems, models, 2100, 5, chunk_size=97)
    c = montecarlo_common(problems, models, 2100, 5, chunk_size=5000)
    for x, y, z in zip(a, b, c):
        np.testing.assert_array_equal(x.samples, y.samples)
        np.testing.assert_array_equal(x.samples, z.samples)
        np.testing.assert_array_equal(x.linear, z.linear)
        assert x.n_rejected == y.n_rejected == z.n_rejected


def test_common_draws_match_independent_montecarlo_in_law(miernyk):
    """Same law as drawing each multiplier alone: means agree within the Monte Carlo error."""
    from iouq.stochastic import montecarlo

    problems, models = _problems(miernyk, 0.1, "dirichlet")
    common = montecarlo_common(problems, models, 8000, 3, 1024, law=False)
    for pb, md, c in zip(problems, models, common):
        alone = montecarlo(pb, md, 8000, seed=99, chunk_size=1024, law=False)
        se = np.sqrt(c.samples.var(axis=0) / 8000 + alone.samples.var(axis=0) / 8000)
        assert np.all(np.abs(c.samples.mean(axis=0) - alone.samples.mean(axis=0)) <= 4.5 * se)
        np.testing.assert_allclose(c.samples.std(axis=0), alone.samples.std(axis=0), rtol=0.06)


def test_dirichlet_marginals_follow_scipy_beta():
    """A Dirichlet share p_k has the Beta(alpha p_k, alpha (1 - p_k)) law (Kolmogorov-Smirnov
    against scipy), the column sums plus the remainder are 1, and signs are kept."""
    M = np.array([[0.2, -0.05, 0.0], [0.1, 0.3, 0.25], [0.15, 0.02, 0.6]])
    model = coefficient_model(M, 0.3, "dirichlet")
    vals = sample_values(model, np.random.Generator(np.random.SFC64(4)), 20000)
    for k in range(model.size):
        r, c = model.rows[k], model.cols[k]
        alpha, T = model.alpha[c], model.total[c]
        p = abs(M[r, c]) / T
        share = np.sign(M[r, c]) * vals[:, k] / T
        assert np.all(share > 0)
        ks = stats.kstest(share, stats.beta(alpha * p, alpha * (1 - p)).cdf)
        assert ks.pvalue > 1e-3, (r, c, ks)
    for c in range(3):
        col = np.flatnonzero(model.cols == c)
        s = np.abs(vals[:, col]).sum(axis=1) / model.total[c]
        assert np.all(s < 1.0) and np.all(s > 0)
        # the remainder share is Beta(alpha rem, alpha (1 - rem))
        rem = model.remainder[c]
        ks = stats.kstest(1.0 - s, stats.beta(model.alpha[c] * rem, model.alpha[c] * (1 - rem)).cdf)
        assert ks.pvalue > 1e-3


def test_stochastic_table_same_seed_same_bytes_any_chunk(miernyk, tmp_path):
    kw = dict(distributions=["uniform", "normal", "dirichlet"], methods=["perturbation", "montecarlo"],
              n_samples=1500, seed=21, density_points=16, density_sectors=3)
    paths = []
    for i, chunk in enumerate((1024, 100, 1500)):
        summary, dens = stochastic_table(load_table("miernyk"), 0.05, chunk_size=chunk, **kw)
        for name, df in (("s", summary), ("d", dens)):
            paths.append(tmp_path / f"{name}{i}.csv")
            write_csv_atomic(df, paths[-1])
    assert paths[0].read_bytes() == paths[2].read_bytes() == paths[4].read_bytes()
    assert paths[1].read_bytes() == paths[3].read_bytes() == paths[5].read_bytes()


# ----------------------------------------------------------------------------- PCE with a remainder
def test_pce_remainder_variance_is_the_exact_first_order_variance():
    """On a table with many coefficients and a tiny tolerance (the multiplier is linear to
    O(t)), PCE in 3 coefficients plus the linear remainder has the perturbation sd (closed
    form, independent code), the reduced PCE only the share it states; the labels say which."""
    from iouq.stochastic import multiplier_problem, pce, perturbation_moments

    table = load_table("bea2002-sector")
    for mult in ("output_type1", "income_type2"):
        problem = multiplier_problem(table, mult)
        model = coefficient_model(problem.M, 1e-4, "uniform")
        ref = perturbation_moments(problem, model).sd
        full = pce(problem, model, seed=3, order=2, top_k=3, n_surrogate=4000)
        red = pce(problem, model, seed=3, order=2, top_k=3, n_surrogate=4000, remainder="none")
        assert full.method == "pce" and red.method == "pce_top3"
        assert full.n_coefficients == model.size > 3 and len(full.inputs) == 3
        np.testing.assert_allclose(full.sd, ref, rtol=1e-3)
        np.testing.assert_allclose(red.sd, ref * np.sqrt(red.variance_share), rtol=1e-3)
        assert np.all(red.variance_share < 1) and np.all(red.variance_share > 0)
        # the surrogate draws carry the remainder: their sd is the full one (MC error 4000 draws)
        np.testing.assert_allclose(full.surrogate.std(axis=0), ref, rtol=0.06)


def test_pce_remainder_matches_montecarlo_quantiles():
    """bea2002-sector at ±5%: PCE in 8 of 200+ coefficients plus the remainder gives the Monte
    Carlo sd and 95% range within a few percent; without the remainder it is far narrower."""
    table = load_table("bea2002-sector")
    mc = stochastic_summary_(table, "montecarlo")
    pc = stochastic_summary_(table, "pce")
    red = stochastic_summary_(table, "pce", pce_remainder="none")
    np.testing.assert_allclose(pc["sd"], mc["sd"], rtol=0.04)
    width = lambda df: (df["q975"] - df["q025"]).to_numpy()  # noqa: E731
    np.testing.assert_allclose(width(pc), width(mc), rtol=0.05)
    assert np.median(red["sd"] / mc["sd"]) < 0.9
    assert np.all(pc["pce_variance_share"] < 1) and np.all(pc["pce_coefficients"] > pc["pce_inputs"])


def stochastic_summary_(table, method, **kw):
    from iouq.stochastic import stochastic_summary

    return stochastic_summary(table, 0.05, "output_type1", "uniform", method, n_samples=8000, seed=7, **kw)


def test_pce_label_in_the_table():
    kw = dict(distributions=["uniform"], methods=["pce"], multipliers=["output_type1"], n_samples=2000, seed=1,
              pce_top_k=4, density_points=8, density_sectors=2)
    table = load_table("bea2002-sector")
    full, dens = stochastic_table(table, 0.01, **kw)
    red, dens_red = stochastic_table(table, 0.01, pce_remainder="none", **kw)
    assert set(full["method"]) == {"pce"} and set(red["method"]) == {"pce_top4"}
    assert "pce_top4" in set(dens_red["method"])


# ----------------------------------------------------------------------------- property: any chunking
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(dist=st.sampled_from(["uniform", "beta", "normal", "lognormal", "dirichlet"]),
       n=st.integers(min_value=2, max_value=1500), chunk=st.integers(min_value=1, max_value=1200),
       seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_common_draws_any_chunking_same_results(miernyk, dist, n, chunk, seed):
    """Over random sample counts, chunk sizes, seeds and distributions: identical samples and
    first-order terms to the single-chunk run (chunk_size only bounds memory)."""
    problems, models = _problems(miernyk, 0.05, dist)
    ref = montecarlo_common(problems, models, n, seed, chunk_size=BLOCK, law=False)
    got = montecarlo_common(problems, models, n, seed, chunk_size=chunk, law=False)
    for a, b in zip(ref, got):
        np.testing.assert_array_equal(a.samples, b.samples)
        np.testing.assert_array_equal(a.linear, b.linear)


@given(n=st.integers(1, 5), seed=st.integers(0, 2**32 - 1), scale=st.floats(0.05, 1.6),
       spread=st.floats(0.0, 0.8), signed=st.booleans())
@settings(max_examples=60, deadline=None, derandomize=True)
def test_dense_productivity_flags_equal_the_spectral_radius_test(n, seed, scale, spread, signed):
    """The productivity flag of a draw from its dense transposed perturbation (weighted column
    sums, then the exact fallback) is rho(M_s) < 1 by eigenvalues, for random small matrices
    (signed or not) and perturbations on both sides of the productivity limit."""
    from iouq.stochastic import Problem, _inverse, _Solver

    rng = np.random.default_rng(seed)
    M = rng.random((n, n))
    if signed:
        M -= 0.3
    M *= scale / max(np.max(np.abs(np.linalg.eigvals(np.abs(M)))), 1e-9) * 0.9
    model = coefficient_model(M, 0.5, "normal")
    problem = Problem("output_type1", M, n, "linear", np.ones(n), None, np.arange(n), [str(i) for i in range(n)])
    solver = _Solver(problem, model, _inverse(M) if np.max(np.abs(np.linalg.eigvals(M))) < 1 else np.eye(n))
    E = np.zeros((40, n, n))
    E[:, model.rows, model.cols] = spread * rng.standard_normal((40, model.size)) * np.abs(M[model.rows, model.cols])
    flags = solver.productive_dense(np.ascontiguousarray(E.transpose(0, 2, 1)))
    rho = np.array([np.max(np.abs(np.linalg.eigvals(M + E[s]))) for s in range(40)])
    clear = np.abs(rho - 1.0) > 1e-9  # leave rounding ties at the limit aside
    assert np.array_equal(flags[clear], (rho < 1.0)[clear])
