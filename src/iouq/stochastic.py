"""West-style stochastic multiplier densities: perturbation moments, Monte Carlo, polynomial chaos.

The coefficients of the matrix a multiplier depends on are random (``A`` for ``output_type1``;
``A`` and the household income row ``h`` for ``income_type1``; the whole household-closed
matrix for the Type II multipliers), distributed as in :mod:`iouq.distributions` with a spread
tied to the tolerance ``t``. Zero coefficients stay zero.

Every multiplier is one of two kinds over a matrix ``M`` with ``B = (I - M)^-1``:

* *linear*: ``phi_j = w' B e_j`` (output multipliers: ``w`` = 1 on the producing sectors);
* *ratio*: ``psi_j = B_hj / M_hj`` with ``h`` the household row (income multipliers; for
  Type I ``M = [[A, 0], [h', 0]]`` so that ``B_hj = (h'L)_j``).

Perturbation (methods.md 2.2)
-----------------------------
With ``M = M̄ + E``, ``u = B̄'w`` and the column-block covariance of :class:`CoefficientModel`
(``Cov(col l) = diag(D_l) + c_l V_l V_l'``), write ``R_kl = D_kl u_k + c_l V_kl (V_l'u)``. Then,
for the linear kind (all in O(N^3) dense algebra, no solve inside a loop):

* first-order variance ``Var phi_j = sum_l (R'u)_l B_lj^2``;
* second-order mean ``E phi_j = phī_j + sum_l (sum_k B_lk R_kl) B_lj``;
* leading skewness ``kappa_3 = 3 g'ΩHΩg + sum_a kappa3_a g_a^3 + 3/2 sum_a kappa4_a g_a^2 H_aa``
  with ``g'ΩHΩg = 2 sum_l (R'u)_l B_lj (B R (B∘B))_lj``. The first term is the Gaussian
  quadratic-form cumulant; the others are the non-Gaussian corrections of independent
  coefficients (``kappa3`` is what makes the lognormal skewed; ``kappa4`` the uniform/beta
  flatness). Dirichlet columns add the third cumulant of each column's linear form
  ``2/((α+1)(α+2)) sum_k p_k (w_k - w̄)^3``; their fourth-cumulant correction is neglected.

The ratio kind adds the delta-method terms of ``N/x`` in the denominator coefficient ``x = M_hj``.
Densities: normal ``N(mean, sd)`` and a skewness-corrected Edgeworth density
``φ(z)(1 + γ/6 He_3(z))/sd`` (clipped at 0), quantiles by Cornish–Fisher
``mean + sd (z + γ (z^2 - 1)/6)``. These are *asymptotic* moments (for the normal distribution
the true moments of a multiplier do not exist; ten Raa & Steel 1994); at large tolerances they
drift away from Monte Carlo, which is reported, not hidden.

Monte Carlo
-----------
Only the multipliers are solved for: one transposed system ``(I - M)' y = w`` per draw, by the
fixed-point iteration ``y <- B̄'(w + E'y)``, started from the first-order term (which is also the
control variate below), on small cache-sized sub-batches of dense perturbations ``E`` (batched
vector-matrix products, converged per draw to machine precision, with the stopping rule using the
observed contraction rate; draws where it does not converge fall back to an LU solve). Bounded
distributions (uniform, beta) are certified productive once for the whole box. Independent
uniform draws on dense matrices (at least half the entries non-zero) take a fast path: 32 random
bits per matrix slot, ``u = (x + 1/2) 2^-32``, written straight into ``E``. Draws are made in
fixed blocks of :data:`BLOCK` samples, each with its own ``SFC64`` generator spawned from
``numpy.random.SeedSequence(seed)``; ``chunk_size`` only bounds memory (draws of at most
``chunk_size`` samples at a time), so results are identical whatever the chunk size.
Non-productive draws (possible for ``normal`` and ``lognormal``) are rejected and counted;
when most draws are rejected an :class:`IOUQError` is raised. Standard errors: of the mean
``sd/sqrt(N)``; of a quantile ``sqrt(p(1-p)/N)/f(q)`` with ``f`` a kernel density estimate.
The first-order perturbation term (mean exactly 0) is also used as a control variate
(``mean_cv``, ``mc_se_mean_cv``), and, for independent uniform, beta and normal coefficients, its
exact law (:mod:`iouq.linear_law`) as a control variate for the 2.5% and 97.5% quantiles
(``q025_cv``, ``q975_cv`` with ``mc_se_q025_cv``, ``mc_se_q975_cv``). The control variates are
used only when no draw was rejected; otherwise the ``*_cv`` columns repeat the plain estimates.

Polynomial chaos
----------------
A chaospy expansion (normed orthogonal polynomials, regression on scrambled Sobol points) of all
multipliers in the ``top_k`` most important coefficients (first-order variance share summed over
sectors; all of them when there are at most ``top_k``); the other coefficients are held at their
means, so the PCE variance is that of the selected coefficients. Mean and variance and the Sobol
indices are read off the coefficients (chaospy's ``Sens_*`` are far too slow); skewness,
quantiles and density from the surrogate evaluated on many draws.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.linalg
from scipy.special import ndtr, ndtri

from .distributions import (
    BOUNDED_ON_BOX,
    CORRELATED,
    CoefficientModel,
    check_distribution,
    coefficient_model,
    sample_values,
)
from .errors import IOUQError, NotProductiveError
from .interval import check_box_productive, critical_tolerance, interval_multiplier
from .linear_law import UNIT_LAWS, LinearLaw, controlled_quantile, linear_law
from .multipliers import MULTIPLIERS, check_multiplier
from .quantities import check_quantity, check_sat_tol, is_satellite, satellite_matrix, satellite_scale
from .table import IOTable, check_productive, spectral_radius

__all__ = [
    "METHODS",
    "BLOCK",
    "SUMMARY_COLUMNS",
    "DENSITY_COLUMNS",
    "Problem",
    "Moments",
    "MonteCarloResult",
    "multiplier_problem",
    "satellite_problem",
    "perturbation_moments",
    "perturbation_inverse_moments",
    "cornish_fisher_quantile",
    "edgeworth_density",
    "montecarlo",
    "montecarlo_common",
    "marginal_index",
    "pce",
    "pce_sobol",
    "stochastic_summary",
    "stochastic_densities",
    "stochastic_analysis",
    "stochastic_table",
]

METHODS: tuple[str, ...] = ("perturbation", "montecarlo", "pce")
#: Treatment of the coefficients outside the PCE (see :func:`pce`).
PCE_REMAINDERS: tuple[str, ...] = ("linear", "none")
#: Samples per random-number block (the unit of seed spawning; independent of chunk_size).
BLOCK: int = 1024
SUMMARY_COLUMNS: list[str] = ["sector", "mean", "sd", "skew", "q025", "q500", "q975", "n_samples", "mc_se_mean"]
EXTRA_COLUMNS: list[str] = [
    "mc_se_q025", "mc_se_q975", "mean_cv", "mc_se_mean_cv", "rejection_rate", "point", "pce_inputs",
    "q025_cv", "q975_cv", "mc_se_q025_cv", "mc_se_q975_cv", "pce_coefficients", "pce_variance_share", "flag",
]
#: Columns of the diagnostics file (``tol-{tol}_diagnostics.csv``).
DIAGNOSTIC_COLUMNS: list[str] = (["sector", "multiplier", "method", "distribution", "n_samples", "mc_se_mean"]
                                 + [c for c in EXTRA_COLUMNS if c != "flag"] + ["sample_min", "sample_max", "flag"])
DENSITY_COLUMNS: list[str] = ["sector", "multiplier", "method", "distribution", "x", "density"]
QUANTILES = (0.025, 0.5, 0.975)
#: Largest share of non-productive draws of an unbounded law (normal, lognormal) that Monte Carlo
#: accepts: beyond it the truncated law it samples no longer describes the stated one (a 2.5%
#: quantile moves by up to the cut mass). Rejected mass up to this share is reported (``rejection_rate``
#: and ``flag``).
MAX_REJECTION = 0.01
#: Distributions with unbounded support (non-productive draws are rejected and counted).
UNBOUNDED: frozenset[str] = frozenset({"normal", "lognormal"})
#: A standard deviation below this fraction of ``|point|`` is rounding noise: the distribution
#: is reported as degenerate (sd 0, no skewness, every quantile at the point).
DEGENERATE_RTOL = 1e-12
#: Share of the productivity limit (``tol / critical tolerance``) from which perturbation and PCE
#: rows of unbounded laws are flagged ``near_productivity_limit``.
NEAR_LIMIT = 0.5


# ============================================================================ problem setup
@dataclass(frozen=True)
class Problem:
    """A multiplier as a function of a matrix ``M``.

    Attributes
    ----------
    name : str
        Multiplier name.
    M : ndarray (N, N)
        The matrix whose non-zero entries are random.
    n : int
        Number of producing sectors.
    kind : {'linear', 'ratio'}
    w : ndarray (N,)
        Weights of the linear kind (``e_h`` for the ratio kind).
    h : int or None
        Household row (ratio kind).
    defined : ndarray of int
        Sectors where the multiplier is defined (``h_j != 0`` for income multipliers).
    sectors : list of str
        Codes of the defined sectors.
    """

    name: str
    M: np.ndarray
    n: int
    kind: str
    w: np.ndarray
    h: int | None
    defined: np.ndarray
    sectors: list[str]


def multiplier_problem(table: IOTable, multiplier: str) -> Problem:
    """The matrix and functional of ``multiplier`` (see the module docstring)."""
    check_multiplier(multiplier)
    n = table.n
    if multiplier == "output_type1":
        check_productive(table.A, f"table '{table.name}': A")
        return Problem(multiplier, np.array(table.A), n, "linear", np.ones(n), None, np.arange(n), list(table.sectors))
    table.require_households(f"the {multiplier} multiplier")
    if multiplier == "income_type1":
        M = np.zeros((n + 1, n + 1))
        M[:n, :n] = table.A
        M[n, :n] = table.household_income
        check_productive(table.A, f"table '{table.name}': A")
    else:
        M = table.closed_matrix()
        check_productive(M, f"table '{table.name}': the household-closed matrix")
    if multiplier == "output_type2":
        w = np.zeros(n + 1)
        w[:n] = 1.0
        return Problem(multiplier, M, n, "linear", w, None, np.arange(n), list(table.sectors))
    w = np.zeros(n + 1)
    w[n] = 1.0
    defined = np.flatnonzero(table.household_income != 0)
    return Problem(multiplier, M, n, "ratio", w, n, defined, [table.sectors[j] for j in defined])


def satellite_problem(table: IOTable, quantity: str, tol: float, sat_tol: float | None = None,
                      distribution: str = "uniform", correlation: float = 0.0) -> Problem:
    """The matrix and functional of a satellite quantity ``QUANTITY:ACCOUNT`` (:mod:`iouq.quantities`).

    The intensities ``s`` become the last row ``h`` of the bordered matrix
    (:func:`iouq.quantities.satellite_matrix`), so they are random like the coefficients: same
    distribution family, their spread tied to ``sat_tol`` (default ``tol``).

    * ``effect_type1/2`` is linear. When ``sat_tol = tol`` the weights are ``w = e_h``. Otherwise
      the draws of row ``h`` (spread ``tol``) are rescaled: with ``k = sat_tol / tol`` and the
      weights ``w = (1 - k) s̄ + k e_h`` the functional is ``((1 - k) s̄ + k s_draw)' L e_j``,
      and ``(1 - k) s̄ + k s_draw = s̄ + k (s_draw - s̄)`` has exactly the law of an intensity
      drawn at ``sat_tol`` for the location-scale families (uniform, beta, normal).
    * ``multiplier_type1/2`` is the ratio ``B_hj / M_hj`` (like the income multipliers); it needs
      ``sat_tol = tol``.

    Raises
    ------
    IOUQError
        For ``intensity`` (an input: its law is the chosen coefficient distribution itself), the
        ``dirichlet`` distribution (its column compositions would include the intensities), a
        within-column correlation, ``sat_tol != tol`` for the multipliers or the lognormal (whose
        shape depends on the tolerance), and ``tol = 0 < sat_tol``.
    """
    q = check_quantity(table, quantity)
    if not q.satellite:
        raise IOUQError(f"'{quantity}' is a multiplier; use multiplier_problem.")
    t = float(tol)
    t_s = check_sat_tol(sat_tol, t)
    if q.quantity == "intensity":
        raise IOUQError(
            f"{q.name}: the stochastic family does not analyse intensities themselves (their law is the chosen "
            "distribution on [s - t|s|, s + t|s|]); ask for effect_type1, multiplier_type1, effect_type2 or "
            "multiplier_type2."
        )
    if distribution == "dirichlet":
        raise IOUQError(
            f"{q.name}: the dirichlet distribution draws each column of A as a composition with its value-added "
            "share, which an intensity row is not part of; use uniform, beta, normal or lognormal for satellite "
            "quantities."
        )
    if correlation:
        raise IOUQError(f"{q.name}: within-column correlation is not available for satellite quantities; use 0.")
    same = t_s == t
    if not same and t == 0:
        raise IOUQError(f"{q.name}: --sat-tol > 0 with --tol 0 is not supported; give a tolerance > 0 or --sat-tol 0.")
    if not same and (q.ratio or distribution == "lognormal"):
        raise IOUQError(
            f"{q.name}: sat_tol ({t_s:g}) different from tol ({t:g}) is supported for the effects under uniform, "
            "beta and normal distributions only (the ratio multipliers and the lognormal shape depend on one "
            "common tolerance); set --sat-tol equal to --tol."
        )
    n = table.n
    sbar = table.intensity(q.account)
    scale = satellite_scale(sbar)
    M, h = satellite_matrix(table, q.account, q.type2, scale)
    check_productive(M[:h, :h], f"table '{table.name}'" + (": the household-closed matrix" if q.type2 else ": A"))
    if q.ratio:
        w = np.zeros(h + 1)
        w[h] = 1.0
        defined = np.flatnonzero(sbar != 0)
        return Problem(q.name, M, n, "ratio", w, h, defined, [table.sectors[j] for j in defined])
    k = t_s / t if t > 0 else 1.0
    w = np.zeros(h + 1)
    w[:n] = (1.0 - k) * sbar * scale
    w[h] = k
    w = w / scale  # undo the power-of-two scaling of the intensity row (exact)
    return Problem(q.name, M, n, "linear", w, None, np.arange(n), list(table.sectors))


def _inverse(M: np.ndarray) -> np.ndarray:
    N = M.shape[0]
    return scipy.linalg.solve(np.eye(N) - M, np.eye(N))


def _point(problem: Problem, B: np.ndarray) -> np.ndarray:
    d = problem.defined
    if problem.kind == "linear":
        return (problem.w @ B)[d]
    return B[problem.h, d] / problem.M[problem.h, d]


# ============================================================================ perturbation
@dataclass(frozen=True)
class Moments:
    """Perturbation moments of a multiplier, per defined sector.

    Attributes
    ----------
    point : ndarray
        Value at the mean coefficients.
    mean : ndarray
        Second-order mean (point + bias).
    sd : ndarray
        First-order standard deviation.
    skew : ndarray
        Leading-order skewness ``kappa_3 / sd^3``.
    """

    point: np.ndarray
    mean: np.ndarray
    sd: np.ndarray
    skew: np.ndarray


def _dirichlet_kappa3(model: CoefficientModel, Wt: np.ndarray) -> np.ndarray:
    """Third cumulant of each column's linear form ``sum_k Wt_kl a_kl`` under the dirichlet model.

    ``Wt`` (N, L) holds the weights of the coefficients of the columns ``model``-columns given
    by the last axis (same column order as ``model.center``'s columns).
    """
    T, rem, alpha = model.total, model.remainder, model.alpha
    P = np.abs(model.center) / T
    S = np.sign(model.center)
    W = Wt * S * T  # weights on the shares
    wbar = (P * W).sum(axis=0)
    with np.errstate(invalid="ignore"):
        fac = np.where(np.isfinite(alpha), 2.0 / ((alpha + 1.0) * (alpha + 2.0)), 0.0)
    return fac * ((P * (W - wbar) ** 3).sum(axis=0) + rem * (-wbar) ** 3)


def _moments_from(problem: Problem, model: CoefficientModel, B: np.ndarray) -> Moments:
    """Closed-form perturbation moments (see module docstring), O(N^3)."""
    u = B.T @ problem.w
    D, V, cs = model.var_diag, model.rank1, model.rank1_sign
    K3, K4 = model.kappa3, model.kappa4
    R = D * u[:, None] + V * (cs * (V.T @ u))[None, :]
    alpha = R.T @ u
    B2 = B * B
    B3 = B2 * B
    var_n = alpha @ B2
    gamma = np.einsum("lk,kl->l", B, R)
    bias_n = gamma @ B
    beta = R @ B2
    Bbeta = B @ beta
    yhy = 2.0 * alpha @ (B * Bbeta)
    u3 = u**3
    lin3 = (K3.T @ u3) @ B3
    k4t = 3.0 * (((K4 * B.T).T @ u3) @ B3)
    dirichlet = model.distribution == "dirichlet"
    if dirichlet:
        lin3 = lin3 + _dirichlet_kappa3(model, np.broadcast_to(u[:, None], B.shape)) @ B3
    if problem.kind == "linear":
        point = u
        mean = point + bias_n
        var = var_n
        k3 = 3.0 * yhy + lin3 + k4t
    else:
        h = problem.h
        N = B.shape[0]
        j = np.arange(N)
        x = problem.M[h, :]
        ok = x != 0
        xs = np.where(ok, x, 1.0)
        Nbar = B[h, :]
        c = Nbar / xs**2
        Bjj = np.diag(B)
        cov_nx = R[h, :] * Bjj
        var_x = D[h, :] + cs * V[h, :] ** 2
        var = var_n / xs**2 - 2.0 * c * cov_nx / xs + c**2 * var_x
        mean = Nbar / xs + bias_n / xs - cov_nx / xs**2 + Nbar * var_x / xs**3
        point = Nbar / xs
        # Gaussian quadratic-form part
        BV = B @ V
        zu = D[h, :] * u[h] + cs * V[h, :] * (V.T @ u)
        alphaB = alpha[:, None] * B
        sum_aBBz = D[h, :] * (alphaB.T @ B[:, h]) + cs * V[h, :] * (alphaB * BV).sum(axis=0)
        yhz = zu * np.diag(Bbeta) + Bjj * sum_aBBz
        Bjz = D[h, :] * B[j, h] + cs * V[h, :] * np.diag(BV)
        zhz = 2.0 * Bjj * zu * Bjz
        yHny = yhy / xs**2 - 2.0 * c * yhz / xs + c**2 * zhz
        gy = var_n / xs - c * cov_nx
        ey = cov_nx / xs - c * var_x
        f_nx, f_xx = -1.0 / xs**2, 2.0 * Nbar / xs**3
        yHy = yHny / xs + 2.0 * f_nx * gy * ey + f_xx * ey**2
        # non-Gaussian corrections: all coefficients scale by 1/x except the denominator one
        ge = u[h] * Bjj
        Ge = ge / xs - c
        Hee = 2.0 * u[h] * B[j, h] * Bjj
        lin3r = lin3 / xs**3 + K3[h, :] * (Ge**3 - (ge / xs) ** 3)
        k4r = k4t / xs**3 + 1.5 * K4[h, :] * (
            Ge**2 * (Hee / xs + 2.0 * f_nx * ge + f_xx) - (ge / xs) ** 2 * Hee / xs
        )
        if dirichlet:
            # column j of the ratio: weights u_k B_jj / x_j - c_j [k == h]
            Wt = u[:, None] * (Bjj / xs)[None, :]
            Wt[h, :] -= c
            col_exact = _dirichlet_kappa3(model, Wt)
            col_used = _dirichlet_kappa3(model, np.broadcast_to(u[:, None], B.shape)) * (Bjj / xs) ** 3
            lin3r = lin3r + col_exact - col_used
        k3 = 3.0 * yHy + lin3r + k4r
    d = problem.defined
    var = np.maximum(var[d], 0.0)
    sd = np.sqrt(var)
    with np.errstate(divide="ignore", invalid="ignore"):
        skew = np.where(sd > 0, k3[d] / np.where(sd > 0, sd, 1.0) ** 3, 0.0)
    return Moments(point=point[d], mean=mean[d], sd=sd, skew=skew)


def perturbation_moments(problem: Problem, model: CoefficientModel) -> Moments:
    """Perturbation (West-type) moments of ``problem``'s multiplier under ``model``.

    One LU factorisation and a few dense matrix products: O(N^3).
    """
    return _moments_from(problem, model, _inverse(problem.M))


def perturbation_inverse_moments(M: np.ndarray, variances: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Second-order mean and first-order sd of every element of ``L = (I - M)^-1`` for
    independent coefficients with the given variances (methods.md 2.2).

    Returns
    -------
    mean, sd : ndarray (N, N)
        ``E[L] ≈ B̄ + B̄ (Σ ∘ B̄') B̄`` and ``Var(L) ≈ (B̄∘B̄) Σ (B̄∘B̄)``.
    """
    B = _inverse(np.asarray(M, dtype=float))
    S = np.asarray(variances, dtype=float)
    mean = B + B @ (S * B.T) @ B
    var = (B * B) @ S @ (B * B)
    return mean, np.sqrt(var)


def cornish_fisher_quantile(mean: np.ndarray, sd: np.ndarray, skew: np.ndarray, p: float) -> np.ndarray:
    """Cornish–Fisher quantile with the skewness term: ``mean + sd (z + γ (z^2 - 1)/6)``."""
    z = float(ndtri(p))
    return mean + sd * (z + skew * (z * z - 1.0) / 6.0)


def edgeworth_density(x: np.ndarray, mean: float, sd: float, skew: float) -> np.ndarray:
    """First-order Edgeworth density ``φ(z)(1 + γ He_3(z)/6)/sd``, clipped at zero."""
    if sd <= 0:
        return np.zeros_like(x)
    z = (x - mean) / sd
    phi = np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)
    return np.maximum(phi * (1.0 + skew * (z**3 - 3.0 * z) / 6.0), 0.0) / sd


