"""Coefficient distributions tied to the relative tolerance ``t`` of the interval box.

Every distribution perturbs only the non-zero coefficients of a matrix ``M`` (``A`` or the
household-closed matrix; zero coefficients stay zero) and is centred on ``M`` (mean ``a``),
with a spread set by the same tolerance ``t`` as the interval box ``[a - t|a|, a + t|a|]``,
so that the interval, stochastic and importance methods are comparable side by side.
Write ``r = t|a|`` for the half-width of the box.

``uniform``
    Uniform on the box: sd ``r / sqrt(3)``.
``beta``
    Symmetric PERT distribution on the box: ``a - r + 2r X`` with ``X ~ Beta(3, 3)`` (PERT with
    the mode at ``a``: shape ``1 + 4 * 1/2 = 3``); sd ``r / sqrt(7)``, excess kurtosis ``-2/3``.
``normal``
    West's (1986) assumption: ``N(a, (r/sqrt 3)^2)``, the sd of the uniform box. Unbounded:
    draws that make the economy non-productive are rejected by the Monte Carlo code, which
    reports the rejection rate (and refuses when most draws are rejected).
``lognormal``
    ``sign(a) |a| X`` with ``log X ~ N(-s^2/2, s^2)``, ``s^2 = log(1 + (t/sqrt 3)^2)``: the same
    mean and sd as ``normal``, sign of ``a`` kept (never crosses zero), right-skewed.
``dirichlet``
    Column-consistent (ten Raa & Steel 1994 style). For column ``l`` the shares
    ``p_kl = |a_kl| / T_l`` of its non-zero coefficients plus the remainder share
    ``1 - sum_k p_kl`` (value added) form a composition drawn from
    ``Dirichlet(alpha_l * p_l)``; the sign of each coefficient is kept. ``T_l = 1`` (the column
    of a productive table is a share of output); a column whose absolute sum is 1 or more
    (e.g. a household consumption column with dissaving) has no room for a remainder and is
    drawn as shares of its own total, ``T_l = sum_k |a_kl|`` (column total held fixed).
    ``Var(a_kl) = T_l^2 p_kl (1 - p_kl) / (alpha_l + 1)``; the concentration ``alpha_l`` is chosen
    per column so that the *average* coefficient sd over the column's non-zero entries equals
    that of the uniform box: ``sqrt(alpha_l + 1) = sum_k sqrt(p_kl (1 - p_kl)) /
    sum_k (t p_kl / sqrt 3)``. Column sums stay below 1 (draws are always productive when
    every column has a positive remainder) and coefficients within a column are negatively
    correlated.

Correlation (optional): ``correlation = rho`` makes the coefficients *within each column*
equicorrelated through a Gaussian copula with correlation ``rho`` (normal: exact Pearson
correlation ``rho``; uniform: ``(6/pi) arcsin(rho/2)``; lognormal:
``(exp(rho s^2) - 1)/(exp(s^2) - 1)`` times the product of the signs). Columns stay independent.
Supported for ``uniform``, ``normal`` and ``lognormal``.

All samplers take an explicit :class:`numpy.random.Generator`; nothing touches global state.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr

from .errors import IOUQError

__all__ = [
    "DISTRIBUTIONS",
    "BETA_SHAPE",
    "CORRELATED",
    "CoefficientModel",
    "check_distribution",
    "coefficient_sd",
    "coefficient_model",
    "sample_coefficients",
    "sample_values",
]

DISTRIBUTIONS: tuple[str, ...] = ("uniform", "beta", "normal", "lognormal", "dirichlet")
#: Shape of the symmetric beta (PERT) distribution on the box.
BETA_SHAPE: float = 3.0
#: Distributions that support within-column correlation.
CORRELATED: frozenset[str] = frozenset({"uniform", "normal", "lognormal"})
#: Distributions whose support is the tolerance box (every draw lies in the box).
BOUNDED_ON_BOX: frozenset[str] = frozenset({"uniform", "beta"})


def check_distribution(distribution: str) -> str:
    """Return ``distribution`` if known, else raise :class:`IOUQError` listing the choices."""
    if distribution not in DISTRIBUTIONS:
        raise IOUQError(
            f"unknown coefficient distribution '{distribution}'; choose one of {', '.join(DISTRIBUTIONS)}."
        )
    return distribution


def _check_tol(tol: float) -> float:
    try:
        t = float(tol)
    except (TypeError, ValueError):
        raise IOUQError(f"tolerance must be a number, got {tol!r}.") from None
    if not math.isfinite(t) or t < 0 or t >= 1:
        raise IOUQError(f"tolerance must be a fraction with 0 <= t < 1 (0.01 means ±1%), got {tol!r}.")
    return t


def _check_correlation(correlation: float, distribution: str) -> float:
    try:
        rho = float(correlation)
    except (TypeError, ValueError):
        raise IOUQError(f"correlation must be a number in [0, 1), got {correlation!r}.") from None
    if not (0.0 <= rho < 1.0):
        raise IOUQError(f"within-column correlation must lie in [0, 1), got {correlation!r}.")
    if rho > 0 and distribution not in CORRELATED:
        raise IOUQError(
            f"within-column correlation is not available for the '{distribution}' distribution; "
            f"use one of {', '.join(sorted(CORRELATED))} or set the correlation to 0."
        )
    return rho


def _lognormal_s2(t: float) -> float:
    return math.log1p(t * t / 3.0)


def _dirichlet_columns(M: np.ndarray, t: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Column totals ``T``, remainder shares and concentrations ``alpha`` of the dirichlet model."""
    absM = np.abs(M)
    colsum = absM.sum(axis=0)
    T = np.where(colsum < 1.0, 1.0, np.where(colsum > 0, colsum, 1.0))
    P = absM / T
    remainder = np.clip(1.0 - P.sum(axis=0), 0.0, None)
    remainder = np.where(colsum < 1.0, remainder, 0.0)
    num = np.sqrt(P * (1.0 - P)).sum(axis=0)
    den = (t / math.sqrt(3.0)) * P.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        # num == 0: a single coefficient that is the whole column total: it cannot vary
        alpha = np.where((den > 0) & (num > 0), (num / den) ** 2 - 1.0, np.inf)
    if np.any(alpha <= 0):
        raise IOUQError(
            f"tolerance {t:g} is too wide for the dirichlet distribution (a column would need a "
            "non-positive concentration); use a smaller tolerance or another distribution."
        )
    return T, remainder, alpha


