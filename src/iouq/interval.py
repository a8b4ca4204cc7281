"""Interval enclosures of the Leontief inverse and the multipliers over a coefficient box.

The box: every coefficient ``a_ij`` of the matrix the quantity depends on lies in
``[a_ij - t|a_ij|, a_ij + t|a_ij|]`` (zero stays zero). Type I output multipliers use ``A``; Type II
quantities use the household-closed matrix ``Ā = [[A, c], [h', a_hh]]``; the Type I income
multiplier uses ``A`` and the household row ``h``.

Methods
-------
``naive``
    Ordinary interval arithmetic as published papers used it: interval Gauss-Jordan inversion of
    ``I - A`` followed by interval sums, products and divisions. Reproduces Jerrell (1995).
    Ratio multipliers suffer from the dependency problem (``h_j`` enters twice).
``sharp``
    The exact range over the box, evaluated in floating point. Every quantity is written as a
    function of the coefficients whose partial derivatives have a proven constant sign over the
    box (``dl_kl/da_ij = l_ki l_jl``), so its extremes sit at known vertices (Rohn 1980; Kuttler
    1971; Neumaier 1990). Ratio multipliers ``l̄_hj / a_hj`` are not monotone in their own
    denominator; along that one coordinate the Sherman-Morrison formula gives the function in
    closed form, ``f(d) = (p + r d) / ((1 - s d)(a + d))``, whose critical points solve a quadratic,
    so the 1-D extremes are exact too.
``verified``
    The same extremes with rigorous a-posteriori error bounds (:mod:`iouq.verified`): the result
    is guaranteed to contain the exact range of the (outward-rounded) box.

The general case. Real tables can have negative coefficients; then ``L`` may have negative
entries and the two-vertex rule is wrong. The signs of ``l_ki`` over the whole box are then
determined from a rigorous enclosure of ``L`` over the box
(``|L(A) - L(A_c)| <= |L(A_c)| Δ K`` with ``K >= |L(A)|`` from the comparison matrix). Where every
sign is proven, the extremes are at (possibly several) known vertices and the result is
``exact``. Where a sign is not determined, that coordinate is held at the centre and its effect is
bounded by the mean-value theorem, ``Δ_ij sup|dφ/da_ij|``, giving an ``enclosure``.

Every result carries ``exactness``: ``exact`` (the bounds are the range, up to rounding for
``sharp`` and rigorously for ``verified``) or ``enclosure`` (an outer bound).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import BoxNotProductiveError, IOUQError, VerificationError
from .multipliers import MULTIPLIERS, TYPE2, check_multiplier
from .quantities import check_quantity, check_sat_tol, is_satellite, satellite_matrix, satellite_scale
from .table import IOTable, spectral_radius
from .verified import Iv, VerifiedSolver, down, matmul_error_bound, up

__all__ = [
    "METHODS",
    "CoefficientBox",
    "coefficient_box",
    "check_tolerance",
    "check_box_productive",
    "critical_tolerance",
    "interval_gauss_jordan",
    "interval_inverse",
    "interval_multiplier",
    "interval_output",
    "interval_table",
    "jerrell_comparison",
    "satellite_interval",
]

METHODS: tuple[str, ...] = ("naive", "sharp", "verified")


# ============================================================================ the box
@dataclass(frozen=True)
class CoefficientBox:
    """An interval matrix ``[lo, hi]`` around a point matrix ``center``.

    Attributes
    ----------
    center, lo, hi : ndarray
        Point matrix and the (floating-point) endpoints of the box.
    tol : float
        The relative tolerance that made the box.
    rigorous : bool
        Whether the endpoints were rounded outward (they then contain the exact real box).
    """

    center: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    tol: float
    rigorous: bool

    @property
    def radius(self) -> np.ndarray:
        """An upper bound of the half-width, elementwise."""
        return up(np.maximum(self.hi - self.center, self.center - self.lo))

    def vertex(self, pattern: np.ndarray) -> np.ndarray:
        """The box point with ``hi`` where ``pattern > 0``, ``lo`` where ``< 0``, else the centre."""
        return np.where(pattern > 0, self.hi, np.where(pattern < 0, self.lo, self.center))

    @property
    def nonnegative(self) -> bool:
        return bool(np.all(self.lo >= 0))


def check_tolerance(tol: float) -> float:
    """Validate a relative tolerance: a finite number with ``0 <= tol < 1``."""
    try:
        t = float(tol)
    except (TypeError, ValueError):
        raise IOUQError(f"tolerance must be a number, got {tol!r}.") from None
    if not math.isfinite(t) or t < 0:
        raise IOUQError(f"tolerance must be a finite number >= 0 (e.g. 0.01 for ±1%), got {tol!r}.")
    if t >= 1:
        raise IOUQError(
            f"tolerance {t:g} is ±{100 * t:g}%: a box this wide lets coefficients change sign. "
            "Give the tolerance as a fraction below 1 (0.01 means ±1%)."
        )
    return t


def coefficient_box(M: np.ndarray, tol: float, rigorous: bool = False) -> CoefficientBox:
    """The box ``[M - t|M|, M + t|M|]``; outward rounded when ``rigorous``."""
    t = check_tolerance(tol)
    M = np.asarray(M, dtype=float)
    if rigorous:
        rad = np.where((M == 0) | (t == 0), 0.0, up(up(t) * np.abs(M)))
        lo, hi = down(M - rad), up(M + rad)
        lo = np.where(rad == 0, M, lo)
        hi = np.where(rad == 0, M, hi)
    else:
        rad = t * np.abs(M)
        lo, hi = M - rad, M + rad
    return CoefficientBox(center=M, lo=lo, hi=hi, tol=t, rigorous=rigorous)


def _magnitude_matrix(box: CoefficientBox) -> np.ndarray:
    """``Â = max(|lo|, |hi|)`` elementwise, the diagonal included: ``|A| <= Â`` for every member, so
    ``rho(Â) < 1`` proves ``rho(A) <= rho(|A|) < 1`` for all of them. (The comparison matrix
    of ``I - A`` alone, with ``|1 - a_ii|`` on the diagonal, would not: it also certifies
    ``a_ii > 1`` or ``a_ii < -1``, where ``I - A`` is invertible but the economy not productive.)"""
    return np.maximum(np.abs(box.lo), np.abs(box.hi))


def check_box_productive(M: np.ndarray, tol: float, what: str = "the coefficient matrix") -> None:
    """Raise :class:`~iouq.errors.BoxNotProductiveError` unless every matrix in the box
    ``[M - t|M|, M + t|M|]`` is productive; the message names the tolerance where productivity
    is lost (or says why no tolerance is productive)."""
    _box_solver(coefficient_box(M, tol), what)


def critical_tolerance(M: np.ndarray) -> float:
    """The tolerance ``t*`` with ``(1 + t*) rho(|M|) = 1`` from which the box around ``M`` is no longer
    certified productive (``inf`` for a zero matrix; ``0`` when ``rho(|M|) >= 1``)."""
    rho0 = spectral_radius(np.abs(np.asarray(M, dtype=float)))
    if rho0 == 0:
        return math.inf
    return max(0.0, 1.0 / rho0 - 1.0)


def _box_solver(box: CoefficientBox, what: str) -> VerifiedSolver:
    """Certify that every matrix in the box is productive; return the solver of ``I - Â``.

    Raises :class:`BoxNotProductiveError` naming the tolerance at which productivity is lost.
    """
    mag = _magnitude_matrix(box)
    solver = VerifiedSolver.leontief(mag)
    reason = "a diagonal coefficient reaches 1 in absolute value"
    if np.all(np.diag(mag) < 1.0):  # I - Â is then a Z-matrix with a positive diagonal
        try:
            solver.certify()  # v > 0 with (I - Â) v > 0: rho(Â) < 1, every member is productive
            return solver
        except VerificationError as exc:
            reason = str(exc)
    rho = spectral_radius(mag)
    rho0 = spectral_radius(np.abs(box.center))
    if not rho0 < 1.0:
        # No tolerance helps: the centre itself (or its comparison matrix) is not productive.
        rho_c = spectral_radius(box.center)
        if not rho_c < 1.0:
            cause = (f"the matrix itself is not productive (spectral radius {rho_c:.6g} >= 1), at every "
                     "tolerance including 0")
            if "household" in what:
                cause += (": with households endogenous, a unit of household income induces at least a unit "
                          "of further income (household consumption coefficients times income coefficients "
                          "too large), so Type II quantities are undefined; check the household income row and "
                          "consumption column, or use Type I quantities")
        else:
            cause = (f"its absolute-value matrix |A| has spectral radius {rho0:.6g} >= 1 (negative coefficients "
                     "cancel in A but not in |A|), so no tolerance box around it can be certified productive; "
                     "the interval methods need rho(|A|) < 1")
        raise BoxNotProductiveError(f"{what}: {cause}.", tol=box.tol, critical_tol=0.0)
    critical = (1.0 / rho0 - 1.0) if rho0 > 0 else math.inf
    if rho >= 1.0 and box.nonnegative:
        detail = (f"its upper vertex has spectral radius {rho:.4f} >= 1, so some matrices in the box "
                  "have no meaningful Leontief inverse")
    elif rho >= 1.0:
        detail = (f"the largest absolute values in the box have spectral radius {rho:.4f} >= 1, so "
                  "productivity of every member cannot be proven (with negative coefficients some "
                  "members may still be productive; the methods refuse rather than guess)")
    else:
        detail = f"productivity could not be certified in double precision ({reason})"
    raise BoxNotProductiveError(
        f"{what}: the tolerance box ±{100 * box.tol:g}% leaves the productive region: {detail}. "
        f"Productivity is lost at tolerance {critical:.6g} (±{100 * critical:.4g}%, where "
        f"(1+t)·rho(|A|) = 1 with rho(|A|) = {rho0:.6g}); use a tolerance below {critical:.6g}.",
        tol=box.tol,
        critical_tol=critical,
    )


# ============================================================================ naive method
def _imul(al, ah, bl, bh):
    p = np.stack(np.broadcast_arrays(al * bl, al * bh, ah * bl, ah * bh))
    return p.min(axis=0), p.max(axis=0)


def _idiv(al, ah, bl, bh):
    if np.any((bl <= 0) & (bh >= 0)):
        raise IOUQError(
            "naive interval arithmetic broke down: a divisor interval contains zero "
            "(the box is too wide for interval elimination); use method 'sharp' or 'verified'."
        )
    return _imul(al, ah, 1.0 / bh, 1.0 / bl)


def interval_gauss_jordan(Mlo: np.ndarray, Mhi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inverse of the interval matrix ``[Mlo, Mhi]`` by interval Gauss-Jordan elimination.

    Ordinary (not outward-rounded) interval arithmetic, no pivoting: the textbook method used
    by the interval input-output literature. For an M-matrix it returns the hull of the inverse.
    """
    n = Mlo.shape[0]
    Xl = np.hstack([np.array(Mlo, dtype=float), np.eye(n)])
    Xh = np.hstack([np.array(Mhi, dtype=float), np.eye(n)])
    for k in range(n):
        rl, rh = _idiv(Xl[k], Xh[k], Xl[k, k], Xh[k, k])
        Xl[k], Xh[k] = rl, rh
        others = np.arange(n) != k
        ql, qh = _imul(Xl[others, k][:, None], Xh[others, k][:, None], rl[None, :], rh[None, :])
        Xl[others] -= qh
        Xh[others] -= ql
    return Xl[:, n:], Xh[:, n:]