def normal_density(x: np.ndarray, mean: float, sd: float) -> np.ndarray:
    """Normal density (zeros when ``sd == 0``)."""
    if sd <= 0:
        return np.zeros_like(x)
    z = (x - mean) / sd
    return np.exp(-0.5 * z * z) / (math.sqrt(2.0 * math.pi) * sd)


# ============================================================================ Monte Carlo
@dataclass
class MonteCarloResult:
    """Monte Carlo samples of one multiplier.

    Attributes
    ----------
    samples : ndarray (n_accepted, n_defined)
        Multiplier values of the accepted draws, in draw order.
    linear : ndarray (n_accepted, n_defined)
        First-order perturbation term of each draw (exact mean 0; control variate).
    n_drawn, n_rejected : int
    draw_seconds, solve_seconds : float
    law : LinearLaw or None
        Exact law of the first-order terms (independent uniform, beta or normal coefficients),
        for the quantile control variate.
    """

    samples: np.ndarray
    linear: np.ndarray
    n_drawn: int
    n_rejected: int
    draw_seconds: float = 0.0
    solve_seconds: float = 0.0
    extra: dict = field(default_factory=dict)
    law: LinearLaw | None = None

    @property
    def rejection_rate(self) -> float:
        return self.n_rejected / self.n_drawn if self.n_drawn else 0.0


def check_samples(n_samples: int, what: str = "sample count") -> int:
    """Validate a positive integer sample count."""
    try:
        n = int(n_samples)
    except (TypeError, ValueError):
        raise IOUQError(f"{what} must be a positive integer, got {n_samples!r}.") from None
    if n != n_samples or n <= 0:
        raise IOUQError(f"{what} must be a positive integer (e.g. 20000), got {n_samples!r}.")
    return n


