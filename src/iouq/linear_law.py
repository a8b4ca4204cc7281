"""Exact distribution of the first-order (linear) term of a multiplier: the quantile control variate.

The first-order perturbation term of multiplier ``j`` is a fixed linear form in the coefficient
perturbations, ``L_j = sum_k c_jk E_k``. When the perturbed coefficients are independent and
symmetric about their centre (``uniform``, ``beta`` and ``normal`` without within-column
correlation) ``E_k = r_k U_k`` with ``r_k = t|a_k|`` and ``U_k`` i.i.d. from a *unit* law on
``[-1, 1]`` (uniform, Beta(3, 3) stretched to ``[-1, 1]``, or ``N(0, 1/3)``), so

    ``phi_j(t) = E exp(i t L_j) = prod_k phi_U(w_jk t)``,  ``w_jk = |c_jk| r_k``.

This module evaluates that law exactly enough to serve as a Monte Carlo control variate for
quantiles (its mean, 0, already serves for the mean):

* weights are measured in units of ``sd_j``; the *large* ones enter through the exact
  characteristic function of the unit law (``sin x / x`` for the uniform, ``15 j_2(x) / x^2``
  for the Beta(3, 3) of :data:`iouq.distributions.BETA_SHAPE`);
* the many small ones through a series ``log phi_U(x) ~ sum_r a_r x^2r`` (degree
  :data:`TERMS` in ``x^2``, least-squares fitted on ``|x| <= X_MAX``; error about 2e-8 for the
  uniform), evaluated with the power sums ``sum_k w_jk^2r``;
* the integration range ``t <= s_max / sd_j`` is where a non-increasing bound of ``|phi_j|``
  falls below :data:`CF_TOL` (tabulated envelopes ``max_{y >= x} |phi_U(y)|`` of the larger
  weights, ``log |phi_U(x)| <= a_1 x^2`` for the rest); a weight is *large* when
  ``w s_max > X_MAX`` (in units of sd), so the series is never used outside its fitted range;
* the CDF and density by the Gil-Pelaez inversion
  ``F(u) = 1/2 + (1/pi) int_0^inf sin(t u) phi(t) / t dt``, ``f(u) = (1/pi) int_0^inf cos(t u)
  phi(t) dt`` by Gauss-Legendre quadrature; quantiles by safeguarded Newton iteration.

A multiplier whose variance is carried by so few coefficients that its characteristic function
decays too slowly (no range up to :data:`S_CAP` sd suffices, or more than :data:`MAX_EXACT`
large weights) is flagged ``ok = False``; callers then fall back to plain sample quantiles.

The quantile control variate (:func:`controlled_quantile`): with ``Y`` the Monte Carlo samples
of the multiplier and ``L`` those of its first-order term (exact ``p``-quantile ``q_L``),
``q̂ = q̂_Y - beta (q̂_L - q_L)`` with ``beta`` the regression coefficient of the Bahadur
representations ``-(1{Y <= q_Y} - p)/f_Y`` on ``-(1{L <= q_L} - p)/f_L``; its standard error is
``sqrt(p (1 - p) (1 - rho^2) / N) / f_Y`` with ``rho`` the correlation of the two indicators
(both evaluated at the sample quantiles; the disagreement of the two indicators is bounded
below by ``3/N`` so that a sample without any disagreement does not give a zero error).
At small tolerances ``Y`` and ``L`` (shifted) almost coincide, ``rho`` is close to 1 and the
quantile needs a small fraction of the draws of the plain estimator (see benchmarks/).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.special import jv, ndtri

from .distributions import BETA_SHAPE

__all__ = ["UNIT_LAWS", "LinearLaw", "linear_law", "controlled_quantile", "unit_log_cf_series"]

#: Coefficient distributions whose first-order term has a law computed here (independent coefficients).
UNIT_LAWS: tuple[str, ...] = ("uniform", "beta", "normal")
#: Initial integration range ``s = t sd <= S_MAX`` (a Gaussian characteristic function is 1.5e-8 there).
S_MAX: float = 6.0
#: Largest integration range (in units of sd); beyond it the multiplier is flagged not ok.
S_CAP: float = 100.0
#: The characteristic function is neglected where a bound of it is below this.
CF_TOL: float = 1e-9
#: Extent of the tabulated envelopes of the unit characteristic functions.
ENV_X: float = 600.0
#: The series for ``log phi_U(x)`` is fitted on ``|x| <= X_MAX``; weights whose ``|w t|`` could
#: exceed it on the integration range are treated exactly.
X_MAX: float = 2.5
#: Degree of the series in ``x^2``.
TERMS: int = 12
#: Gauss-Legendre nodes (plus 6 per unit of the widest range in units of sd).
NODES: int = 128
#: Exactly treated weights per multiplier at most (else the multiplier is flagged not ok).
MAX_EXACT: int = 256


def _unit_variance(distribution: str) -> float:
    """Variance of the unit law: 1/3 (uniform on [-1, 1]; the normal has the uniform's sd) or
    ``1 / (2 alpha + 1)`` for ``2 X - 1``, ``X ~ Beta(alpha, alpha)``, ``alpha = BETA_SHAPE``."""
    if distribution == "beta":
        return 1.0 / (2.0 * BETA_SHAPE + 1.0)
    return 1.0 / 3.0


def _unit_cf(distribution: str, x: np.ndarray) -> np.ndarray:
    """Characteristic function of the unit law at ``x`` (real: the law is symmetric)."""
    x = np.asarray(x, dtype=float)
    if distribution == "uniform":
        return np.sinc(x / math.pi)
    if distribution == "beta":
        # 0F1(; a + 1/2; -x^2/4) = Gamma(a + 1/2) (x/2)^(1/2 - a) J_(a - 1/2)(x), a = BETA_SHAPE
        # (15 j_2(x) / x^2 for a = 3); near 0 its series 1 - x^2 / (2 (2a + 1)) + ...
        a = BETA_SHAPE
        small = np.abs(x) < 1e-3
        xs = np.where(small, 1.0, np.abs(x))
        c1 = 1.0 / (2.0 * (2.0 * a + 1.0))
        c2 = c1 / (4.0 * (2.0 * a + 3.0))
        exact = math.gamma(a + 0.5) * (xs / 2.0) ** (0.5 - a) * jv(a - 0.5, xs)
        return np.where(small, 1.0 - c1 * x * x + c2 * x**4, exact)
    if distribution == "normal":
        return np.exp(-x * x / 6.0)
    raise ValueError(distribution)


@lru_cache(maxsize=None)
def unit_log_cf_series(distribution: str) -> tuple[float, ...]:
    """Coefficients ``a_1..a_TERMS`` with ``log phi_U(x) ~ sum_r a_r x^(2r)`` on ``|x| <= X_MAX``.

    Least-squares fit of ``log phi_U(x) / x^2`` as a polynomial in ``x^2`` (maximum error of
    ``log phi_U`` about 2e-8 for the uniform, 1e-11 for the beta; ``a_1 = -Var U / 2``). The
    normal is exact with one term.
    """
    if distribution == "normal":
        return (-1.0 / 6.0,) + (0.0,) * (TERMS - 1)
    y = np.linspace(1e-8, X_MAX * X_MAX, 4001)
    g = np.log(_unit_cf(distribution, np.sqrt(y))) / y
    poly = np.polynomial.Polynomial.fit(y, g, TERMS - 1, domain=[0.0, X_MAX**2], window=[0.0, X_MAX**2])
    return tuple(float(c) for c in poly.coef)


@dataclass
class LinearLaw:
    """The law of the first-order terms ``L_j = sum_k w_jk U_k`` of a set of multipliers.

    Attributes
    ----------
    distribution : str
    sd : ndarray (m,)
        Exact standard deviation of ``L_j``.
    ok : ndarray of bool (m,)
        Whether the law could be evaluated reliably (else callers use plain estimates).
    exact : ndarray (m, e)
        Large weights divided by ``sd`` (zero-padded), through the unit characteristic function.
    power_sums : ndarray (m, TERMS)
        ``sum (w / sd)^2r`` over the small weights.
    s_max : ndarray (m,)
        Integration range ``t <= s_max / sd``.
    """

    distribution: str
    sd: np.ndarray
    ok: np.ndarray
    exact: np.ndarray
    power_sums: np.ndarray
    s_max: np.ndarray

    def __post_init__(self) -> None:
        self.ok = self.ok & (self.sd > 0)
        smax = np.where(self.ok, self.s_max, S_MAX)  # range in units of sd
        nodes = NODES + int(math.ceil(6.0 * float(smax.max(initial=S_MAX))))
        s, wq = np.polynomial.legendre.leggauss(nodes)
        self._s = 0.5 * smax[:, None] * (s[None, :] + 1.0)  # (m, Q)
        self._wq = 0.5 * smax[:, None] * wq[None, :]
        a = unit_log_cf_series(self.distribution)
        s2 = self._s * self._s
        logphi = np.zeros_like(s2)
        for r in range(TERMS, 0, -1):  # Horner in s^2
            logphi = (logphi + a[r - 1] * self.power_sums[:, r - 1, None]) * s2
        phi = np.exp(logphi)
        for c in range(self.exact.shape[1]):
            phi *= _unit_cf(self.distribution, self.exact[:, c, None] * self._s)
        self._phi = phi

    def cdf_pdf(self, u: np.ndarray, density: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
        """CDF and density of ``L_j`` at ``u[j, ...]`` (deviations from the mean 0); the density
        is None when ``density`` is false (half the work)."""
        u = np.asarray(u, dtype=float)
        sd = np.where(self.sd > 0, self.sd, 1.0)
        shape = u.shape
        uu = (u.reshape(shape[0], -1) / sd[:, None])[:, :, None]  # (m, P, 1) in units of sd
        s = self._s[:, None, :]
        kern = (self._phi * self._wq)[:, None, :]
        F = 0.5 + (np.sin(s * uu) / s * kern).sum(axis=2) / math.pi
        if not density:
            return F.reshape(shape), None
        f = (np.cos(s * uu) * kern).sum(axis=2) / (math.pi * sd[:, None])
        return F.reshape(shape), f.reshape(shape)

    def quantile(self, p: float) -> tuple[np.ndarray, np.ndarray]:
        """Exact ``p``-quantile of every ``L_j`` and the density there.

        Safeguarded Newton on ``F(u) = p`` from the normal quantile, within a bracket kept by
        bisection (``F`` is monotone).
        """
        if not 0.0 < p < 1.0:
            raise ValueError("p must lie in (0, 1)")
        sd = np.where(self.sd > 0, self.sd, 1.0)
        lo, hi = -12.0 * sd, 12.0 * sd
        u = float(ndtri(p)) * sd
        for _ in range(60):
            F, f = self.cdf_pdf(u)
            lo = np.where(F < p, u, lo)
            hi = np.where(F >= p, u, hi)
            with np.errstate(divide="ignore", invalid="ignore"):
                new = u - (F - p) / f
            bad = ~np.isfinite(new) | (new <= lo) | (new >= hi)
            new = np.where(bad, 0.5 * (lo + hi), new)
            done = np.all(np.abs(new - u) <= 1e-12 * sd)
            u = new
            if done:
                break
        _, f = self.cdf_pdf(u)
        return np.where(self.sd > 0, u, 0.0), f


@lru_cache(maxsize=None)
def _log_envelope_table(distribution: str) -> tuple[np.ndarray, np.ndarray]:
    """``log max_{y >= x} |phi_U(y)|`` on a grid of ``x`` in ``[0, ENV_X]`` (non-increasing)."""
    x = np.linspace(0.0, ENV_X, 120001)
    env = np.maximum.accumulate(np.abs(_unit_cf(distribution, x))[::-1])[::-1]
    return x, np.log(np.maximum(env, 1e-300))


def _log_envelope(distribution: str, x: np.ndarray) -> np.ndarray:
    """Non-increasing upper bound of ``log |phi_U(x)|`` for ``x >= 0``."""
    gx, gl = _log_envelope_table(distribution)
    return np.interp(x, gx, gl)  # beyond ENV_X (never reached: x <= S_CAP sqrt(1/Var U)) clipped


def _plan(wn: np.ndarray, distribution: str, rest2: float) -> tuple[np.ndarray, float, bool]:
    """Integration range and exactly treated weights of one multiplier (weights in units of its sd).

    Bound: ``log |phi_U(x)| <= a_1 x^2`` for the non-candidate weights (``x <= X_MAX`` on the
    whole range; all even cumulant terms of the uniform and Beta(3, 3) are negative) and the
    tabulated non-increasing envelopes for the candidates.

    Parameters
    ----------
    wn : ndarray
        Candidate weights (those above ``X_MAX / S_CAP``), any order.
    rest2 : float
        ``sum w^2`` of the other (non-candidate) weights (never clipped for ``s <= S_CAP``).

    Returns
    -------
    exact : ndarray
        Weights ``w > X_MAX / s_max`` (descending): treated exactly, so the series is within its
        fitted range on ``[0, s_max]``.
    s_max : float
        Range (in units of sd) beyond which the bound of ``|phi|`` is below ``CF_TOL``.
    ok : bool
        False when no range up to ``S_CAP`` suffices or there are more than ``MAX_EXACT`` exact terms.
    """
    a1 = unit_log_cf_series(distribution)[0]
    cand = np.sort(wn)[::-1]
    grid = np.linspace(0.0, S_CAP, int(4 * S_CAP) + 1)[1:]
    log_b = a1 * rest2 * grid * grid
    if cand.size:
        log_b = log_b + _log_envelope(distribution, cand[:, None] * grid[None, :]).sum(axis=0)
    below = np.flatnonzero(log_b < math.log(CF_TOL))
    if not below.size:
        return cand[:MAX_EXACT], S_CAP, False
    s_max = float(grid[below[0]])
    m = int(np.count_nonzero(cand > X_MAX / s_max))
    return cand[:m], s_max, m <= MAX_EXACT


def linear_law(distribution: str, weights_blocks) -> LinearLaw:
    """Build a :class:`LinearLaw` from the weights ``w_jk >= 0``.

    Parameters
    ----------
    distribution : {'uniform', 'beta', 'normal'}
    weights_blocks : iterable of ndarray (K, b)
        Column blocks of the weight matrix (coefficients x multipliers), in multiplier order;
        consumed one at a time so the whole matrix need not be held (n^3 entries at n = 500).
    """
    if distribution not in UNIT_LAWS:
        raise ValueError(f"no exact linear law for '{distribution}'")
    var_u = _unit_variance(distribution)
    floor = X_MAX / S_CAP
    sds, exacts, sums, oks, spans = [], [], [], [], []
    for W in weights_blocks:
        W = np.abs(np.asarray(W, dtype=float))
        b = W.shape[1]
        sd = np.sqrt(var_u * np.einsum("kj,kj->j", W, W))
        Wn = W / np.where(sd > 0, sd, 1.0)[None, :]
        # normal: Gaussian, the one-term series is exact for every weight
        is_cand = Wn > floor if distribution != "normal" else np.zeros_like(Wn, dtype=bool)
        small2 = np.where(is_cand, 0.0, Wn * Wn)
        rest = np.empty((b, TERMS))
        acc = small2.copy()
        for r in range(TERMS):
            rest[:, r] = acc.sum(axis=0)
            if r + 1 < TERMS:
                acc *= small2
        chosen, ok, span, ps = [], np.ones(b, dtype=bool), np.full(b, S_MAX), rest.copy()
        for j in range(b):
            if sd[j] == 0 or not is_cand[:, j].any():
                chosen.append(np.zeros(0))
                continue
            cj = Wn[is_cand[:, j], j]
            ex, span[j], ok[j] = _plan(cj, distribution, float(rest[j, 0]))
            chosen.append(ex)
            small = np.sort(cj)[::-1][ex.size :] ** 2  # candidates left to the series
            ps[j] += (small[:, None] ** np.arange(1, TERMS + 1)[None, :]).sum(axis=0)
        ex = np.zeros((b, max((c.size for c in chosen), default=0)))
        for j, c in enumerate(chosen):
            ex[j, : c.size] = c
        sds.append(sd)
        exacts.append(ex)
        sums.append(ps)
        oks.append(ok)
        spans.append(span)
    e = max((x.shape[1] for x in exacts), default=0)
    exact = np.concatenate([np.pad(x, ((0, 0), (0, e - x.shape[1]))) for x in exacts]) if exacts else np.zeros((0, 0))
    return LinearLaw(distribution, np.concatenate(sds), np.concatenate(oks), exact,
                     np.concatenate(sums) if sums else np.zeros((0, TERMS)),
                     np.concatenate(spans) if spans else np.zeros(0))


def controlled_quantile(Y: np.ndarray, L: np.ndarray, p: float, qL: np.ndarray, fL: np.ndarray,
                        fY: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Control-variate estimate of the ``p``-quantile of every column of ``Y`` and its standard error.

    Parameters
    ----------
    Y, L : ndarray (N, m)
        Monte Carlo samples of the multipliers and of their first-order terms (same draws).
    p : float
    qL, fL : ndarray (m,)
        Exact ``p``-quantile of ``L`` and the density of ``L`` there.
    fY : ndarray (m,)
        Density of ``Y`` at its sample quantile (e.g. a kernel estimate).

    Returns
    -------
    q, se : ndarray (m,)
    """
    n = Y.shape[0]
    qY = np.quantile(Y, p, axis=0)
    qLhat = np.quantile(L, p, axis=0)
    # plug-in indicators at the sample quantiles (at the exact q_L the sampling noise of q̂_Y
    # would masquerade as disagreement between Y and L and understate the correlation)
    IY = (Y <= qY).astype(float)
    IL = (L <= qLhat).astype(float)
    mY, mL = IY.mean(axis=0), IL.mean(axis=0)
    vY = (IY * IY).mean(axis=0) - mY**2
    vL = (IL * IL).mean(axis=0) - mL**2
    c = (IY * IL).mean(axis=0) - mY * mL
    # When Y and L rank the draws near the quantile (almost) identically, the observed
    # disagreement P(IY != IL) can be 0 and rho exactly 1: the standard error would be 0. Bound
    # the disagreement below by 3/N (upper 95% bound for no event in N draws, "rule of three")
    # and use the implied 1 - rho ~ P(disagree) / (2 sqrt(vY vL)), so that the error is never
    # understated.
    dis = np.maximum((IY != IL).mean(axis=0), 3.0 / n)
    with np.errstate(divide="ignore", invalid="ignore"):
        v = np.sqrt(vY * vL)
        rho = np.clip(np.where(v > 0, np.minimum(c / v, 1.0 - dis / (2.0 * v)), 0.0), -1.0, 1.0)
        # regression of -(IY - p)/fY on -(IL - p)/fL
        beta = np.where((vL > 0) & (fY > 0), c * fL / (vL * fY), 0.0)
        se = np.where(fY > 0, np.sqrt(p * (1 - p) * (1.0 - rho**2) / n) / fY, 0.0)
    return qY - beta * (qLhat - qL), se