def coefficient_sd(M: np.ndarray, tol: float, distribution: str = "uniform") -> np.ndarray:
    """Standard deviation of every coefficient under a distribution tied to the tolerance.

    Parameters
    ----------
    M : ndarray, shape (N, N)
        Coefficient matrix (``A`` or the household-closed matrix); may contain negative entries.
    tol : float
        Relative half-width ``t`` of the box ``[a - t|a|, a + t|a|]`` (0.01 = ±1%).
    distribution : {'uniform', 'beta', 'normal', 'lognormal', 'dirichlet'}

    Returns
    -------
    ndarray, shape (N, N)
        ``sd(a_ij)``; zero where ``a_ij = 0``. ``uniform``, ``normal`` and ``lognormal``:
        ``t|a|/sqrt(3)``; ``beta`` (PERT Beta(3,3) on the box): ``t|a|/sqrt(7)``;
        ``dirichlet``: ``T_l sqrt(p (1-p) / (alpha_l + 1))`` (see the module docstring; the
        column average equals the uniform box's).

    Examples
    --------
    >>> import numpy as np
    >>> coefficient_sd(np.array([[0.15, 0.25], [0.2, 0.05]]), 0.1 * 3**0.5, "normal").round(3)
    array([[0.015, 0.025],
           [0.02 , 0.005]])
    """
    check_distribution(distribution)
    t = _check_tol(tol)
    M = np.asarray(M, dtype=float)
    r = t * np.abs(M)
    if distribution in ("uniform", "normal", "lognormal"):
        return r / math.sqrt(3.0)
    if distribution == "beta":
        return r / math.sqrt(2.0 * BETA_SHAPE + 1.0)
    if t == 0:
        return np.zeros_like(M)
    T, _, alpha = _dirichlet_columns(M, t)
    P = np.abs(M) / T
    return T * np.sqrt(P * (1.0 - P) / (alpha + 1.0))