def _naive_multiplier(table: IOTable, tol: float, multiplier: str) -> tuple[np.ndarray, np.ndarray]:
    n = table.n
    if multiplier in TYPE2:
        box = coefficient_box(table.closed_matrix(), tol)
    else:
        box = coefficient_box(table.A, tol)
    _box_solver(box, f"table '{table.name}'")
    I = np.eye(box.center.shape[0])
    Llo, Lhi = interval_gauss_jordan(I - box.hi, I - box.lo)
    if multiplier in ("output_type1", "output_type2"):
        return Llo[:n, :n].sum(axis=0), Lhi[:n, :n].sum(axis=0)
    if multiplier == "income_type2":
        hbox = box
        num_lo, num_hi = Llo[n, :n], Lhi[n, :n]
    else:
        hbox = coefficient_box(table.household_income, tol)
        pl, ph = _imul(hbox.lo[:, None], hbox.hi[:, None], Llo, Lhi)
        num_lo, num_hi = pl.sum(axis=0), ph.sum(axis=0)
    h_lo = hbox.lo[n, :n] if multiplier == "income_type2" else hbox.lo
    h_hi = hbox.hi[n, :n] if multiplier == "income_type2" else hbox.hi
    lo, hi = np.full(n, np.nan), np.full(n, np.nan)
    ok = table.household_income != 0
    lo[ok], hi[ok] = _idiv(num_lo[ok], num_hi[ok], h_lo[ok], h_hi[ok])
    return lo, hi


