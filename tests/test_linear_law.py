"""The exact law of the first-order term and the quantile control variate, against independent
references: the Irwin-Hall closed form, direct numerical integration of the full product
characteristic function (scipy.integrate.quad, no series, no split), numerical convolution of
Beta(3, 3) densities, the normal closed form, and a large independent plain Monte Carlo run."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, stats
from scipy.special import ndtri

from iouq.distributions import coefficient_model
from iouq.linear_law import linear_law, unit_log_cf_series
from iouq.stochastic import _mc_stats, first_order_law, montecarlo, multiplier_problem, stochastic_summary
from iouq.tables import load_table


def irwin_hall_cdf(x: float, n: int) -> float:
    """CDF of the sum of n independent U(0, 1)."""
    return sum((-1) ** k * math.comb(n, k) * max(x - k, 0.0) ** n for k in range(n + 1)) / math.factorial(n)


@pytest.mark.parametrize("n", [5, 12])
def test_sum_of_equal_uniforms_is_irwin_hall(n: int) -> None:
    law = linear_law("uniform", [np.ones((n, 1))])  # sum of n U(-1, 1) = 2 IH_n - n
    assert law.ok[0]
    u = np.array([[-0.7 * n, -1.3, 0.0, 0.4, 0.6 * n]])
    F, _ = law.cdf_pdf(u)
    ref = [irwin_hall_cdf((x + n) / 2.0, n) for x in u[0]]
    np.testing.assert_allclose(F[0], ref, atol=1e-9)
    q, _ = law.quantile(0.975)
    assert irwin_hall_cdf((q[0] + n) / 2.0, n) == pytest.approx(0.975, abs=1e-9)


def _quad_cdf(w: np.ndarray, u: float, unit_cf) -> float:
    """Gil-Pelaez with the full product characteristic function, by adaptive quadrature."""
    sd = math.sqrt((w * w).sum() / 3.0)

    def integrand(t: float) -> float:
        return math.sin(t * u) / t * float(np.prod(unit_cf(w * t)))

    val, _ = integrate.quad(integrand, 0.0, 40.0 / sd, limit=2000, epsabs=1e-12, epsrel=1e-10)
    return 0.5 + val / math.pi


def test_mixed_weights_match_direct_integration() -> None:
    """Many small weights (series) and a few large ones (exact), several sizes of dominance."""
    rng = np.random.default_rng(3)
    W = rng.random((400, 3)) ** 4
    W[0, 0] = 6.0  # one coefficient carries about half the variance
    W[:4, 1] = 3.0
    law = linear_law("uniform", [W])
    assert law.ok.all() and (law.exact > 0).any()
    z = np.array([-2.0, -0.5, 1.0, 1.96])
    F, _ = law.cdf_pdf(law.sd[:, None] * z[None, :])
    for j in range(3):
        for i, zi in enumerate(z):
            ref = _quad_cdf(W[:, j], zi * law.sd[j], lambda x: np.sinc(x / math.pi))
            assert F[j, i] == pytest.approx(ref, abs=1e-7)


def test_beta_sum_matches_numerical_convolution() -> None:
    w = np.array([1.0, 0.8, 0.8, 0.5, 0.5, 0.5, 0.3, 0.3])
    law = linear_law("beta", [w[:, None]])
    assert law.ok[0]
    h = 1e-4
    dens = None
    for wk in w:  # density of wk (2 X - 1), X ~ Beta(3, 3), on the grid spacing
        x = np.arange(-wk, wk + h / 2, h)
        f = stats.beta.pdf((x / wk + 1.0) / 2.0, 3, 3) / (2.0 * wk)
        dens = f if dens is None else np.convolve(dens, f) * h
    xs = np.linspace(-w.sum(), w.sum(), dens.size)
    cdf = (np.cumsum(dens) - 0.5 * dens) * h  # midpoint rule
    cdf /= cdf[-1]
    for u in (-1.5, -0.4, 0.0, 0.9, 2.0):
        F, _ = law.cdf_pdf(np.array([[u]]))
        assert F[0, 0] == pytest.approx(np.interp(u, xs, cdf), abs=1e-8)


def test_normal_law_is_exact() -> None:
    w = np.array([[0.3], [1.2], [0.05]])
    law = linear_law("normal", [w])
    sd = math.sqrt((w**2).sum() / 3.0)
    assert law.sd[0] == pytest.approx(sd)
    q, f = law.quantile(0.025)
    assert q[0] == pytest.approx(ndtri(0.025) * sd, rel=1e-9)
    assert f[0] == pytest.approx(stats.norm.pdf(ndtri(0.025)) / sd, rel=1e-7)


def test_series_coefficients_start_with_the_cumulants() -> None:
    a = unit_log_cf_series("uniform")
    assert a[0] == pytest.approx(-1.0 / 6.0, rel=1e-6) and a[1] == pytest.approx(-1.0 / 180.0, rel=1e-3)
    assert unit_log_cf_series("beta")[0] == pytest.approx(-1.0 / 14.0, rel=1e-6)


def test_first_order_law_sd_matches_the_sampled_linear_term() -> None:
    """The law's sd against the sample sd of the first-order term drawn by the Monte Carlo code."""
    table = load_table("miernyk")
    for mult in ("output_type1", "income_type2"):
        problem = multiplier_problem(table, mult)
        model = coefficient_model(problem.M, 0.1, "uniform")
        law = first_order_law(problem, model)
        res = montecarlo(problem, model, 20000, seed=5, law=False)
        np.testing.assert_allclose(law.sd, res.linear.std(axis=0, ddof=1), rtol=0.03)
        for p in (0.025, 0.975):
            q, _ = law.quantile(p)
            np.testing.assert_allclose(q, np.quantile(res.linear, p, axis=0), atol=0.06 * law.sd.max())