@dataclass(frozen=True)
class CoefficientModel:
    """A fully specified distribution of the coefficients of one matrix.

    The covariance of column ``l`` (over its rows) is
    ``diag(var_diag[:, l]) + rank1_sign[l] * outer(rank1[:, l], rank1[:, l])``; columns are
    independent. ``kappa3``/``kappa4`` are the third and fourth cumulants of each coefficient
    (used by the perturbation skewness; zero for the correlated and dirichlet models, whose
    non-Gaussian part is handled separately or neglected).

    Attributes
    ----------
    center : ndarray (N, N)
    tol : float
    distribution : str
    correlation : float
    rows, cols : ndarray of int
        Positions of the perturbed (non-zero) coefficients, ordered column by column.
    sd, var_diag, rank1 : ndarray (N, N)
    rank1_sign : ndarray (N,)
    kappa3, kappa4 : ndarray (N, N)
    total, remainder, alpha : ndarray (N,) or None
        Dirichlet column totals, remainder shares and concentrations.
    """

    center: np.ndarray
    tol: float
    distribution: str
    correlation: float
    rows: np.ndarray
    cols: np.ndarray
    sd: np.ndarray
    var_diag: np.ndarray
    rank1: np.ndarray
    rank1_sign: np.ndarray
    kappa3: np.ndarray
    kappa4: np.ndarray
    total: np.ndarray | None = None
    remainder: np.ndarray | None = None
    alpha: np.ndarray | None = None

    @property
    def size(self) -> int:
        """Number of perturbed coefficients."""
        return int(self.rows.size)

    @property
    def lower(self) -> np.ndarray:
        """Lower end of the tolerance box."""
        return self.center - self.tol * np.abs(self.center)

    @property
    def upper(self) -> np.ndarray:
        """Upper end of the tolerance box."""
        return self.center + self.tol * np.abs(self.center)


def coefficient_model(M: np.ndarray, tol: float, distribution: str, correlation: float = 0.0) -> CoefficientModel:
    """Build the :class:`CoefficientModel` of ``M`` for a tolerance and a distribution.

    Parameters
    ----------
    M : ndarray (N, N)
    tol : float
    distribution : str
        One of :data:`DISTRIBUTIONS`.
    correlation : float
        Within-column Gaussian-copula correlation in ``[0, 1)`` (see module docstring).
    """
    check_distribution(distribution)
    t = _check_tol(tol)
    rho = _check_correlation(correlation, distribution)
    M = np.array(M, dtype=float)
    N = M.shape[0]
    cols, rows = np.nonzero(M.T)  # column-major order: grouped by column
    sd = coefficient_sd(M, t, distribution)
    var = sd**2
    zeros = np.zeros_like(M)
    sign = np.sign(M)
    kw: dict = {}
    k3, k4 = zeros, zeros
    rank1, rank1_sign = zeros, np.zeros(N)
    var_diag = var
    if distribution == "dirichlet":
        if t > 0:
            T, rem, alpha = _dirichlet_columns(M, t)
        else:
            T, rem, alpha = np.ones(N), np.zeros(N), np.full(N, np.inf)
        kw = dict(total=T, remainder=rem, alpha=alpha)
        with np.errstate(invalid="ignore"):
            scale = np.where(np.isfinite(alpha), 1.0 / (alpha + 1.0), 0.0)
        var_diag = np.abs(M) * T * scale  # T^2 p / (alpha+1)
        rank1 = M * np.sqrt(scale)  # T s p / sqrt(alpha+1)
        rank1_sign = -np.ones(N)
    elif rho > 0:
        if distribution == "normal":
            rp = rho
        elif distribution == "uniform":
            rp = 6.0 / math.pi * math.asin(rho / 2.0)
        else:
            s2 = _lognormal_s2(t)
            rp = math.expm1(rho * s2) / math.expm1(s2) if s2 > 0 else rho
        var_diag = (1.0 - rp) * var
        rank1 = math.sqrt(rp) * sd * (sign if distribution == "lognormal" else 1.0)
        rank1_sign = np.ones(N)
    else:
        if distribution == "uniform":
            k4 = -1.2 * var**2
        elif distribution == "beta":
            k4 = (-6.0 / (2.0 * BETA_SHAPE + 3.0)) * var**2
        elif distribution == "lognormal":
            s2 = _lognormal_s2(t)
            w = math.exp(s2)
            skew = (w + 2.0) * math.sqrt(w - 1.0)
            exkurt = w**4 + 2 * w**3 + 3 * w**2 - 6.0
            k3 = sign * skew * sd**3
            k4 = exkurt * var**2
    return CoefficientModel(
        center=M, tol=t, distribution=distribution, correlation=rho, rows=rows, cols=cols, sd=sd,
        var_diag=var_diag, rank1=rank1, rank1_sign=rank1_sign, kappa3=k3, kappa4=k4, **kw,
    )


def _copula_normals(model: CoefficientModel, rng: np.random.Generator, size: int) -> np.ndarray:
    """Standard normals for the perturbed coefficients, equicorrelated within columns."""
    z = rng.standard_normal((size, model.size))
    if model.correlation > 0:
        zc = rng.standard_normal((size, model.center.shape[0]))
        z *= math.sqrt(1.0 - model.correlation)
        z += math.sqrt(model.correlation) * zc[:, model.cols]
    return z