# ============================================================================ sign analysis
@dataclass
class _Signs:
    """Signs of ``L(A)`` over the box and magnitude bounds.

    ``S[k, l]`` is +1/-1 when the sign of ``l_kl`` is proven constant over the box, 0 when
    ``l_kl`` is identically zero there, NaN when undetermined. ``K >= |L(A)|`` over the box
    (only in the general case).
    """

    S: np.ndarray
    K: np.ndarray | None
    general: bool
    lower: np.ndarray | None = None
    upper: np.ndarray | None = None


def _reachability(mask: np.ndarray) -> np.ndarray:
    """Boolean ``R[k, l]``: ``l_kl`` is not identically zero for the sparsity pattern ``mask``
    (a walk from k to l, or k == l)."""
    N = mask.shape[0]
    R = (mask | np.eye(N, dtype=bool)).astype(float)
    while True:
        R2 = ((R @ R) > 0).astype(float)
        if np.array_equal(R2, R):
            return R.astype(bool)
        R = R2


def _iv_matmul(Al: np.ndarray, Ah: np.ndarray, Bl: np.ndarray, Bh: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rigorous enclosure of the interval matrix product ``[Al, Ah] @ [Bl, Bh]``
    (midpoint-radius arithmetic with floating-point error bounds)."""
    Ac, Bc = 0.5 * (Al + Ah), 0.5 * (Bl + Bh)
    Ar = up(np.maximum(Ah - Ac, Ac - Al))
    Br = up(np.maximum(Bh - Bc, Bc - Bl))
    absAc, absBc = np.abs(Ac), np.abs(Bc)
    C = Ac @ Bc
    rad = absAc @ Br + Ar @ absBc + Ar @ Br
    inner = Al.shape[-1]
    rad = up(rad * (1.0 + 3.0 * (inner + 2) * 2.0**-53))  # the three non-negative products and their sum
    rad = up(rad + matmul_error_bound(absAc, absBc))
    return down(C - rad), up(C + rad)


def box_inverse_enclosure(box: CoefficientBox, box_solver: VerifiedSolver, max_iter: int = 100
                          ) -> tuple[np.ndarray, np.ndarray]:
    """Rigorous enclosure ``[lower, upper]`` of ``L(A) = (I - A)^-1`` over every ``A`` in the box.

    The coefficients are split into a non-negative part ``P`` and a non-positive part ``N``
    (the coefficients whose centre is negative). ``L_P = (I - P)^-1`` is monotone in ``P``, so its
    hull is given by the two vertices exactly; ``L`` satisfies the fixed-point equation
    ``L = L_P + L_P N L``, which is iterated in interval arithmetic (with intersection) from the
    comparison-matrix bound ``|L| <= <I - A>^-1``. For a box without negative coefficients the
    result is the exact hull ``[L(A_lo), L(A_hi)]`` (up to rigorous rounding bounds).
    """
    N = box.center.shape[0]
    neg = box.center < 0
    Plo, Phi = np.where(neg, 0.0, box.lo), np.where(neg, 0.0, box.hi)
    I = np.eye(N)
    Xlo, elo = VerifiedSolver.leontief(Plo).solve(I)
    Xhi, ehi = VerifiedSolver.leontief(Phi).solve(I)
    LPlo, LPhi = down(Xlo - elo), up(Xhi + ehi)
    if not neg.any():
        return LPlo, LPhi
    Nlo, Nhi = np.where(neg, box.lo, 0.0), np.where(neg, box.hi, 0.0)
    K = box_solver.upper_inverse_bound()
    Llo, Lhi = -K, K.copy()
    for _ in range(max_iter):
        Tlo, Thi = _iv_matmul(Nlo, Nhi, Llo, Lhi)
        Ulo, Uhi = _iv_matmul(LPlo, LPhi, Tlo, Thi)
        newlo = np.maximum(Llo, down(LPlo + Ulo))
        newhi = np.minimum(Lhi, up(LPhi + Uhi))
        shrink = np.max((Lhi - Llo) - (newhi - newlo))
        Llo, Lhi = newlo, newhi
        if shrink <= 1e-15 * max(1.0, float(np.max(Lhi - Llo))):
            break
    return Llo, Lhi


def _sign_analysis(box: CoefficientBox, box_solver: VerifiedSolver) -> _Signs:
    N = box.center.shape[0]
    if box.nonnegative:
        # Every member is a productive non-negative matrix: L(A) = sum A^k >= 0 entrywise.
        return _Signs(S=np.ones((N, N)), K=None, general=False)
    lower, upper = box_inverse_enclosure(box, box_solver)
    reach = _reachability((box.lo != 0) | (box.hi != 0))
    S = np.full((N, N), np.nan)
    S[lower > 0] = 1.0
    S[upper < 0] = -1.0
    S[~reach] = 0.0
    return _Signs(S=S, K=np.maximum(np.abs(lower), np.abs(upper)), general=True, lower=lower, upper=upper)


def _inflate(raw: np.ndarray) -> np.ndarray:
    """Upper bound of a non-negative quantity computed in floating point by a few sums and
    products of non-negative terms (relative slack far above the rounding error); 0 stays 0."""
    return np.where(raw > 0, up(raw * (1.0 + 1e-9)), 0.0)


def _pattern(signs: np.ndarray) -> np.ndarray:
    """Vertex-direction pattern: proven sign; 0 (identically zero, any choice) -> +1;
    undetermined (NaN) -> 0 (centre)."""
    p = np.where(signs == 0, 1.0, signs)
    return np.where(np.isnan(p), 0.0, p)


def _group_columns(P: np.ndarray) -> dict[bytes, list[int]]:
    groups: dict[bytes, list[int]] = {}
    for t in range(P.shape[1]):
        groups.setdefault(P[:, t].tobytes(), []).append(t)
    return groups


# ============================================================================ sharp / verified
@dataclass
class _Range:
    lower: np.ndarray
    upper: np.ndarray
    exact: np.ndarray


def _solve_point(V: np.ndarray, B: np.ndarray, trans: bool, verified: bool):
    solver = VerifiedSolver.leontief(V)
    if verified:
        return solver.solve(B, trans=trans)
    import scipy.linalg

    X = scipy.linalg.lu_solve(solver.lu, B, trans=1 if trans else 0, check_finite=False)
    return X, np.zeros_like(X)


def _linear_range(box: CoefficientBox, signs: _Signs, w: np.ndarray, targets: np.ndarray,
                  verified: bool) -> _Range:
    """Range of ``phi_l = w' L(A) e_l`` for ``l`` in ``targets`` over the box."""
    N = box.center.shape[0]
    if signs.general:
        K = signs.K
        # sign of w'L over the box from the enclosure of L
        ylo, yhi = _iv_matmul(w[None, :], w[None, :], signs.lower, signs.upper)
        ylo, yhi = ylo[0], yhi[0]
        Kw = np.maximum(np.abs(ylo), np.abs(yhi))
        rw = np.full(N, np.nan)
        rw[ylo > 0] = 1.0
        rw[yhi < 0] = -1.0
        rw[~(_reachability((box.lo != 0) | (box.hi != 0))[np.abs(w) > 0].any(axis=0))] = 0.0
    else:
        rw = np.ones(N)
    r = _pattern(rw)
    C = _pattern(signs.S[:, targets])
    lower = np.empty(len(targets))
    upper = np.empty(len(targets))
    loose = np.zeros(len(targets), dtype=bool)
    for key, cols in _group_columns(C).items():
        c = C[:, cols[0]]
        for d, out in ((1.0, upper), (-1.0, lower)):
            V = box.vertex(d * np.outer(r, c))
            y, err = _solve_point(V, w, trans=True, verified=verified)
            vals = y[targets[cols]]
            e = err[targets[cols]]
            out[cols] = up(vals + e) if d > 0 else down(vals - e)
            loose[cols] |= ~_agrees(out[cols], vals, float(np.max(np.abs(y))))
    exact = ~loose
    if signs.general:
        Ur = np.isnan(rw)
        US = np.isnan(signs.S[:, targets])
        D = box.radius
        raw = ((Kw * Ur) @ D @ K[:, targets]) + (Kw @ D @ (K[:, targets] * US))
        slack = _inflate(raw)
        exact = (raw == 0) & ~loose
        upper = up(upper + slack)
        lower = down(lower - slack)
    return _Range(lower=lower, upper=upper, exact=exact)


#: Largest relative gap between a rigorous bound and the floating-point extreme it encloses for
#: the bound still to be labelled ``exact`` ("the attainable range up to rounding").
EXACT_RTOL: float = 1e-9


def _agrees(bound, value, scale=None):
    """Whether a rigorous bound is within :data:`EXACT_RTOL` of the float extreme it encloses,
    relative to ``max(|value|, scale)``: ``scale`` is the magnitude of the computation (e.g. the
    largest entry of the solved vector), so that an extreme of exactly 0 whose rigorous bound
    carries the rounding error of its neighbours still counts as exact up to rounding."""
    bound, value = np.asarray(bound, dtype=float), np.asarray(value, dtype=float)
    ref = np.abs(value) if scale is None else np.maximum(np.abs(value), scale)
    return np.abs(bound - value) <= np.maximum(EXACT_RTOL * ref, 1e-290)


def _quadratic_roots(a2: float, a1: float, a0: float) -> list[float]:
    if a2 == 0:
        return [-a0 / a1] if a1 != 0 else []
    disc = a1 * a1 - 4 * a2 * a0
    if disc < 0:
        return []
    sq = math.sqrt(disc)
    q = -0.5 * (a1 + math.copysign(sq, a1))
    roots = [q / a2] if q != 0 else []
    if q != 0:
        roots.append(a0 / q)
    elif a2 != 0:
        roots.append(0.0)
    return roots


def _ratio_1d_float(p: float, s: float, q: float, a: float, dlo: float, dhi: float, want_max: bool) -> float:
    """Extreme of ``f(d) = (p + r d)/((1 - s d)(a + d))``, ``r = q - p s``, on ``[dlo, dhi]``."""
    r = q - p * s

    def f(d: float) -> float:
        return (p + r * d) / ((1.0 - s * d) * (a + d))

    cands = [dlo, dhi] + [d for d in _quadratic_roots(r * s, 2 * p * s, r * a - p * (1 - s * a)) if dlo < d < dhi]
    vals = [f(d) for d in cands]
    return max(vals) if want_max else min(vals)


def _ratio_1d_verified(p: Iv, s: Iv, q: Iv, a: float, dlo: float, dhi: float, want_max: bool) -> float:
    """Rigorous bound of the max (upper bound) or min (lower bound) of the 1-D ratio function,
    by monotone pieces (sign of the derivative numerator) with bisection near critical points."""
    r = q - p * s
    if s.lo == 0.0 and s.hi == 0.0:
        # s = l_jh = 0 (the ratio's own row has a zero column, as for the Type I income and the
        # satellite multipliers): f(d) = q + (p - q a)/(a + d) is Moebius with its pole outside the
        # box side, hence monotone; this single-occurrence form is evaluated rigorously at the ends.
        ends = [q + (p - q * a) / (Iv(d, d) + a) for d in (dlo, dhi)]
        return max(e.hi for e in ends) if want_max else min(e.lo for e in ends)

    def F(d: Iv) -> Iv:
        return (p + r * d) / ((1.0 - s * d) * (d + a))

    def G(d: Iv) -> Iv:  # f'(d) has the sign of G(d)
        return r * s * (d * d) + 2.0 * p * s * d + (r * a - p * (1.0 - s * a))

    width = dhi - dlo
    stack = [(dlo, dhi, 0)]
    budget = 400
    best = -math.inf if want_max else math.inf
    while stack:
        lo, hi, depth = stack.pop()
        g = G(Iv(lo, hi))
        if g.lo > 0 or g.hi < 0:
            inc = g.lo > 0
            end = hi if (inc == want_max) else lo
            val = F(Iv(end, end))
        else:
            I = Iv(lo, hi)
            val = F(I)
            # mean-value form f(m) + f'(I)(I - m), f' = G / D^2: tight where f is nearly constant
            m = 0.5 * (lo + hi)
            den = (1.0 - s * I) * (I + a)
            mv = F(Iv(m, m)) + (g / (den * den)) * (I - m)
            if mv.lo > val.lo or mv.hi < val.hi:
                val = Iv(max(val.lo, mv.lo), min(val.hi, mv.hi))
            # accept the piece when its enclosure is already tight, when it is tiny, or
            # when the budget is spent (f nearly constant: G ~ 0 everywhere)
            budget -= 1
            tight = (val.hi - val.lo) <= 1e-13 * max(abs(val.lo), abs(val.hi), 1e-300)
            if not (tight or budget <= 0 or depth >= 60 or hi - lo <= 1e-12 * max(width, 1e-300)):
                mid = 0.5 * (lo + hi)
                stack.extend([(lo, mid, depth + 1), (mid, hi, depth + 1)])
                continue
        best = max(best, val.hi) if want_max else min(best, val.lo)
    return best


def _ratio_range(box: CoefficientBox, signs: _Signs, h: int, targets: np.ndarray, verified: bool) -> _Range:
    """Range of ``phi_j = L(A)_hj / a_hj`` for ``j`` in ``targets`` over the box."""
    N = box.center.shape[0]
    den_sign = np.sign(box.center[h, targets])
    zero_col = not (np.any(box.lo[:, h]) or np.any(box.hi[:, h]))
    rowpat = _pattern(signs.S[h, :])
    C = _pattern(signs.S[:, targets])
    keyed = np.vstack([C, den_sign[None, :]])
    lower = np.empty(len(targets))
    upper = np.empty(len(targets))
    loose = np.zeros(len(targets), dtype=bool)  # verified bound wider than the range by more than rounding
    for key, cols in _group_columns(keyed).items():
        c = C[:, cols[0]]
        sgn = den_sign[cols[0]]
        for d, out in ((1.0, upper), (-1.0, lower)):
            V = box.vertex(d * sgn * np.outer(rowpat, c))
            LV, err = _solve_point(V, np.eye(N), trans=False, verified=verified)
            for t in cols:
                j = targets[t]
                a = V[h, j]
                dlo, dhi = box.lo[h, j] - a, box.hi[h, j] - a
                if verified:  # cover the box side even if the offsets round inward
                    dlo, dhi = float(down(dlo)), float(up(dhi))
                if verified:
                    pI = Iv.of(LV[h, j], err[h, j])
                    # a zero column h (income Type I, satellites) makes L e_h = e_h: l_jh = 0 exactly
                    sI = Iv(0.0, 0.0) if zero_col else Iv.of(LV[j, h], err[j, h])
                    qI = Iv.of(LV[h, h], err[h, h]) * Iv.of(LV[j, j], err[j, j])
                    # exact offsets: the endpoints are floats, a + d recovers them exactly enough
                    out[t] = _ratio_1d_verified(pI, sI, qI, a, dlo, dhi, want_max=d > 0)
                    flt = _ratio_1d_float(LV[h, j], LV[j, h], LV[h, h] * LV[j, j], a, dlo, dhi, want_max=d > 0)
                    if not _agrees(out[t], flt):
                        loose[t] = True
                else:
                    out[t] = _ratio_1d_float(LV[h, j], LV[j, h], LV[h, h] * LV[j, j], a, dlo, dhi, want_max=d > 0)
    exact = np.ones(len(targets), dtype=bool)
    if signs.general:
        K = signs.K
        Kh = K[h, :]
        Ur = np.isnan(signs.S[h, :])
        US = np.isnan(signs.S[:, targets])
        D = box.radius
        raw = ((Kh * Ur) @ D @ K[:, targets]) + (Kh @ D @ (K[:, targets] * US))
        den = np.minimum(np.abs(box.lo[h, targets]), np.abs(box.hi[h, targets]))
        slack = _inflate(raw / den)
        exact = raw == 0
        upper = up(upper + slack)
        lower = down(lower - slack)
    return _Range(lower=lower, upper=upper, exact=exact & ~loose)


def _problem(table: IOTable, multiplier: str) -> tuple[np.ndarray, str]:
    """The matrix the multiplier depends on and its kind ('linear' or 'ratio')."""
    n = table.n
    if multiplier == "output_type1":
        return table.A, "linear"
    table.require_households(f"the {multiplier} multiplier")
    if multiplier == "income_type1":
        M0 = np.zeros((n + 1, n + 1))
        M0[:n, :n] = table.A
        M0[n, :n] = table.household_income
        return M0, "ratio"
    return table.closed_matrix(), ("linear" if multiplier == "output_type2" else "ratio")


def _sharp_multiplier(table: IOTable, tol: float, multiplier: str, verified: bool) -> _Range:
    n = table.n
    M, kind = _problem(table, multiplier)
    box = coefficient_box(M, tol, rigorous=verified)
    what = f"table '{table.name}'" + (" (household-closed)" if multiplier in TYPE2 else "")
    solver = _box_solver(box, what)
    signs = _sign_analysis(box, solver)
    if kind == "linear":
        w = np.zeros(M.shape[0])
        w[:n] = 1.0
        return _linear_range(box, signs, w, np.arange(n), verified)
    ok = np.flatnonzero(table.household_income != 0)
    res = _ratio_range(box, signs, n, ok, verified)
    lower, upper, exact = np.full(n, np.nan), np.full(n, np.nan), np.zeros(n, dtype=bool)
    lower[ok], upper[ok], exact[ok] = res.lower, res.upper, res.exact
    return _Range(lower=lower, upper=upper, exact=exact)


# ============================================================================ satellite quantities
def _satellite_box(M: np.ndarray, h: int, tol: float, sat_tol: float, rigorous: bool) -> CoefficientBox:
    """The box of a bordered matrix: tolerance ``tol`` everywhere but row ``h`` (the
    intensities), which gets ``sat_tol``."""
    box = coefficient_box(M, tol, rigorous=rigorous)
    sbox = coefficient_box(M, sat_tol, rigorous=rigorous)
    lo, hi = box.lo.copy(), box.hi.copy()
    lo[h], hi[h] = sbox.lo[h], sbox.hi[h]
    return CoefficientBox(center=box.center, lo=lo, hi=hi, tol=box.tol, rigorous=rigorous)


def satellite_interval(table: IOTable, tol: float, quantity: str, method: str = "sharp",
                       sat_tol: float | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bounds of a satellite quantity ``QUANTITY:ACCOUNT`` over the coefficient and intensity box.

    Every coefficient of the matrix the quantity depends on (``A``; for Type II the closed
    matrix) lies in ``[a - t|a|, a + t|a|]`` with ``t = tol``, every intensity in
    ``[s - t_s|s|, s + t_s|s|]`` with ``t_s = sat_tol`` (default ``tol``).

    The quantity is an entry of the inverse of the bordered matrix
    (:func:`iouq.quantities.satellite_matrix`), so the multiplier machinery applies unchanged:

    * ``effect_type1/2`` ``= e_h'(I - M)^-1 e_j`` is a linear functional. With ``s >= 0`` and
      ``A >= 0`` every member of the box has ``(I - M)^-1 >= 0`` and ``d effect_j/d a_kl =
      m_k x_l >= 0``, ``d effect_j/d s_i = l_ij >= 0``: the range is attained at the two
      vertices (all lower / all upper ends), ``exact``. Mixed signs go through the sign analysis
      of the inverse over the box (``exact`` where every sign is proven, else ``enclosure``).
    * ``multiplier_type1/2`` ``= (s'L)_j / s_j = l_jj + sum_{i != j} s_i l_ij / s_j`` is
      increasing in every ``a_kl`` and every ``s_i`` (``i != j``) but *decreasing* in its own
      ``s_j`` (for ``s >= 0``): the same dependency problem as the income multipliers, treated in
      the same way (vertex in all other coordinates, closed-form 1-D extreme in ``s_j``), so the
      bounds are sharp, not the naive quotient of intervals.
    * ``intensity``: the box itself.

    Returns
    -------
    lower, upper : ndarray (n,)
        NaN where undefined (multipliers of sectors with ``s_j = 0``).
    exact : ndarray of bool
    """
    q = check_quantity(table, quantity)
    tol = check_tolerance(tol)
    t_s = check_tolerance(check_sat_tol(sat_tol, tol))
    if method not in METHODS:
        raise IOUQError(f"unknown interval method '{method}'; choose one of {', '.join(METHODS)}.")
    n = table.n
    s = table.intensity(q.account)
    verified = method == "verified"
    if q.quantity == "intensity":
        sb = coefficient_box(s[None, :], t_s, rigorous=verified)
        return sb.lo[0].copy(), sb.hi[0].copy(), np.full(n, method != "naive")
    scale = satellite_scale(s)
    M, h = satellite_matrix(table, q.account, q.type2, scale)
    box = _satellite_box(M, h, tol, t_s, rigorous=verified)
    what = f"table '{table.name}'" + (" (household-closed)" if q.type2 else "")
    solver = _box_solver(box, what)
    ok = np.flatnonzero(s != 0) if q.ratio else np.arange(n)
    lower, upper, exact = np.full(n, np.nan), np.full(n, np.nan), np.zeros(n, dtype=bool)
    if method == "naive":
        I = np.eye(M.shape[0])
        Llo, Lhi = interval_gauss_jordan(I - box.hi, I - box.lo)
        lo, hi = Llo[h, :n], Lhi[h, :n]
        if q.ratio:
            lo, hi = _idiv(lo[ok], hi[ok], box.lo[h, ok], box.hi[h, ok])
        else:
            lo, hi = lo[ok], hi[ok]
        ex = np.zeros(len(ok), dtype=bool)
    else:
        signs = _sign_analysis(box, solver)
        if q.ratio:
            res = _ratio_range(box, signs, h, ok, verified)
        else:
            w = np.zeros(M.shape[0])
            w[h] = 1.0
            res = _linear_range(box, signs, w, ok, verified)
        lo, hi, ex = res.lower, res.upper, res.exact
    if not q.ratio:  # undo the power-of-two scaling of s (exact)
        lo, hi = lo / scale, hi / scale
    lower[ok], upper[ok], exact[ok] = lo, hi, ex
    return lower, upper, exact


# ============================================================================ public API
def interval_multiplier(table: IOTable, tol: float, multiplier: str, method: str = "sharp",
                        sat_tol: float | None = None) -> pd.DataFrame:
    """Interval of one multiplier for every producing sector.

    Parameters
    ----------
    table : IOTable
    tol : float
        Relative half-width of the coefficient box (0.01 = ±1%); 0 gives a degenerate box.
    multiplier : str
        ``output_type1``, ``output_type2``, ``income_type1``, ``income_type2``, or a satellite
        quantity ``QUANTITY:ACCOUNT`` (:mod:`iouq.quantities`; see :func:`satellite_interval`).
    method : {'naive', 'sharp', 'verified'}
    sat_tol : float, optional
        Relative tolerance of the satellite intensities (satellite quantities only; default ``tol``).

    Returns
    -------
    DataFrame
        Columns ``sector, lower, upper, exactness`` (``exact`` or ``enclosure``; empty and NaN
        bounds where the multiplier is undefined, e.g. a sector paying no household income).
    """
    if is_satellite(multiplier):
        lo, hi, ex = satellite_interval(table, tol, multiplier, method, sat_tol)
        label = "enclosure" if method == "naive" else None
        exactness = np.where(np.isnan(lo), "", label or np.where(ex, "exact", "enclosure"))
        return pd.DataFrame({"sector": list(table.sectors), "lower": lo, "upper": hi, "exactness": exactness})
    check_quantity(table, multiplier)
    tol = check_tolerance(tol)
    if method not in METHODS:
        raise IOUQError(f"unknown interval method '{method}'; choose one of {', '.join(METHODS)}.")
    if method == "naive":
        if multiplier != "output_type1":
            table.require_households(f"the {multiplier} multiplier")
        lo, hi = _naive_multiplier(table, tol, multiplier)
        exactness = np.where(np.isnan(lo), "", "enclosure")
    else:
        res = _sharp_multiplier(table, tol, multiplier, verified=(method == "verified"))
        lo, hi = res.lower, res.upper
        exactness = np.where(np.isnan(lo), "", np.where(res.exact, "exact", "enclosure"))
    return pd.DataFrame({"sector": list(table.sectors), "lower": lo, "upper": hi, "exactness": exactness})


def interval_inverse(table: IOTable, tol: float, method: str = "sharp", closed: bool = False
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Interval hull (or enclosure) of the Leontief inverse over the box.

    Parameters
    ----------
    table : IOTable
    tol : float
    method : {'naive', 'sharp', 'verified'}
    closed : bool
        Use the household-closed matrix (size n+1).

    Returns
    -------
    lower, upper : ndarray
        Elementwise bounds.
    exact : ndarray of bool
        Whether each bound pair is the exact range (False: outer enclosure).
    """
    tol = check_tolerance(tol)
    M = table.closed_matrix() if closed else table.A
    if method not in METHODS:
        raise IOUQError(f"unknown interval method '{method}'; choose one of {', '.join(METHODS)}.")
    verified = method == "verified"
    box = coefficient_box(M, tol, rigorous=verified)
    solver = _box_solver(box, f"table '{table.name}'")
    N = M.shape[0]
    if method == "naive":
        I = np.eye(N)
        lo, hi = interval_gauss_jordan(I - box.hi, I - box.lo)
        return lo, hi, np.zeros((N, N), dtype=bool)
    signs = _sign_analysis(box, solver)
    P = _pattern(signs.S)
    rows = _group_columns(P.T)
    cols = _group_columns(P)
    lower = np.empty((N, N))
    upper = np.empty((N, N))
    loose = np.zeros((N, N), dtype=bool)  # rigorous bound wider than rounding (EXACT_RTOL)
    for rk, rlist in rows.items():
        r = P[rlist[0], :]
        for ck, clist in cols.items():
            c = P[:, clist[0]]
            for d, out in ((1.0, upper), (-1.0, lower)):
                X, err = _solve_point(box.vertex(d * np.outer(r, c)), np.eye(N)[:, clist], False, verified)
                block = X[np.ix_(rlist, range(len(clist)))]
                e = err[np.ix_(rlist, range(len(clist)))]
                bound = up(block + e) if d > 0 else down(block - e)
                out[np.ix_(rlist, clist)] = bound
                loose[np.ix_(rlist, clist)] |= ~_agrees(bound, block)
    exact = ~loose
    if signs.general:
        K = signs.K
        U = np.isnan(signs.S)
        D = box.radius
        raw = (K * U) @ D @ K + K @ D @ (K * U)
        slack = _inflate(raw)
        exact = (raw == 0) & ~loose
        upper, lower = up(upper + slack), down(lower - slack)
    return lower, upper, exact


def interval_table(table: IOTable, tol: float, methods: tuple[str, ...] | list[str] = METHODS,
                   multipliers: tuple[str, ...] | list[str] | None = None,
                   sat_tol: float | None = None) -> pd.DataFrame:
    """Long table of intervals: columns ``sector, multiplier, method, lower, upper, exactness``.

    ``multipliers=None`` takes every multiplier defined for the table (Type II and income ones
    only when it has households).
    """
    if multipliers is None:
        multipliers = MULTIPLIERS if table.has_households else ("output_type1",)
    frames = []
    for mult in multipliers:
        for method in methods:
            df = interval_multiplier(table, tol, mult, method, sat_tol=sat_tol)
            df.insert(1, "multiplier", mult)
            df.insert(2, "method", method)
            frames.append(df)
    return pd.concat(frames, ignore_index=True)


def jerrell_comparison(table: IOTable, published: pd.DataFrame) -> pd.DataFrame:
    """Published Jerrell (1995) Type II income intervals next to naive, sharp and verified ones.

    Parameters
    ----------
    table : IOTable
        The Miernyk table.
    published : DataFrame
        Columns ``sector, tol, lower, upper`` (the bundled ``jerrell1995_published.csv``).

    Returns
    -------
    DataFrame
        One row per sector and tolerance: ``sector, tol, published_lower, published_upper,
        naive_lower, naive_upper, sharp_lower, sharp_upper, verified_lower, verified_upper,
        naive_matches_published, sharp_naive_width_ratio``. The match flag compares at the
        printed two decimals.
    """
    rows = []
    pub = published.assign(sector=published["sector"].astype(str))
    for tol, grp in pub.groupby("tol", sort=True):
        res = {m: interval_multiplier(table, float(tol), "income_type2", m).set_index("sector") for m in METHODS}
        for _, p in grp.iterrows():
            s = p["sector"]
            row = {"sector": s, "tol": float(tol), "published_lower": p["lower"], "published_upper": p["upper"]}
            for m in METHODS:
                row[f"{m}_lower"] = res[m].loc[s, "lower"]
                row[f"{m}_upper"] = res[m].loc[s, "upper"]
            row["naive_matches_published"] = bool(
                round(row["naive_lower"], 2) == round(p["lower"], 2) and round(row["naive_upper"], 2) == round(p["upper"], 2)
            )
            row["sharp_naive_width_ratio"] = (row["sharp_upper"] - row["sharp_lower"]) / (
                row["naive_upper"] - row["naive_lower"]
            )
            rows.append(row)
    return pd.DataFrame(rows)


def interval_output(table: IOTable, tol: float, fd_tol: float | None = None, method: str = "sharp",
                    final_demand: np.ndarray | None = None) -> pd.DataFrame:
    """Interval of gross output ``x = L f`` when ``A`` lies in the box and, optionally, final
    demand lies in ``[f - fd_tol|f|, f + fd_tol|f|]``.

    With a non-negative box and ``f >= 0`` the hull is exact: ``[L(A_lo) f_lo, L(A_hi) f_hi]``
    (Rohn 1980). Otherwise (negative coefficients, or final demand with negative entries such as
    inventory draw-downs, where ``x`` is not monotone in ``A``) a rigorous enclosure
    ``[L] [f]`` is returned, labelled ``enclosure``.

    Parameters
    ----------
    table : IOTable
    tol : float
        Relative tolerance of the coefficients.
    fd_tol : float, optional
        Relative tolerance of final demand (default 0: final demand known).
    method : {'naive', 'sharp', 'verified'}
    final_demand : ndarray, optional
        Final demand per sector (default: the table's own total final demand).

    Returns
    -------
    DataFrame
        Columns ``sector, lower, upper, exactness``.
    """
    tol = check_tolerance(tol)
    ftol = check_tolerance(0.0 if fd_tol is None else fd_tol)
    if method not in METHODS:
        raise IOUQError(f"unknown interval method '{method}'; choose one of {', '.join(METHODS)}.")
    f = table.total_final_demand() if final_demand is None else np.asarray(final_demand, dtype=float)
    if f.shape != (table.n,) or not np.all(np.isfinite(f)):
        raise IOUQError(f"final demand must be {table.n} finite numbers, one per sector.")
    verified = method == "verified"
    box = coefficient_box(table.A, tol, rigorous=verified)
    fbox = coefficient_box(f[:, None], ftol, rigorous=verified)
    flo, fhi = fbox.lo[:, 0], fbox.hi[:, 0]
    solver = _box_solver(box, f"table '{table.name}'")
    n = table.n
    if method == "naive":
        Llo, Lhi = interval_gauss_jordan(np.eye(n) - box.hi, np.eye(n) - box.lo)
        pl, ph = _imul(Llo, Lhi, flo[None, :], fhi[None, :])
        lo, hi, exact = pl.sum(axis=1), ph.sum(axis=1), np.zeros(n, dtype=bool)
    elif box.nonnegative and np.all(flo >= 0):
        lo_x, elo = _solve_point(box.lo, flo, False, verified)
        hi_x, ehi = _solve_point(box.hi, fhi, False, verified)
        lo, hi = down(lo_x - elo), up(hi_x + ehi)
        exact = _agrees(lo, lo_x) & _agrees(hi, hi_x)
    else:
        Llo, Lhi = box_inverse_enclosure(box, solver)
        xlo, xhi = _iv_matmul(Llo, Lhi, flo[:, None], fhi[:, None])
        lo, hi, exact = xlo[:, 0], xhi[:, 0], np.zeros(n, dtype=bool)
    return pd.DataFrame({"sector": list(table.sectors), "lower": lo, "upper": hi,
                         "exactness": np.where(exact, "exact", "enclosure")})