def check_seed(seed: int) -> int:
    """Validate a non-negative integer seed."""
    try:
        s = int(seed)
    except (TypeError, ValueError):
        raise IOUQError(f"seed must be a non-negative integer, got {seed!r}.") from None
    if s != seed or s < 0:
        raise IOUQError(f"seed must be a non-negative integer, got {seed!r}.")
    return s


#: Bytes of perturbation matrices solved together (kept in cache); does not change any result.
_SUB_BYTES: int = 6 << 20
#: Stop when the predicted error of the last iterate is below this fraction of its largest entry.
_RTOL: float = 1e-15


class _Solver:
    """Solves ``(I - M)' y = w`` for many draws of the perturbed coefficients of ``M``.

    The draws are handled in small sub-batches whose dense perturbations stay in cache; each
    draw's iteration ``y <- y0 + (y E) B̄`` depends on that draw only (batched matrix-vector
    products, converged draws frozen), so results do not depend on the batching.

    The perturbation buffers hold the *transposed* perturbations ``Et[s] = E_s'`` (sub, N, N):
    the coefficients come column by column, so their flat positions ``col * N + row`` in
    ``Et`` increase and filling a buffer is a forward scatter (a row-major ``E`` made it a
    strided one that cost as much as the solve).
    """

    def __init__(self, problem: Problem, model: CoefficientModel, B: np.ndarray) -> None:
        self.problem, self.model, self.B = problem, model, B
        self.y0 = B.T @ problem.w
        self.rows, self.cols = model.rows, model.cols
        self.a = model.center[model.rows, model.cols]
        self.ucols, self.starts = np.unique(self.cols, return_index=True)
        N = B.shape[0]
        self.N = N
        self.lin = self.cols * N + self.rows  # flat positions of the perturbed coefficients in Et = E'
        # sub-batch: a power of two dividing BLOCK, its perturbations within _SUB_BYTES
        fit = max(1, _SUB_BYTES // (8 * N * N)) if N else BLOCK
        self.sub = min(BLOCK, 1 << (fit.bit_length() - 1))
        # weighted column-sum certificate of productivity: v > 0 with v'|M̄| = v - 1
        absM = np.abs(model.center)
        self.v = None
        if spectral_radius(absM) < 1:
            v = scipy.linalg.solve(np.eye(N) - absM.T, np.ones(N))
            if np.all(v > 0):
                self.v = v
                self.vcol = v @ absM  # = v - 1
        # bounded distributions: |M_s| <= (1 + t)|M̄| for every draw, so one certificate covers all
        self.box_productive = False
        if model.distribution in BOUNDED_ON_BOX and N:
            P = (1.0 + model.tol) * absM
            try:
                z = scipy.linalg.solve(np.eye(N) - P.T, np.ones(N))
                self.box_productive = bool(np.all(np.isfinite(z)) and np.all(z > 0))
            except (np.linalg.LinAlgError, ValueError):
                pass

    def _colsum(self, X: np.ndarray) -> np.ndarray:
        """``out[s, l] = sum over perturbed (k, l) of X[s, idx]`` for the perturbed columns."""
        N = self.B.shape[0]
        out = np.zeros((X.shape[0], N))
        if X.shape[1]:
            out[:, self.ucols] = np.add.reduceat(X, self.starts, axis=1)
        return out

    def buffer(self, size: int) -> np.ndarray:
        """A zeroed (transposed) perturbation buffer (size, N, N)."""
        return np.zeros((max(1, min(self.sub, size)), self.N, self.N))

    def solve_E(self, Et: np.ndarray, max_iter: int = 200) -> tuple[np.ndarray, np.ndarray]:
        """Solve for the dense transposed perturbations ``Et`` (k, N, N) (``M_s = M̄ + Et_s'``).

        Returns ``y`` (k, N) and the first-order term ``y0' E B̄`` (k, N).
        """
        k = Et.shape[0]
        B, y0 = self.B, self.y0
        with np.errstate(over="ignore", invalid="ignore"):
            d1 = np.matmul(Et, y0) @ B  # first iteration from y0 = the first-order term
            y = y0 + d1
            dprev = np.max(np.abs(d1), axis=1)
            rprev = np.ones(k)
            done = np.zeros(k, dtype=bool)
            for _ in range(max_iter):
                if not k:
                    break
                # each draw's iterate depends on that draw only; converged draws are frozen, so the
                # result of a draw does not depend on the other draws in the sub-batch
                ynew = y0 + np.matmul(Et, y[:, :, None])[:, :, 0] @ B
                diff = np.max(np.abs(ynew - y), axis=1)
                scale = np.max(np.abs(ynew), axis=1)
                ratio = np.where(dprev > 0, diff / np.where(dprev > 0, dprev, 1.0), 0.0)
                # linear convergence with contraction c: the error of ynew is about c/(1-c) diff
                c = np.maximum(ratio, rprev)
                conv = (diff <= _RTOL * scale) | ((c <= 0.5) & (c * diff <= 0.5 * _RTOL * scale))
                bad = ~np.isfinite(diff) | (diff > 1e6 * np.maximum(scale, 1.0))
                upd = ~done & ~bad
                y[upd] = ynew[upd]
                dprev = np.where(upd, diff, dprev)
                rprev = np.where(upd, ratio, rprev)
                done |= upd & conv
                if np.all(done | bad):
                    break
        for s in np.flatnonzero(~done):  # rare: no convergence (draw far from M̄) -> direct solve
            Ms = self.model.center + Et[s].T
            try:
                y[s] = scipy.linalg.solve(np.eye(Ms.shape[0]) - Ms.T, self.problem.w)
            except (np.linalg.LinAlgError, ValueError):
                y[s] = np.nan
        return y, d1

    def fill(self, E: np.ndarray, vals: np.ndarray) -> np.ndarray:
        """Write the perturbations of ``vals`` (k, size) into the zeroed (transposed) buffer ``E`` (>= k draws)."""
        k = vals.shape[0]
        Ek = E[:k]
        Ek.reshape(k, -1)[:, self.lin] = vals - self.a
        return Ek

    def solve(self, vals: np.ndarray, max_iter: int = 200) -> tuple[np.ndarray, np.ndarray]:
        """Return ``y`` (size, N) with ``(I - M_s)' y_s = w`` and a productivity flag per draw."""
        size = vals.shape[0]
        y = np.empty((size, self.N))
        E = self.buffer(size)
        for i in range(0, size, self.sub):
            y[i : i + self.sub] = self.solve_E(self.fill(E, vals[i : i + self.sub]), max_iter)[0]
        return y, self.productive(vals)

    def productive(self, vals: np.ndarray, perturbations: bool = False) -> np.ndarray:
        """Productivity flag per draw (all certified at once for bounded distributions).

        ``vals`` are the drawn coefficients, or their perturbations from the centre when
        ``perturbations`` is true."""
        if self.box_productive:
            return np.ones(vals.shape[0], dtype=bool)
        return self._productive(vals, perturbations)

    #: Bytes of the draws certified at a time (kept in cache; does not change any result).
    _CERT_BYTES: int = 4 << 20

    def productive_dense(self, Et: np.ndarray) -> np.ndarray:
        """Productivity flag per draw from dense transposed perturbations ``Et`` (m, N, N):
        the weighted column sums ``v'|M_s| < v`` (in cache-sized blocks), the exact test else."""
        m, N = Et.shape[0], self.N
        if self.box_productive:
            return np.ones(m, dtype=bool)
        ok = np.zeros(m, dtype=bool)
        if self.v is not None and m:
            blk = max(1, self._CERT_BYTES // (8 * max(N * N, 1)))
            buf = np.empty((min(blk, m), N, N))
            CT = self.model.center.T
            for r in range(0, m, blk):
                b = buf[: min(blk, m - r)]
                np.add(Et[r : r + blk], CT, out=b)
                np.abs(b, out=b)
                ok[r : r + blk] = np.all(b @ self.v < self.v, axis=1)  # (|Et_s| v)_l = (v'|M_s|)_l
        for s in np.flatnonzero(~ok):
            ok[s] = self._exact_productive(self.model.center + Et[s].T)
        self.n_exact_checks = getattr(self, "n_exact_checks", 0) + int((~ok).sum())
        return ok

    @staticmethod
    def _exact_productive(Ms: np.ndarray) -> bool:
        """``rho(M_s) < 1``: ``(I - |M|)' z = 1`` with ``z > 0`` proves ``rho(|M|) < 1``, else the
        spectral radius itself."""
        if not np.all(np.isfinite(Ms)):
            return False
        N = Ms.shape[0]
        try:
            z = scipy.linalg.solve(np.eye(N) - np.abs(Ms).T, np.ones(N), check_finite=False)
            if np.all(z > 0):
                return True
        except (np.linalg.LinAlgError, ValueError):
            pass
        return bool(spectral_radius(Ms) < 1.0)

    def _productive(self, vals: np.ndarray, perturbations: bool = False) -> np.ndarray:
        """Certify ``rho(M_s) < 1`` per draw: cheap weighted column sums first, exact test else."""
        size = vals.shape[0]
        ok = np.zeros(size, dtype=bool)
        if self.v is not None and size:
            # v'|M_s| < v column by column, in cache-sized row blocks without full-size temporaries
            K = vals.shape[1]
            blk = max(1, self._CERT_BYTES // (8 * max(K, 1)))
            buf = np.empty((min(blk, size), K))
            absa, vr = np.abs(self.a), self.v[self.rows]
            for r in range(0, size, blk):
                b = buf[: min(blk, size - r)]
                if perturbations:
                    np.add(vals[r : r + blk], self.a, out=b)
                    np.abs(b, out=b)
                else:
                    np.abs(vals[r : r + blk], out=b)
                b -= absa
                b *= vr
                ok[r : r + blk] = np.all(self.vcol + self._colsum(b) < self.v, axis=1)
        for s in np.flatnonzero(~ok):
            Ms = self.model.center.copy()
            Ms[self.rows, self.cols] = vals[s] + self.a if perturbations else vals[s]
            ok[s] = self._exact_productive(Ms)
        self.n_exact_checks = getattr(self, "n_exact_checks", 0) + int((~ok).sum())
        return ok


def first_order_law(problem: Problem, model: CoefficientModel, B: np.ndarray | None = None,
                    block_entries: int = 1 << 21) -> LinearLaw | None:
    """Exact law of the first-order term ``L_j`` of every defined multiplier (see :mod:`iouq.linear_law`).

    ``L_j = sum_(k,l) c_(kl),j E_kl`` with ``c = u_k B_lj`` (linear kind, ``u = B'w``) and, for the
    ratio kind, ``c = u_k B_lj / x_j`` plus ``-B_hj / x_j^2`` on the denominator coefficient
    ``(h, j)``. Returns None when the coefficients are not independent draws of a symmetric unit
    law (``dirichlet``, ``lognormal``, within-column correlation).
    """
    if model.distribution not in UNIT_LAWS or model.correlation > 0:
        return None
    if B is None:
        B = _inverse(problem.M)
    d = problem.defined
    rows, cols = model.rows, model.cols
    u = B.T @ problem.w
    r = model.tol * np.abs(model.center[rows, cols])
    left = u[rows] * r
    xs = problem.M[problem.h, d] if problem.kind == "ratio" else None
    K = rows.size
    step = max(1, block_entries // max(K, 1))

    in_h = {int(cols[k]): k for k in np.flatnonzero(rows == problem.h)} if xs is not None else {}

    def blocks():
        for s0 in range(0, d.size, step):
            dj = d[s0 : s0 + step]
            C = left[:, None] * B[np.ix_(cols, dj)]
            if xs is not None:
                x = xs[s0 : s0 + step]
                C /= x[None, :]
                for c, j in enumerate(dj):  # the denominator coefficient (h, j)
                    k = in_h.get(int(j))
                    if k is not None:
                        C[k, c] -= r[k] * B[problem.h, j] / x[c] ** 2
            yield C

    return linear_law(model.distribution, blocks())


def _progress(total: int, progress: bool | None, desc: str):
    from tqdm.auto import tqdm

    disable = (not sys.stderr.isatty()) if progress is None else (not progress)
    return tqdm(total=total, desc=desc, unit="draw", disable=disable, leave=False)


def _raw_uniform(model: CoefficientModel):
    """Fast path of independent uniform draws: ``eps = c1 x + c0`` from 32 random bits ``x`` per slot.

    Returns ``(words, c1, c0)`` (64-bit words per draw; coefficients over the flattened dense
    matrix, zero where the coefficient is not perturbed) or None when the draws go through
    :func:`iouq.distributions.sample_values` (other distributions, correlation, sparse matrices).
    ``u = (x + 1/2) 2^-32`` is uniform on (0, 1) with 32-bit resolution and
    ``eps = r (2u - 1)`` uniform on the box ``[-r, r]``, ``r = t|a|``.
    """
    plan = _dense_plan(model)
    if plan is None or plan[0] != "uniform":
        return None
    N = model.center.shape[0]
    return -(-N * N // 2), plan[1], plan[2]


def montecarlo(problem: Problem, model: CoefficientModel, n_samples: int = 20000, seed: int = 0,
               chunk_size: int = 1024, progress: bool | None = None, law: bool = True) -> MonteCarloResult:
    """Monte Carlo samples of the multiplier of ``problem`` under ``model``.

    Parameters
    ----------
    problem : Problem
    model : CoefficientModel
    n_samples : int
        Number of draws (accepted ones may be fewer: non-productive draws are rejected).
    seed : int
        Seed of ``numpy.random.SeedSequence``; one child per block of :data:`BLOCK` draws.
    chunk_size : int
        Draws processed at a time (bounds memory); does not change the result.
    progress : bool or None
        Show a tqdm progress bar (None: only when stderr is a terminal).
    law : bool
        Also compute the exact law of the first-order term (:func:`first_order_law`) for the
        quantile control variate (when no draw was rejected and the distribution allows it).

    Raises
    ------
    IOUQError
        Bad sample count, seed or chunk size; more than half of the draws non-productive.
    """
    import time

    n_samples = check_samples(n_samples)
    seed = check_seed(seed)
    chunk_size = check_samples(chunk_size, "chunk size")
    check_law_productive(problem, model)
    B = _inverse(problem.M)
    solver = _Solver(problem, model, B)
    n_blocks = -(-n_samples // BLOCK)
    children = np.random.SeedSequence(seed).spawn(n_blocks)
    d = problem.defined
    h = problem.h
    N = problem.M.shape[0]
    xbar = problem.M[h, :] if h is not None else None
    fast = _raw_uniform(model)
    if fast is not None:
        words, c1, c0 = fast
    sub = solver.sub
    # fixed-shape sub-batches aligned to the block: every draw is solved at the same row of the same
    # matrix shapes whatever the chunking (BLAS rounding can depend on both), so results are identical
    E = np.zeros((sub, N, N))
    Eflat = E.reshape(sub, -1)
    out, lin = [], []
    t_draw = t_solve = 0.0
    n_rej = 0
    with _progress(n_samples, progress, f"{problem.name} {model.distribution}") as bar:
        for b in range(n_blocks):
            bitgen = np.random.SFC64(children[b])
            rng = np.random.Generator(bitgen)
            bsize = min(BLOCK, n_samples - b * BLOCK)
            for start in range(0, bsize, chunk_size):
                m = min(chunk_size, bsize - start)
                t0 = time.perf_counter()
                if fast is not None:
                    # uniform: 32 random bits per coefficient slot of the dense matrix, one word per two
                    bits = bitgen.random_raw(m * words).reshape(m, words).view(np.uint32)[:, : N * N]
                    vals = None
                else:
                    vals = sample_values(model, rng, m)
                    ok = solver.productive(vals)
                t1 = time.perf_counter()
                td = t1 - t0
                phi = np.empty((m, d.size))
                L = np.empty((m, d.size))
                for g in range((start // sub) * sub, start + m, sub):
                    lo, hi = max(g, start), min(g + sub, start + m)
                    r0, k, ci = lo - g, hi - lo, lo - start
                    ta = time.perf_counter()
                    if fast is not None:
                        np.multiply(bits[ci : ci + k], c1, out=Eflat[r0 : r0 + k])
                        Eflat[r0 : r0 + k] += c0
                    else:
                        Eflat[r0 : r0 + k, solver.lin] = vals[ci : ci + k] - solver.a
                    tb = time.perf_counter()
                    td += tb - ta
                    y, d1 = solver.solve_E(E)
                    phi[ci : ci + k], L[ci : ci + k] = _multiplier_terms(
                        problem, y[r0 : r0 + k], d1[r0 : r0 + k], E[r0 : r0 + k], B, xbar)
                if fast is not None:
                    ok = np.ones(m, dtype=bool)
                    if not solver.box_productive:
                        Ef = bits * c1
                        Ef += c0
                        ok = solver.productive(Ef[:, solver.lin], perturbations=True)
                good = ok & np.all(np.isfinite(phi), axis=1)
                t_solve += time.perf_counter() - t1 - (td - (t1 - t0))
                t_draw += td
                n_rej += int(m - good.sum())
                out.append(phi[good])
                lin.append(L[good])
                bar.update(m)
    res = MonteCarloResult(
        samples=np.concatenate(out), linear=np.concatenate(lin), n_drawn=n_samples, n_rejected=n_rej,
        draw_seconds=t_draw, solve_seconds=t_solve,
        law=first_order_law(problem, model, B) if (law and n_rej == 0) else None,
    )
    _check_rejections(res, problem, model)
    return res


def _check_rejections(res: MonteCarloResult, problem: Problem, model: CoefficientModel) -> None:
    """Refuse a Monte Carlo sample that no longer describes the stated law: any rejected draw of
    a bounded law, or more than :data:`MAX_REJECTION` of an unbounded one."""
    if res.n_rejected and model.distribution not in UNBOUNDED:
        raise IOUQError(
            f"{res.n_rejected} of the {res.n_drawn} {model.distribution} draws at tolerance {model.tol:g} make the "
            f"economy non-productive ({problem.name}): this bounded law puts mass on non-productive economies, so "
            "no sample describes it. Use a smaller tolerance."
        )
    if res.rejection_rate > MAX_REJECTION:
        raise IOUQError(
            f"{100 * res.rejection_rate:.2f}% of the {model.distribution} draws at tolerance {model.tol:g} "
            f"make the economy non-productive ({problem.name}), more than the {100 * MAX_REJECTION:g}% that "
            "Monte Carlo accepts: the truncated sample would describe the rejection rule, not the stated law. "
            f"Use a tolerance below the productivity limit {critical_tolerance(problem.M):.6g}, or a bounded "
            "distribution (uniform, beta, dirichlet)."
        )


def check_law_productive(problem: Problem, model: CoefficientModel) -> None:
    """Refuse a bounded law on the box (uniform, beta) whose box leaves the productive region.

    Such a law puts mass on non-productive economies, where the multipliers do not exist, so no
    Monte Carlo, perturbation or PCE result describes it. Raises
    :class:`~iouq.errors.BoxNotProductiveError` naming the tolerance where productivity is lost.
    """
    if model.distribution in BOUNDED_ON_BOX and model.tol > 0 and model.size:
        what = f"{problem.name} ({model.distribution} coefficients on the ±{100 * model.tol:g}% box)"
        check_box_productive(problem.M, model.tol, what)


# ============================================================================ common random numbers
def marginal_index(joint: CoefficientModel, model: CoefficientModel) -> np.ndarray | None:
    """Positions of ``model``'s coefficients in ``joint``'s coefficient vector, when ``model``'s
    law is exactly the marginal of ``joint``'s on those coefficients; else None.

    Independent laws (uniform, beta, normal, lognormal) only need the same distribution,
    tolerance and centre values; the within-column copula keeps an equicorrelated column
    equicorrelated on any subset. A dirichlet column is a composition of the *whole* column
    with its own concentration, so every perturbed column of ``model`` must hold exactly the
    coefficients of ``joint``'s column, with the same total, remainder and concentration
    (true for the columns of the household-closed matrix shared by ``income_type1``,
    ``output_type2`` and ``income_type2``; not for ``A`` alone, whose remainder includes the
    household income share).
    """
    if (joint.distribution, joint.tol, joint.correlation) != (model.distribution, model.tol, model.correlation):
        return None
    NJ, N = joint.center.shape[0], model.center.shape[0]
    if N > NJ:
        return None
    pos = np.full((NJ, NJ), -1, dtype=np.int64)
    pos[joint.rows, joint.cols] = np.arange(joint.size)
    idx = pos[model.rows, model.cols]
    if np.any(idx < 0) or not np.array_equal(joint.center[model.rows, model.cols], model.center[model.rows, model.cols]):
        return None
    if model.distribution == "dirichlet":
        cols = np.unique(model.cols)
        if not np.array_equal(np.bincount(model.cols, minlength=NJ)[cols], np.bincount(joint.cols, minlength=NJ)[cols]):
            return None
        for attr in ("total", "remainder", "alpha"):
            if not np.array_equal(getattr(joint, attr)[cols], getattr(model, attr)[cols]):
                return None
    return idx


def _dense_plan(model: CoefficientModel) -> tuple[str, np.ndarray, np.ndarray] | None:
    """How to draw the perturbations of ``model`` straight into the dense transposed layout of
    :class:`_Solver` (slot ``col * N + row``; zero scale on the slots of fixed coefficients).

    * ``("uniform", c1, c0)``: ``eps = c1 x + c0`` from 32 random bits ``x`` per slot;
      ``u = (x + 1/2) 2^-32`` is uniform on (0, 1) with 32-bit resolution and
      ``eps = r (2u - 1)`` is uniform on ``[-r, r]``, ``r = t|a|``.
    * ``("normal", scale, 0)``: ``eps = scale z`` with standard normals ``z``, ``scale = r / sqrt 3``.

    None for the other laws (drawn by :func:`iouq.distributions.sample_values` in coefficient
    order), within-column correlation, tolerance 0, and sparse matrices (less than half of the
    slots perturbed: the dense draws would be mostly wasted).
    """
    N = model.center.shape[0]
    if model.correlation > 0 or model.tol == 0 or model.size == 0 or model.size < 0.5 * N * N:
        return None
    r = np.zeros(N * N)
    r[model.cols * N + model.rows] = model.tol * np.abs(model.center[model.rows, model.cols])
    if model.distribution == "uniform":
        return "uniform", r * 2.0**-31, r * 2.0**-32 - r
    if model.distribution == "normal":
        return "normal", r / math.sqrt(3.0), np.zeros(0)
    return None


def montecarlo_common(problems: list[Problem], models: list[CoefficientModel], n_samples: int = 20000,
                      seed: int = 0, chunk_size: int = 1024, progress: bool | None = None,
                      law: bool = True, log=None) -> list[MonteCarloResult]:
    """Monte Carlo of several multipliers on common random numbers (the same coefficient draws).

    The problems are grouped: each group shares one *joint* coefficient model (the largest
    matrix first, e.g. the household-closed matrix), and a problem joins a group when its law
    is exactly the marginal of the joint one (:func:`marginal_index`); otherwise it starts its
    own group. The coefficients are drawn once per group, in fixed blocks of :data:`BLOCK`
    draws with one ``SFC64`` generator per block spawned from ``SeedSequence(seed)`` (group
    ``g`` uses the ``g``-th spawned sequence), and every multiplier of the group is evaluated
    on the same draws, so multipliers are comparable draw by draw and the drawing cost is paid
    once. Each problem keeps its own productivity check (a draw rejected for one multiplier is
    not rejected for another whose matrix is productive). ``chunk_size`` only bounds memory:
    results are identical for every chunk size.

    Parameters
    ----------
    problems, models : list
        One :class:`Problem` and its :class:`CoefficientModel` per multiplier.
    n_samples, seed, chunk_size, progress, law
        As in :func:`montecarlo`.
    log : logging.Logger, optional
        Receives one line per group (multipliers, drawing and solving time).

    Returns
    -------
    list of MonteCarloResult
        In the order of ``problems``; ``draw_seconds`` is the group's (shared) drawing time.

    References
    ----------
    Glasserman, P. (2004), *Monte Carlo Methods in Financial Engineering*, section 4.2
    (common random numbers).
    """
    import time

    if len(problems) != len(models):
        raise IOUQError("montecarlo_common needs one coefficient model per problem.")
    n_samples = check_samples(n_samples)
    seed = check_seed(seed)
    chunk_size = check_samples(chunk_size, "chunk size")
    order = sorted(range(len(problems)), key=lambda i: -problems[i].M.shape[0])
    groups: list[tuple[int, list[tuple[int, np.ndarray]]]] = []
    for i in order:
        for joint, members in groups:
            idx = marginal_index(models[joint], models[i])
            if idx is not None:
                members.append((i, idx))
                break
        else:
            groups.append((i, [(i, np.arange(models[i].size))]))
    group_seeds = np.random.SeedSequence(seed).spawn(len(groups))
    results: list[MonteCarloResult | None] = [None] * len(problems)
    n_blocks = -(-n_samples // BLOCK)
    for (joint_i, members), gseed in zip(groups, group_seeds):
        joint = models[joint_i]
        NJ = joint.center.shape[0]
        aj = joint.center[joint.rows, joint.cols]
        plan = _dense_plan(joint)
        words = -(-NJ * NJ // 2)
        children = gseed.spawn(n_blocks)
        state = []
        for i, idx in members:
            pb, md = problems[i], models[i]
            check_law_productive(pb, md)
            B = _inverse(pb.M)
            state.append(dict(i=i, B=B, solver=_Solver(pb, md, B), out=[], lin=[], n_rej=0, t_solve=0.0))
        # problems with the same matrix and coefficients (output_type2 and income_type2) form a
        # bundle: their perturbations are taken from the joint draws once, the productivity flags
        # computed once, and each problem solves on them
        bundles: dict[bytes, list[dict]] = {}
        for st, (i, idx) in zip(state, members):
            pb = problems[i]
            bundles.setdefault(pb.M.tobytes() + repr(pb.M.shape).encode() + idx.tobytes(), []).append(st)
        # the draws of a chunk, dense and transposed (slot col * NJ + row), zero where fixed
        D = np.zeros((min(chunk_size, BLOCK, n_samples), NJ * NJ))
        linJ = joint.cols * NJ + joint.rows
        views = [_bundle_view(bundle[0]["solver"], joint, chunk_size) for bundle in bundles.values()]
        t_draw = 0.0
        names = "+".join(problems[i].name for i, _ in members)
        with _progress(n_samples, progress, f"{names} {joint.distribution}") as bar:
            for b in range(n_blocks):
                bitgen = np.random.SFC64(children[b])
                rng = np.random.Generator(bitgen)
                bsize = min(BLOCK, n_samples - b * BLOCK)
                for start in range(0, bsize, chunk_size):
                    m = min(chunk_size, bsize - start)
                    t0 = time.perf_counter()
                    Dm = D[:m]
                    if plan is not None and plan[0] == "uniform":
                        bits = bitgen.random_raw(m * words).reshape(m, words).view(np.uint32)[:, : NJ * NJ]
                        np.multiply(bits, plan[1], out=Dm)
                        Dm += plan[2]
                    elif plan is not None:
                        rng.standard_normal(out=Dm)
                        Dm *= plan[1]
                    else:
                        eps = sample_values(joint, rng, m)
                        eps -= aj
                        Dm[:, linJ] = eps  # the other slots stay zero
                    t_draw += time.perf_counter() - t0
                    D3 = Dm.reshape(m, NJ, NJ)
                    for bundle, view in zip(bundles.values(), views):
                        t1 = time.perf_counter()
                        solved = _solve_chunk([problems[st["i"]] for st in bundle], bundle, view(D3), start, m)
                        t_each = (time.perf_counter() - t1) / len(bundle)
                        for st, (phi, L, ok) in zip(bundle, solved):
                            good = ok & np.all(np.isfinite(phi), axis=1)
                            st["n_rej"] += int(m - good.sum())
                            st["out"].append(phi[good])
                            st["lin"].append(L[good])
                            st["t_solve"] += t_each
                    bar.update(m)
        for st in state:
            pb, md = problems[st["i"]], models[st["i"]]
            res = MonteCarloResult(
                samples=np.concatenate(st["out"]), linear=np.concatenate(st["lin"]), n_drawn=n_samples,
                n_rejected=st["n_rej"], draw_seconds=t_draw, solve_seconds=st["t_solve"],
                extra={"common_with": names},
                law=first_order_law(pb, md, st["B"]) if (law and st["n_rej"] == 0) else None,
            )
            _check_rejections(res, pb, md)
            results[st["i"]] = res
        if log is not None:
            log.info("common random numbers %s/%s: %d draws, draw %.2fs (once), solve %s", names,
                     joint.distribution, n_samples, t_draw,
                     ", ".join(f"{problems[st['i']].name} {st['t_solve']:.2f}s" for st in state))
    return results  # type: ignore[return-value]


def _bundle_view(solver: _Solver, joint: CoefficientModel, chunk_size: int):
    """A function from the dense transposed joint draws ``D3`` (m, NJ, NJ) to those of
    ``solver``'s coefficients (m, N, N): ``D3`` itself when they are the joint ones, else a
    copy of the leading block with the joint coefficients that ``solver``'s matrix does not
    perturb set to zero (e.g. the consumption column for ``income_type1``)."""
    NJ, N = joint.center.shape[0], solver.N
    jmask = np.zeros((NJ, NJ), dtype=bool)
    jmask[joint.cols, joint.rows] = True
    mmask = np.zeros((N, N), dtype=bool)
    mmask[solver.cols, solver.rows] = True
    extra = np.flatnonzero(jmask[:N, :N] & ~mmask)
    if N == NJ and not extra.size:
        return lambda D3: D3
    buf = np.empty((min(chunk_size, BLOCK), N, N))

    def view(D3: np.ndarray) -> np.ndarray:
        out = buf[: D3.shape[0]]
        out[...] = D3[:, :N, :N]
        if extra.size:
            out.reshape(out.shape[0], -1)[:, extra] = 0.0
        return out

    return view


def _solve_chunk(problems: list[Problem], bundle: list[dict], Et: np.ndarray, start: int,
                 m: int) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Multipliers, first-order terms and productivity flags of ``m`` draws (dense transposed
    perturbations ``Et`` (m, N, N)) starting at row ``start`` of their block, for problems that
    share their matrix and coefficients (one state of :func:`montecarlo_common` each).

    The draws are solved in fixed-shape sub-batches aligned to the block (as in
    :func:`montecarlo`), so a draw's result does not depend on the chunking nor on the other
    problems of the bundle: a sub-batch that lies whole in the chunk is solved in place, the
    others (chunk sizes that are not a multiple of it) through a buffer of the same shape.
    """
    solver0 = bundle[0]["solver"]
    sub = solver0.sub
    ok = solver0.productive_dense(Et)
    out = [(np.empty((m, pb.defined.size)), np.empty((m, pb.defined.size)), ok) for pb in problems]
    for g in range((start // sub) * sub, start + m, sub):
        lo, hi = max(g, start), min(g + sub, start + m)
        r0, k, ci = lo - g, hi - lo, lo - start
        if k == sub:
            E = Et[ci : ci + sub]
        else:
            if "E" not in bundle[0]:
                bundle[0]["E"] = solver0.buffer(sub)
            E = bundle[0]["E"]
            E[r0 : r0 + k] = Et[ci : ci + k]
        for pb, st, (phi, L, _) in zip(problems, bundle, out):
            y, d1 = st["solver"].solve_E(E)
            phi[ci : ci + k], L[ci : ci + k] = _multiplier_terms(
                pb, y[r0 : r0 + k], d1[r0 : r0 + k], E[r0 : r0 + k], st["B"],
                pb.M[pb.h, :] if pb.h is not None else None)
    return out


def _multiplier_terms(problem: Problem, y: np.ndarray, d1: np.ndarray, Ek: np.ndarray, B: np.ndarray,
                      xbar: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Multiplier values and first-order terms of solved draws (``Ek``: their transposed
    perturbations): ``y`` solves ``(I - M)'y = w``,
    ``d1`` is its first-order term ``(u'E B)``; the ratio kind divides by the drawn denominator
    coefficient and adds its first-order term ``-B_hj/x_j^2 e_hj``."""
    d, h = problem.defined, problem.h
    if problem.kind == "linear":
        return y[:, d], d1[:, d]
    eh = Ek[:, d, h]  # Ek holds the transposed perturbations
    xs = xbar[d]
    return y[:, d] / (xs + eh), d1[:, d] / xs - (B[h, d] / xs**2) * eh


def _kde_binned(samples: np.ndarray, x: np.ndarray, nbins: int = 512) -> np.ndarray:
    """Gaussian kernel density (Scott's bandwidth) of 1-D ``samples`` at ``x``, by binning."""
    s = samples[np.isfinite(samples)]
    n = s.size
    sd = float(np.std(s, ddof=1)) if n > 1 else 0.0
    if n < 2 or sd == 0:
        return np.zeros_like(x)
    bw = sd * n ** (-1.0 / 5.0)
    lo, hi = float(s.min()), float(s.max())
    if not hi - lo > 1e-12 * max(abs(lo), abs(hi)):
        return np.zeros_like(x)
    counts, edges = np.histogram(s, bins=nbins, range=(lo, hi))
    centers = 0.5 * (edges[1:] + edges[:-1])
    z = (x[:, None] - centers[None, :]) / bw
    return (np.exp(-0.5 * z * z) @ counts) / (n * bw * math.sqrt(2.0 * math.pi))


def _mc_stats(res: MonteCarloResult) -> dict[str, np.ndarray]:
    """Moments, quantiles and their standard errors; control-variate estimates where valid.

    The control variates (mean 0 and exact quantiles of the first-order term) are only used when
    no draw was rejected (a rejection conditions the draws and biases the control); elsewhere
    the ``*_cv`` columns repeat the plain estimates.
    """
    X, L = res.samples, res.linear
    n = X.shape[0]
    if n < 2:
        raise IOUQError("fewer than 2 accepted Monte Carlo draws; increase the sample count.")
    mean = X.mean(axis=0)
    sd = X.std(axis=0, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        skew = np.where(sd > 0, ((X - mean) ** 3).mean(axis=0) / np.where(sd > 0, sd, 1.0) ** 3, 0.0)
    q = np.quantile(X, QUANTILES, axis=0)
    se_q, fq = [], []
    for p, qp in zip((0.025, 0.975), (q[0], q[2])):
        f = np.array([_kde_binned(X[:, j], np.array([qp[j]]))[0] for j in range(X.shape[1])])
        fq.append(f)
        with np.errstate(divide="ignore", invalid="ignore"):
            se_q.append(np.where(f > 0, math.sqrt(p * (1 - p) / n) / np.where(f > 0, f, 1.0), 0.0))
    out = {
        "mean": mean, "sd": sd, "skew": skew, "q025": q[0], "q500": q[1], "q975": q[2],
        "n_samples": np.full(X.shape[1], n), "mc_se_mean": sd / math.sqrt(n),
        "mc_se_q025": se_q[0], "mc_se_q975": se_q[1],
        "mean_cv": mean, "mc_se_mean_cv": sd / math.sqrt(n),
        "q025_cv": q[0], "q975_cv": q[2], "mc_se_q025_cv": se_q[0], "mc_se_q975_cv": se_q[1],
        "sample_min": X.min(axis=0), "sample_max": X.max(axis=0),
    }
    if res.n_rejected:
        return out
    # control variate for the mean: the first-order term has exact mean 0
    Lc = L - L.mean(axis=0)
    varL = (Lc * Lc).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        beta = np.where(varL > 0, ((X - mean) * Lc).sum(axis=0) / np.where(varL > 0, varL, 1.0), 0.0)
    Z = X - beta * L
    out["mean_cv"], out["mc_se_mean_cv"] = Z.mean(axis=0), Z.std(axis=0, ddof=1) / math.sqrt(n)
    law = res.law
    if law is not None and np.any(law.ok):
        ok = law.ok
        for key, p, f in (("q025", 0.025, fq[0]), ("q975", 0.975, fq[1])):
            qL, fL = law.quantile(p)
            qc, sec = controlled_quantile(X[:, ok], L[:, ok], p, qL[ok], fL[ok], f[ok])
            out[key + "_cv"], out["mc_se_" + key + "_cv"] = out[key].copy(), out["mc_se_" + key].copy()
            out[key + "_cv"][ok], out["mc_se_" + key + "_cv"][ok] = qc, sec
    return out


# ============================================================================ PCE
def _importance_scores(problem: Problem, model: CoefficientModel, B: np.ndarray) -> np.ndarray:
    """First-order variance share of every perturbed coefficient, summed over sectors."""
    u = B.T @ problem.w
    d = problem.defined
    Bd = B[:, d]
    mom = _moments_from(problem, model, B)
    var = np.maximum(mom.sd**2, 1e-300)
    scale = 1.0 if problem.kind == "linear" else problem.M[problem.h, d] ** 2
    col = (Bd**2 / (var * scale)).sum(axis=1)  # per column l
    r, c = model.rows, model.cols
    return model.sd[r, c] ** 2 * u[r] ** 2 * col[c]


def _pce_inputs(distribution: str):
    import chaospy

    if distribution == "uniform":
        return chaospy.Uniform(-1.0, 1.0)
    if distribution == "beta":
        from .distributions import BETA_SHAPE

        return chaospy.Beta(BETA_SHAPE, BETA_SHAPE, lower=-1.0, upper=1.0)
    if distribution in ("normal", "lognormal"):
        return chaospy.Normal(0.0, 1.0)
    raise IOUQError(
        f"polynomial chaos needs independent coefficients; the '{distribution}' distribution is "
        "not supported (use uniform, beta, normal or lognormal, or method montecarlo)."
    )


def _from_standard(model: CoefficientModel, xi: np.ndarray, sel: np.ndarray) -> np.ndarray:
    """Map standard inputs ``xi`` (size, k) to the selected coefficients' values."""
    a = model.center[model.rows[sel], model.cols[sel]]
    t = model.tol
    r = t * np.abs(a)
    if model.distribution in ("uniform", "beta"):
        return a + r * xi
    if model.distribution == "normal":
        return a + (r / math.sqrt(3.0)) * xi
    s = math.sqrt(math.log1p(t * t / 3.0))
    return a * np.exp(s * xi - 0.5 * s * s)


@dataclass
class PCEResult:
    """A fitted expansion of all defined sectors' multipliers."""

    mean: np.ndarray
    sd: np.ndarray
    surrogate: np.ndarray  # (n_surrogate, n_defined)
    first_order: np.ndarray  # (k, n_defined)
    total: np.ndarray  # (k, n_defined)
    inputs: list[tuple[int, int]]
    n_eval: int
    #: Number of random coefficients of the multiplier's matrix (the expansion uses ``len(inputs)``).
    n_coefficients: int = 0
    #: Per sector: share of the first-order variance carried by the expanded coefficients.
    variance_share: np.ndarray | None = None
    #: ``"linear"``: the other coefficients enter through their exact first-order term;
    #: ``"none"``: they are held at their means (a reduced model).
    remainder: str = "none"

    @property
    def method(self) -> str:
        """``pce`` when the surrogate represents every coefficient, else ``pce_top{k}``."""
        k = len(self.inputs)
        return "pce" if (self.remainder == "linear" or k >= self.n_coefficients) else f"pce_top{k}"


def pce(problem: Problem, model: CoefficientModel, seed: int = 0, order: int = 2, top_k: int = 8,
        n_eval: int | None = None, n_surrogate: int = 20000, remainder: str = "linear") -> PCEResult:
    """Polynomial chaos expansion in the ``top_k`` most important coefficients, plus (by default)
    the exact first-order term of all the others.

    With ``remainder="linear"`` the surrogate is ``Y = P(xi_sel) + R`` where ``P`` is the
    expansion in the selected coefficients and ``R = sum_(k not sel) g_k E_k`` is the
    first-order (linear) term of the remaining coefficients, independent of ``xi_sel``, with
    mean 0 and the exact variance ``sum g_k^2 sd_k^2``; its law is that of
    :mod:`iouq.linear_law` (independent uniform, beta or normal coefficients), inverted on a
    grid of 513 points over +-9 sd to draw ``R`` for the surrogate samples (per sector; the
    summaries are per sector). The surrogate then represents every coefficient: method label
    ``pce``. ``remainder="none"`` (or a distribution without an exact linear law: lognormal)
    holds the others at their means: the variance is that of the selected coefficients only and
    the result is labelled ``pce_top{k}`` (a reduced model). In both cases ``variance_share``
    states the share of the first-order variance that the expanded coefficients carry.
    The neglected part is the higher-order effect of the remaining coefficients (their
    second-order bias and interactions), of relative size ``t`` at tolerance ``t``.

    References
    ----------
    Sudret, B. (2008), Global sensitivity analysis using polynomial chaos expansions,
    *Reliability Engineering & System Safety* 93, 964-979 (expansion, Sobol indices).
    West, G. R. (1986), A stochastic analysis of an input-output model, *Econometrica* 54,
    363-374 (the first-order term).

    Parameters
    ----------
    problem, model
    seed : int
        Seeds the Sobol scrambling and the surrogate draws.
    order : int
        Total degree of the expansion.
    top_k : int
        Number of coefficients kept random (all when the matrix has at most ``top_k``).
    n_eval : int, optional
        Model evaluations (default: the power of two >= 3 x the number of terms).
    n_surrogate : int
        Surrogate draws for skewness, quantiles and density.
    remainder : {'linear', 'none'}
        Treatment of the coefficients outside the expansion (see above).
    """
    import chaospy
    from scipy.stats import qmc

    _pce_inputs(model.distribution)  # validates the distribution
    if model.correlation > 0:
        raise IOUQError("polynomial chaos needs independent coefficients; set the correlation to 0.")
    seed = check_seed(seed)
    if remainder not in PCE_REMAINDERS:
        raise IOUQError(f"unknown PCE remainder '{remainder}'; choose one of {', '.join(PCE_REMAINDERS)}.")
    if int(order) < 1 or int(top_k) < 1:
        raise IOUQError(f"PCE order and top_k must be positive integers, got {order!r}, {top_k!r}.")
    check_law_productive(problem, model)
    B = _inverse(problem.M)
    scores = _importance_scores(problem, model, B)
    k = min(int(top_k), model.size)
    sel = np.sort(np.argsort(-scores, kind="stable")[:k])
    joint = chaospy.J(*[_pce_inputs(model.distribution) for _ in range(k)])
    expansion = chaospy.generate_expansion(int(order), joint, normed=True)
    n_terms = len(expansion)
    if n_eval is None:
        n_eval = int(2 ** math.ceil(math.log2(max(3 * n_terms, 64))))
    n_eval = check_samples(n_eval, "PCE evaluation count")
    ss_sobol, ss_sur = np.random.SeedSequence(seed).spawn(2)
    sob = qmc.Sobol(d=k, scramble=True, rng=np.random.Generator(np.random.PCG64(ss_sobol)))
    U = sob.random(n_eval)
    U = np.clip(U, 1e-12, 1 - 1e-12)
    xi = np.asarray(joint.inv(U.T)).reshape(k, n_eval)
    vals = _from_standard(model, xi.T, sel)
    y = _evaluate(problem, model, sel, vals)
    approx, coefs = chaospy.fit_regression(expansion, xi, y, retall=1)
    coefs = np.asarray(coefs).reshape(n_terms, -1)
    dep = np.zeros((n_terms, k), dtype=bool)
    for i, poly in enumerate(expansion):
        exps = np.atleast_2d(np.asarray(poly.exponents))
        coeffs = np.asarray(poly.coefficients)
        nz = np.abs(coeffs) > 0
        dep[i] = np.any(exps[nz] > 0, axis=0) if nz.any() else False
    const = ~dep.any(axis=1)
    c2 = coefs**2
    var = c2[~const].sum(axis=0)
    mean = coefs[const].sum(axis=0)
    only = dep & (dep.sum(axis=1, keepdims=True) == 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        first = np.where(var > 0, (only.T.astype(float) @ c2) / np.where(var > 0, var, 1.0), 0.0)
        total = np.where(var > 0, (dep.T.astype(float) @ c2) / np.where(var > 0, var, 1.0), 0.0)
    rng = np.random.Generator(np.random.PCG64(ss_sur))
    xs = np.asarray(joint.inv(np.clip(rng.random((n_surrogate, k)), 1e-12, 1 - 1e-12).T)).reshape(k, n_surrogate)
    Phi = np.asarray(expansion(*xs)).reshape(n_terms, n_surrogate)
    sur = Phi.T @ coefs
    inputs = [(int(model.rows[i]), int(model.cols[i])) for i in sel]
    G = _first_order_gradient(problem, model, B)
    gv = G * G * (model.sd[model.rows, model.cols] ** 2)[:, None]
    v_all = gv.sum(axis=0)
    v_sel = gv[sel].sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(v_all > 0, v_sel / np.where(v_all > 0, v_all, 1.0), 1.0)
    rest = np.setdiff1d(np.arange(model.size), sel)
    used = "none"
    if remainder == "linear" and rest.size and model.distribution in UNIT_LAWS:
        used = "linear"
        r = model.tol * np.abs(model.center[model.rows[rest], model.cols[rest]])
        law = linear_law(model.distribution, [np.abs(G[rest]) * r[:, None]])
        ss_rest = np.random.SeedSequence(seed).spawn(3)[2]
        sur = sur + _draw_linear_law(law, np.random.Generator(np.random.PCG64(ss_rest)), n_surrogate)
        v_rest = gv[rest].sum(axis=0)
        var = var + v_rest
        # Sobol indices of the expanded coefficients relative to the total variance
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(var > 0, (var - v_rest) / np.where(var > 0, var, 1.0), 0.0)
        first, total = first * scale, total * scale
    return PCEResult(mean=mean, sd=np.sqrt(var), surrogate=sur, first_order=first, total=total,
                     inputs=inputs, n_eval=n_eval, n_coefficients=model.size, variance_share=share,
                     remainder=used if rest.size else "linear")


def _first_order_gradient(problem: Problem, model: CoefficientModel, B: np.ndarray) -> np.ndarray:
    """``G[k, j] = d multiplier_j / d a_k`` at the mean coefficients (perturbed coefficients ``k``,
    defined sectors ``j``): ``u_r B_cj`` for the linear kind (``u = B'w``); divided by ``x_j`` and
    with ``-B_hj / x_j^2`` on the denominator coefficient ``(h, j)`` for the ratio kind
    (West 1986; methods.md 2.2)."""
    d = problem.defined
    u = B.T @ problem.w
    G = u[model.rows][:, None] * B[np.ix_(model.cols, d)]
    if problem.kind == "ratio":
        x = problem.M[problem.h, d]
        G /= x[None, :]
        for c, j in enumerate(d):
            k = np.flatnonzero((model.rows == problem.h) & (model.cols == j))
            if k.size:
                G[k[0], c] -= B[problem.h, j] / x[c] ** 2
    return G


def _draw_linear_law(law: LinearLaw, rng: np.random.Generator, size: int, points: int = 513,
                     span: float = 9.0) -> np.ndarray:
    """``size`` draws of every ``L_j`` of ``law`` (independently per j), by inverting its CDF
    tabulated on ``points`` equally spaced points over ``+-span`` sd (linear interpolation; the
    tabulated CDF is made monotone and clipped to [0, 1]). Returns (size, m)."""
    m = law.sd.size
    out = np.zeros((size, m))
    z = np.linspace(-span, span, points)
    U = rng.random((size, m))
    grid = law.sd[:, None] * z[None, :]
    F, _ = law.cdf_pdf(grid, density=False)
    F = np.clip(np.maximum.accumulate(F, axis=1), 0.0, 1.0)
    for j in range(m):
        if law.sd[j] > 0:
            Fj = F[j].copy()
            Fj[0], Fj[-1] = 0.0, 1.0
            out[:, j] = np.interp(U[:, j], Fj, grid[j])
    return out


def _evaluate(problem: Problem, model: CoefficientModel, sel: np.ndarray, vals: np.ndarray) -> np.ndarray:
    """Multipliers (n_eval, n_defined) with the selected coefficients set to ``vals``."""
    B = _inverse(problem.M)
    full = np.broadcast_to(model.center[model.rows, model.cols], (vals.shape[0], model.size)).copy()
    full[:, sel] = vals
    y, _ = _Solver(problem, model, B).solve(full)
    d = problem.defined
    if problem.kind == "linear":
        return y[:, d]
    hv = np.broadcast_to(problem.M[problem.h, :], (vals.shape[0], problem.M.shape[0])).copy()
    hidx = np.flatnonzero(model.rows == problem.h)
    hv[:, model.cols[hidx]] = full[:, hidx]
    return y[:, d] / hv[:, d]


def pce_sobol(table: IOTable, tol: float, multiplier: str, distribution: str = "uniform", seed: int = 0,
              order: int = 2, top_k: int = 8) -> pd.DataFrame:
    """Sobol indices (first order and total) of the PCE inputs, read off the coefficients.

    Returns
    -------
    DataFrame
        Columns ``sector, row, column, first_order, total`` (row/column: codes of the
        coefficient; the household row/column is labelled with the table's household label).
    """
    problem = multiplier_problem(table, multiplier)
    model = coefficient_model(problem.M, tol, distribution)
    res = pce(problem, model, seed=seed, order=order, top_k=top_k, n_surrogate=16)
    labels = list(table.sectors) + [table.household_label]
    rows = []
    for jj, s in enumerate(problem.sectors):
        for i, (r, c) in enumerate(res.inputs):
            rows.append({"sector": s, "row": labels[r], "column": labels[c],
                         "first_order": res.first_order[i, jj], "total": res.total[i, jj]})
    return pd.DataFrame(rows)


# ============================================================================ public API
def check_method(method: str) -> str:
    """Return ``method`` if known, else raise :class:`IOUQError` listing the choices."""
    if method not in METHODS:
        raise IOUQError(f"unknown stochastic method '{method}'; choose one of {', '.join(METHODS)}.")
    return method


@dataclass
class Analysis:
    """Summaries and density inputs of one multiplier and distribution."""

    problem: Problem
    summaries: dict[str, pd.DataFrame]
    moments: Moments
    mc: MonteCarloResult | None = None
    pce: PCEResult | None = None


def _summary_frame(problem: Problem, stats: dict[str, np.ndarray], point: np.ndarray) -> pd.DataFrame:
    df = pd.DataFrame({"sector": problem.sectors})
    for c in SUMMARY_COLUMNS[1:] + EXTRA_COLUMNS:
        if c == "point":
            df[c] = point
        elif c in ("pce_inputs", "pce_coefficients"):
            df[c] = stats.get(c, 0)
        elif c == "flag":
            df[c] = ""
        elif c == "pce_variance_share":
            df[c] = stats.get(c, np.nan)
        else:
            df[c] = stats[c]
    df["n_samples"] = df["n_samples"].astype(int)
    df["pce_inputs"] = df["pce_inputs"].astype(int)
    for c in ("sample_min", "sample_max"):  # Monte Carlo only: smallest and largest accepted draw
        df[c] = stats.get(c, np.nan)
    df["pce_coefficients"] = df["pce_coefficients"].astype(int)
    return df


def stochastic_analysis(table: IOTable, tol: float, multiplier: str, distribution: str,
                        methods: tuple[str, ...] | list[str] = METHODS, n_samples: int = 20000, seed: int = 0,
                        chunk_size: int = 1024, correlation: float = 0.0, pce_order: int = 2,
                        pce_top_k: int = 8, progress: bool | None = None, sat_tol: float | None = None,
                        mc: MonteCarloResult | None = None, pce_remainder: str = "linear") -> Analysis:
    """Run the requested methods for one multiplier and distribution (shared by summary and
    density functions; the Monte Carlo draws are made once). ``multiplier`` may be a satellite
    quantity ``QUANTITY:ACCOUNT`` (:func:`satellite_problem`; ``sat_tol`` = tolerance of the
    intensities, default ``tol``).

    ``mc``: Monte Carlo samples already drawn for this multiplier and distribution (e.g. by
    :func:`montecarlo_common`, with the same table, tolerance and seed); used instead of
    drawing again. ``pce_remainder``: see :func:`pce`.
    """
    if not is_satellite(multiplier):
        check_multiplier(multiplier)
    check_distribution(distribution)
    methods = [check_method(m) for m in methods]
    n_samples = check_samples(n_samples)
    seed = check_seed(seed)
    problem = _problem_of(table, multiplier, tol, sat_tol, distribution, correlation)
    model = coefficient_model(problem.M, tol, distribution, correlation)
    check_law_productive(problem, model)
    mom = perturbation_moments(problem, model)
    nd = len(problem.sectors)
    zeros = np.zeros(nd)
    summaries: dict[str, pd.DataFrame] = {}
    pc = None
    if "montecarlo" not in methods:
        mc = None
    if _degenerate_law(model):
        # no random coefficient (tol 0, or none non-zero): every method gives the point exactly
        for meth in methods:
            st = dict(_point_stats(mom.point), n_samples=np.zeros(nd, dtype=int))
            summaries[meth] = _summary_frame(problem, st, mom.point)
        _flag_summaries(table, problem, model, summaries, None, sat_tol)
        return Analysis(problem=problem, summaries=summaries, moments=mom, mc=None, pce=None)
    if "perturbation" in methods:
        st = {"mean": mom.mean, "sd": mom.sd, "skew": mom.skew,
              "q025": cornish_fisher_quantile(mom.mean, mom.sd, mom.skew, 0.025),
              "q500": cornish_fisher_quantile(mom.mean, mom.sd, mom.skew, 0.5),
              "q975": cornish_fisher_quantile(mom.mean, mom.sd, mom.skew, 0.975),
              "n_samples": zeros.astype(int), "mc_se_mean": zeros, "mc_se_q025": zeros, "mc_se_q975": zeros,
              "mean_cv": mom.mean, "mc_se_mean_cv": zeros, "rejection_rate": zeros}
        st.update({"q025_cv": st["q025"], "q975_cv": st["q975"], "mc_se_q025_cv": zeros, "mc_se_q975_cv": zeros})
        summaries["perturbation"] = _summary_frame(problem, st, mom.point)
    if "montecarlo" in methods:
        if mc is None:
            mc = montecarlo(problem, model, n_samples, seed, chunk_size, progress)
        st = _mc_stats(mc)
        st["rejection_rate"] = np.full(nd, mc.rejection_rate)
        summaries["montecarlo"] = _summary_frame(problem, st, mom.point)
    if "pce" in methods:
        pc = pce(problem, model, seed=seed, order=pce_order, top_k=pce_top_k, n_surrogate=n_samples,
                 remainder=pce_remainder)
        S = pc.surrogate
        q = np.quantile(S, QUANTILES, axis=0)
        ssd = S.std(axis=0, ddof=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            skew = np.where(ssd > 0, ((S - S.mean(axis=0)) ** 3).mean(axis=0) / np.where(ssd > 0, ssd, 1.0) ** 3, 0.0)
        st = {"mean": pc.mean, "sd": pc.sd, "skew": skew, "q025": q[0], "q500": q[1], "q975": q[2],
              "n_samples": np.full(nd, pc.n_eval), "mc_se_mean": zeros, "mc_se_q025": zeros, "mc_se_q975": zeros,
              "mean_cv": pc.mean, "mc_se_mean_cv": zeros, "rejection_rate": zeros,
              "pce_inputs": np.full(nd, len(pc.inputs)), "pce_coefficients": np.full(nd, pc.n_coefficients),
              "pce_variance_share": pc.variance_share,
              "q025_cv": q[0], "q975_cv": q[2], "mc_se_q025_cv": zeros, "mc_se_q975_cv": zeros}
        summaries["pce"] = _summary_frame(problem, st, mom.point)
    _flag_summaries(table, problem, model, summaries, mc, sat_tol)
    return Analysis(problem=problem, summaries=summaries, moments=mom, mc=mc, pce=pc)


def _problem_of(table: IOTable, multiplier: str, tol: float, sat_tol: float | None, distribution: str,
                correlation: float = 0.0) -> Problem:
    """The :class:`Problem` of a multiplier or a satellite quantity (as in :func:`stochastic_analysis`)."""
    if is_satellite(multiplier):
        return satellite_problem(table, multiplier, tol, sat_tol, distribution, correlation)
    return multiplier_problem(table, multiplier)


def _degenerate_law(model: CoefficientModel) -> bool:
    """Whether the coefficient law is a point mass (tolerance 0 or no non-zero coefficient)."""
    return model.tol == 0 or model.size == 0


def _point_stats(point: np.ndarray) -> dict[str, np.ndarray]:
    """Summary statistics of a point mass at ``point``: sd 0, no skewness, every quantile the point."""
    nd = point.size
    zeros = np.zeros(nd)
    st = {k: point.copy() for k in ("mean", "q025", "q500", "q975", "mean_cv", "q025_cv", "q975_cv")}
    st.update({"sd": zeros, "skew": np.full(nd, np.nan), "mc_se_mean": zeros, "mc_se_q025": zeros,
               "mc_se_q975": zeros, "mc_se_mean_cv": zeros, "mc_se_q025_cv": zeros, "mc_se_q975_cv": zeros,
               "rejection_rate": zeros})
    return st


def _flag_summaries(table: IOTable, problem: Problem, model: CoefficientModel,
                    summaries: dict[str, pd.DataFrame], mc: "MonteCarloResult | None",
                    sat_tol: float | None = None) -> None:
    """Make degenerate rows exact and fill the ``flag`` column of every summary (in place).

    Flags (``;``-separated; empty when the row is what its label says):

    ``degenerate``
        the sd is rounding noise (below :data:`DEGENERATE_RTOL` of ``|point|``) or the law is a
        point mass: reported as such (sd 0, skewness empty, mean and quantiles at the point);
    ``rejected=<share>``
        Monte Carlo of an unbounded law: this share of the draws was non-productive and cut (the
        sample is of the law truncated to productive economies);
    ``outside_attainable_range``
        a bounded law (uniform, beta on the box): the mean or a quantile lies outside the sharp
        interval of the multiplier over the box (the attainable range, or an outer enclosure of it),
        i.e. outside every attainable value, so the approximation (perturbation, PCE) is
        meaningless there;
    ``cornish_fisher_not_monotone``
        perturbation: the skewness is so large (``|g| >= 3/1.96``) that the Cornish-Fisher
        expansion is not increasing between the 2.5% and 97.5% points, so its quantiles are not
        quantiles of any distribution (they may even be out of order);
    ``near_productivity_limit``, ``beyond_productivity_limit``
        perturbation and PCE of an unbounded law at a tolerance of at least :data:`NEAR_LIMIT` times
        (or beyond) the tolerance where the box leaves the productive region: the expansions are
        asymptotic in the distance to singularity and the law has mass near non-productive economies.
    """
    hull = None
    if model.distribution in BOUNDED_ON_BOX and model.tol > 0:
        # the sharp hull: the attainable range up to rounding where labelled exact, an outer
        # enclosure otherwise (a value outside it is outside every attainable value either way)
        res = interval_multiplier(table, model.tol, problem.name, "sharp",
                                  **({"sat_tol": sat_tol} if is_satellite(problem.name) else {}))
        hull = (res["lower"].to_numpy(dtype=float)[problem.defined], res["upper"].to_numpy(dtype=float)[problem.defined])
    ratio = model.tol / max(critical_tolerance(problem.M), np.finfo(float).tiny)
    for meth, df in summaries.items():
        point = df["point"].to_numpy(dtype=float)
        flags: list[list[str]] = [[] for _ in range(len(df))]
        sd = df["sd"].to_numpy(dtype=float)
        deg = sd <= DEGENERATE_RTOL * np.maximum(np.abs(point), np.finfo(float).tiny)
        if deg.any():
            for c, v in _point_stats(point).items():
                df.loc[deg, c] = v[deg]
            for k in np.flatnonzero(deg):
                flags[k].append("degenerate")
        if meth == "montecarlo" and mc is not None and mc.n_rejected:
            for f in flags:
                f.append(f"rejected={mc.rejection_rate:.4g}")
        if hull is not None:
            lo, hi = hull
            slack = 1e-12 * np.maximum(np.abs(point), 1.0)
            vals = df[["mean", "q025", "q500", "q975"]].to_numpy(dtype=float)
            out = np.any((vals < (lo - slack)[:, None]) | (vals > (hi + slack)[:, None]), axis=1)
            for k in np.flatnonzero(out & ~deg):
                flags[k].append("outside_attainable_range")
        if meth == "perturbation":
            # Cornish-Fisher z + g(z^2 - 1)/6 is increasing on [-z975, z975] only for |g| < 3/z975
            bad = np.abs(df["skew"].to_numpy(dtype=float)) >= 3.0 / ndtri(0.975)
            for k in np.flatnonzero(bad & ~deg):
                flags[k].append("cornish_fisher_not_monotone")
        if meth != "montecarlo" and model.distribution in UNBOUNDED and ratio >= NEAR_LIMIT:
            word = "beyond_productivity_limit" if ratio >= 1 else "near_productivity_limit"
            for k in np.flatnonzero(~deg):
                flags[k].append(word)
        df["flag"] = [";".join(f) for f in flags]


def stochastic_summary(table: IOTable, tol: float, multiplier: str, distribution: str = "uniform",
                       method: str = "montecarlo", n_samples: int = 20000, seed: int = 0,
                       chunk_size: int = 1024, correlation: float = 0.0, pce_order: int = 2,
                       pce_top_k: int = 8, progress: bool | None = None, sat_tol: float | None = None,
                       pce_remainder: str = "linear") -> pd.DataFrame:
    """Moments and quantiles of one multiplier's distribution, one row per sector.

    Parameters
    ----------
    table : IOTable
    tol : float
        Relative tolerance tied to the coefficient distribution (see :mod:`iouq.distributions`).
    multiplier : str
        ``output_type1``, ``output_type2``, ``income_type1``, ``income_type2`` or a satellite
        quantity ``QUANTITY:ACCOUNT`` (see :func:`satellite_problem`).
    distribution : {'uniform', 'beta', 'normal', 'lognormal', 'dirichlet'}
    method : {'perturbation', 'montecarlo', 'pce'}
    n_samples : int
        Monte Carlo draws (PCE: surrogate draws).
    seed : int
    chunk_size : int
        Draws held in memory at a time (does not change the result).
    correlation : float
        Within-column correlation (uniform, normal, lognormal).
    pce_order, pce_top_k : int
        Expansion degree and number of expanded coefficients of the PCE.
    pce_remainder : {'linear', 'none'}
        The other coefficients through their exact first-order term, or held at their means
        (see :func:`pce`).
    progress : bool or None

    Returns
    -------
    DataFrame
        Columns ``sector, mean, sd, skew, q025, q500, q975, n_samples, mc_se_mean`` then
        ``mc_se_q025, mc_se_q975, mean_cv, mc_se_mean_cv, rejection_rate, point, pce_inputs,
        q025_cv, q975_cv, mc_se_q025_cv, mc_se_q975_cv``.
        Sectors where the multiplier is undefined (income multipliers with ``h_j = 0``) are
        left out. ``n_samples`` is the number of accepted draws (perturbation: 0; PCE: model
        evaluations); the standard errors are 0 where nothing was sampled.
    """
    check_method(method)
    an = stochastic_analysis(table, tol, multiplier, distribution, (method,), n_samples, seed, chunk_size,
                             correlation, pce_order, pce_top_k, progress, sat_tol=sat_tol,
                             pce_remainder=pce_remainder)
    return an.summaries[method]


def _grid(an: Analysis, j: int, points: int) -> np.ndarray:
    lo = hi = None
    m = an.moments
    cands_lo = [m.mean[j] - 4.5 * m.sd[j]]
    cands_hi = [m.mean[j] + 4.5 * m.sd[j]]
    for S in ([an.mc.samples[:, j]] if an.mc is not None else []) + ([an.pce.surrogate[:, j]] if an.pce is not None else []):
        cands_lo.append(float(np.quantile(S, 0.0005)))
        cands_hi.append(float(np.quantile(S, 0.9995)))
    lo, hi = min(cands_lo), max(cands_hi)
    if not hi > lo:
        lo, hi = m.point[j] - 1e-9 * max(1.0, abs(m.point[j])), m.point[j] + 1e-9 * max(1.0, abs(m.point[j]))
    return np.linspace(lo, hi, points)


def densities_of(an: Analysis, distribution: str, points: int = 64, sectors: list[int] | None = None) -> pd.DataFrame:
    """Long-format densities on a common grid per sector for an :class:`Analysis`.

    Methods: ``montecarlo_kde``, ``montecarlo_hist`` (histogram value at the grid point),
    ``perturbation_normal``, ``perturbation_edgeworth``, ``pce`` (KDE of the surrogate).
    Sectors whose distribution is degenerate (a point mass: tolerance 0, or a multiplier that
    depends on no random coefficient) have no density and get no rows.
    """
    frames = []
    idx = range(len(an.problem.sectors)) if sectors is None else sectors
    m = an.moments
    for j in idx:
        if not m.sd[j] > DEGENERATE_RTOL * max(abs(m.point[j]), np.finfo(float).tiny):
            continue
        x = _grid(an, j, points)
        parts: list[tuple[str, np.ndarray]] = []
        if an.mc is not None:
            S = an.mc.samples[:, j]
            parts.append(("montecarlo_kde", _kde_binned(S, x)))
            step = x[1] - x[0]
            edges = np.concatenate([x - step / 2, [x[-1] + step / 2]])
            hist, _ = np.histogram(S, bins=edges)
            parts.append(("montecarlo_hist", hist / (S.size * step) if step > 0 else np.zeros_like(x)))
        if "perturbation" in an.summaries or an.mc is not None or an.pce is not None:
            parts.append(("perturbation_normal", normal_density(x, m.mean[j], m.sd[j])))
            parts.append(("perturbation_edgeworth", edgeworth_density(x, m.mean[j], m.sd[j], m.skew[j])))
        if an.pce is not None:
            parts.append((an.pce.method, _kde_binned(an.pce.surrogate[:, j], x)))
        for meth, dens in parts:
            frames.append(pd.DataFrame({"sector": an.problem.sectors[j], "multiplier": an.problem.name,
                                        "method": meth, "distribution": distribution, "x": x, "density": dens}))
    if not frames:
        return pd.DataFrame(columns=DENSITY_COLUMNS)
    return pd.concat(frames, ignore_index=True)[DENSITY_COLUMNS]


def stochastic_densities(table: IOTable, tol: float, multiplier: str, distribution: str = "uniform",
                         methods: tuple[str, ...] | list[str] = METHODS, n_samples: int = 20000, seed: int = 0,
                         chunk_size: int = 1024, points: int = 64, correlation: float = 0.0,
                         pce_order: int = 2, pce_top_k: int = 8, progress: bool | None = None,
                         pce_remainder: str = "linear") -> pd.DataFrame:
    """Densities of one multiplier on a common grid per sector, long format.

    Returns
    -------
    DataFrame
        Columns ``sector, multiplier, method, distribution, x, density``; ``method`` is one of
        ``montecarlo_kde, montecarlo_hist, perturbation_normal, perturbation_edgeworth, pce``.
    """
    an = stochastic_analysis(table, tol, multiplier, distribution, methods, n_samples, seed, chunk_size,
                             correlation, pce_order, pce_top_k, progress, pce_remainder=pce_remainder)
    return densities_of(an, distribution, points)


def stochastic_table(table: IOTable, tol: float, distributions: tuple[str, ...] | list[str] = ("uniform",),
                     methods: tuple[str, ...] | list[str] = METHODS, multipliers: tuple[str, ...] | list[str] | None = None,
                     n_samples: int = 20000, seed: int = 0, chunk_size: int = 1024, pce_order: int = 2,
                     pce_top_k: int = 8, pce_max_sectors: int = 200, density_points: int = 64,
                     density_sectors: int = 12, progress: bool | None = None, log=None,
                     sat_tol: float | None = None, pce_remainder: str = "linear") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Summaries and densities of every (multiplier, distribution, method) of a table.

    The Monte Carlo draws of each distribution are made once and shared by all multipliers
    (common random numbers, :func:`montecarlo_common`). PCE is skipped (and logged) for the
    dirichlet distribution (not independent) and for tables with more than ``pce_max_sectors``
    sectors; ``pce_remainder`` as in :func:`pce` (method ``pce_top{k}`` when it is ``"none"``
    and the expansion leaves coefficients out). Densities are computed for the
    ``density_sectors`` sectors with the largest coefficient of variation (perturbation) of
    each multiplier (all sectors when there are fewer), in that order (largest first).

    Returns
    -------
    summary : DataFrame
        Columns ``sector, multiplier, method, distribution`` followed by the columns of
        :func:`stochastic_summary`.
    densities : DataFrame
        Columns :data:`DENSITY_COLUMNS`.
    """
    if multipliers is None:
        multipliers = MULTIPLIERS if table.has_households else ("output_type1",)
    check_samples(density_points, "density points")
    parts: dict[tuple[str, str], tuple[list[pd.DataFrame], pd.DataFrame]] = {}
    for dist in distributions:
        runs = []
        for mult in multipliers:
            if is_satellite(mult) and (dist == "dirichlet" or (
                    dist == "lognormal" and sat_tol is not None and float(sat_tol) != float(tol))):
                if log is not None:
                    log.info("%s/%s: skipped (satellite quantities take uniform, beta, normal, and lognormal "
                             "when sat_tol equals tol)", mult, dist)
                continue
            runs.append(mult)
        common = {}
        if "montecarlo" in methods and runs and tol > 0:
            # common random numbers: one set of coefficient draws for all multipliers
            problems = [_problem_of(table, mult, tol, sat_tol, dist) for mult in runs]
            models = [coefficient_model(pb.M, tol, dist) for pb in problems]
            common = dict(zip(runs, montecarlo_common(problems, models, n_samples, seed, chunk_size,
                                                      progress, log=log)))
        for mult in runs:
            summaries = []
            meths = [m for m in methods
                     if not (m == "pce" and (dist == "dirichlet" or table.n > pce_max_sectors))]
            if log is not None and len(meths) < len(methods):
                log.info("%s/%s: pce skipped (dirichlet is not independent, or more than %d sectors)",
                         mult, dist, pce_max_sectors)
            an = stochastic_analysis(table, tol, mult, dist, meths, n_samples, seed, chunk_size,
                                     pce_order=pce_order, pce_top_k=pce_top_k, progress=progress, sat_tol=sat_tol,
                                     mc=common.pop(mult, None), pce_remainder=pce_remainder)
            for meth in methods:
                if meth in an.summaries:
                    df = an.summaries[meth].copy()
                    df.insert(1, "multiplier", mult)
                    df.insert(2, "method", an.pce.method if (meth == "pce" and an.pce is not None) else meth)
                    df.insert(3, "distribution", dist)
                    summaries.append(df)
            m = an.moments
            with np.errstate(divide="ignore", invalid="ignore"):
                cv = np.where(m.point != 0, m.sd / np.abs(m.point), 0.0)
            order = np.argsort(-cv, kind="stable")[: int(density_sectors)]
            parts[mult, dist] = (summaries, densities_of(an, dist, int(density_points), order.tolist()))  # CV order
            if log is not None and an.mc is not None:
                log.info("%s/%s: %d draws (%.1f%% rejected), draw %.2fs, solve %.2fs", mult, dist,
                         an.mc.n_drawn, 100 * an.mc.rejection_rate, an.mc.draw_seconds, an.mc.solve_seconds)
    # rows in multiplier-major order, as before
    keys = [(mult, dist) for mult in multipliers for dist in distributions if (mult, dist) in parts]
    summaries = [df for key in keys for df in parts[key][0]]
    dens = [parts[key][1] for key in keys]
    return pd.concat(summaries, ignore_index=True), pd.concat(dens, ignore_index=True)