def sample_values(model: CoefficientModel, rng: np.random.Generator, size: int) -> np.ndarray:
    """Draw the perturbed coefficients only.

    Returns
    -------
    ndarray, shape (size, model.size)
        Values of the coefficients at ``(model.rows, model.cols)``, in that order.
    """
    if size < 0:
        raise IOUQError(f"sample size must be >= 0, got {size}.")
    a = model.center[model.rows, model.cols]
    t = model.tol
    r = t * np.abs(a)
    dist = model.distribution
    if model.size == 0 or t == 0:
        return np.broadcast_to(a, (size, model.size)).copy()
    if dist == "uniform":
        u = ndtr(_copula_normals(model, rng, size)) if model.correlation > 0 else rng.random((size, model.size))
        return (a - r) + (2.0 * r) * u
    if dist == "beta":
        return (a - r) + (2.0 * r) * rng.beta(BETA_SHAPE, BETA_SHAPE, (size, model.size))
    if dist == "normal":
        z = _copula_normals(model, rng, size) if model.correlation > 0 else rng.standard_normal((size, model.size))
        return a + (r / math.sqrt(3.0)) * z
    if dist == "lognormal":
        s = math.sqrt(_lognormal_s2(t))
        z = _copula_normals(model, rng, size) if model.correlation > 0 else rng.standard_normal((size, model.size))
        return a * np.exp(s * z - 0.5 * s * s)
    # dirichlet: gamma draws per entry and for each column's remainder, normalised per column
    # columns with infinite concentration (a single coefficient making up the column total) are fixed
    free = np.isfinite(model.alpha[model.cols])
    if not free.any():
        return np.broadcast_to(a, (size, model.size)).copy()
    out = np.empty((size, model.size))
    if not free.all():
        out[:, ~free] = a[~free]  # columns fixed at their centre
    alpha = np.where(np.isfinite(model.alpha), model.alpha, 0.0)
    fcols = model.cols[free]
    P = np.abs(a[free]) / model.total[fcols]
    ucols, starts = np.unique(fcols, return_index=True)
    rem_shape = alpha[ucols] * model.remainder[ucols]
    has_rem = np.flatnonzero(rem_shape > 0)
    # one gamma call (row-major fill) so that drawing in pieces gives the same stream
    shapes = np.concatenate([alpha[fcols] * P, rem_shape[has_rem]])
    nf = int(free.sum())
    gall = rng.standard_gamma(shapes, (size, shapes.size))
    positions = np.searchsorted(model.cols, ucols)  # first slot of each free column in ``out``
    return _normalise_columns(gall, nf, starts, has_rem, model.total[ucols], np.sign(a[free]), positions, out)


def _normalise_columns(gall: np.ndarray, nf: int, starts: np.ndarray, has_rem: np.ndarray, total: np.ndarray,
                       sign: np.ndarray, positions: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Dirichlet compositions from gamma draws, scaled to the column totals, written into ``out``.

    ``gall[:, :nf]`` are the gamma draws of the free coefficients (grouped by column, columns
    starting at ``starts``), ``gall[:, nf:]`` those of the remainders of the columns
    ``has_rem``; coefficient ``k`` of column ``l`` becomes ``sign_k T_l g_k / (sum_col g +
    g_rem)`` and goes to ``out[:, positions[l] + (k - starts[l])]``. One division per column
    and draw, then in-place products on contiguous column slices (no (size, nf) temporaries:
    the earlier per-coefficient division and masked assignment cost more than the gamma draws).
    """
    g = gall[:, :nf]
    tot = np.add.reduceat(g, starts, axis=1)
    if has_rem.size:
        tot[:, has_rem] += gall[:, nf:]
    np.divide(total, tot, out=tot)  # T_l / column total
    ends = np.append(starts[1:], nf)
    for c, (s0, s1, p0) in enumerate(zip(starts, ends, positions)):
        dst = out[:, p0 : p0 + (s1 - s0)]
        np.multiply(g[:, s0:s1], tot[:, c : c + 1], out=dst)
        sg = sign[s0:s1]
        if np.any(sg < 0):
            dst *= sg
    return out


def sample_coefficients(model: CoefficientModel, rng: np.random.Generator, size: int) -> np.ndarray:
    """Draw ``size`` full coefficient matrices.

    Returns
    -------
    ndarray, shape (size, N, N)
        Each matrix equals ``model.center`` except at the perturbed coefficients.
    """
    vals = sample_values(model, rng, size)
    out = np.broadcast_to(model.center, (size,) + model.center.shape).copy()
    out[:, model.rows, model.cols] = vals
    return out