@pytest.mark.parametrize("dist", ["uniform", "beta"])
def test_controlled_quantiles_agree_with_a_large_independent_run(dist: str) -> None:
    table = load_table("bea2002-sector")
    problem = multiplier_problem(table, "output_type1")
    model = coefficient_model(problem.M, 0.05, dist)
    small = _mc_stats(montecarlo(problem, model, 4000, seed=11))
    ref = _mc_stats(montecarlo(problem, model, 100_000, seed=12, law=False))  # plain quantiles
    for k in ("q025", "q975"):
        se = np.hypot(small["mc_se_" + k + "_cv"], ref["mc_se_" + k])
        assert np.all(np.abs(small[k + "_cv"] - ref[k]) <= 4.5 * se), k
        # the control variate reduces the standard error several-fold at this tolerance
        assert np.median(small["mc_se_" + k + "_cv"] / small["mc_se_" + k]) < 0.5


def test_control_variates_off_when_draws_are_rejected() -> None:
    df = stochastic_summary(load_table("miernyk"), 0.7, "output_type2", "normal", "montecarlo", n_samples=3000, seed=1)
    assert (df["rejection_rate"] > 0).all()
    np.testing.assert_array_equal(df["q025_cv"], df["q025"])
    np.testing.assert_array_equal(df["mean_cv"], df["mean"])


def test_controlled_quantile_error_is_never_zero() -> None:
    """Identical rankings (no disagreement in the sample) must not give a zero standard error."""
    from iouq.linear_law import controlled_quantile

    rng = np.random.default_rng(0)
    L = rng.standard_normal((2000, 1))
    Y = 1.0 + L  # a shifted copy: rho is exactly 1 in the sample
    q, se = controlled_quantile(Y, L, 0.975, np.array([ndtri(0.975)]), np.array([stats.norm.pdf(ndtri(0.975))]),
                                np.array([stats.norm.pdf(ndtri(0.975))]))
    assert q[0] == pytest.approx(1.0 + ndtri(0.975), abs=1e-12)  # exact for a shifted copy
    plain = math.sqrt(0.975 * 0.025 / 2000) / stats.norm.pdf(ndtri(0.975))
    assert 0.05 * plain < se[0] < plain
