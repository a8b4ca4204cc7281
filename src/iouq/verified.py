"""Rigorous (verified) linear algebra at BLAS speed, without switching rounding modes.

The enclosures here are a-posteriori: an approximate solution from LAPACK plus a rigorous bound
on its error, in the style of Rump and Oishi, specialised to Leontief matrices ``M = I - A``:

* floating-point products are bounded with the classical estimate
  ``|fl(A B) - A B| <= gamma_n |A| |B| + n eta`` (any summation order, FMA or not), where
  ``gamma_n = n u / (1 - n u)``, ``u = 2^-53`` and ``eta = 2^-1074``; the computed
  ``fl(|A||B|)`` is inflated to cover its own rounding;
* the error of an approximate solution ``X`` of ``M X = B`` is ``M^-1 R`` with the residual
  ``R = B - M X``; when the comparison matrix ``<M>`` (``|m_ii|`` on the diagonal,
  ``-|m_ij|`` off it) is certified to be a non-singular M-matrix by a vector ``v > 0`` with
  ``<M> v >= w > 0`` (Fiedler-Ptak), then ``|M^-1| <= <M>^-1`` and
  ``|M^-1 r| <= max_i(|r_i| / w_i) v``. For a productive non-negative ``A``, ``<M> = M``.

Scalar operations use round-to-nearest followed by one step outward (``nextafter``), which is
rigorous for IEEE-754 ``+ - * /``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.linalg

from .errors import VerificationError

__all__ = [
    "UNIT_ROUNDOFF",
    "down",
    "up",
    "matmul_error_bound",
    "VerifiedSolver",
    "Iv",
]

UNIT_ROUNDOFF = 2.0**-53
ETA = 2.0**-1074


def down(x: np.ndarray | float) -> np.ndarray | float:
    """The next floating-point number towards minus infinity (elementwise)."""
    return np.nextafter(x, -np.inf)


def up(x: np.ndarray | float) -> np.ndarray | float:
    """The next floating-point number towards plus infinity (elementwise)."""
    return np.nextafter(x, np.inf)


def _gamma_factor(n: int) -> float:
    """A float ``c >= gamma_{n+2} / (1 - gamma_{n+2})`` with slack for rounding of ``c * S``."""
    k = (n + 2) * UNIT_ROUNDOFF
    if k >= 0.01:
        raise VerificationError(f"dimension {n} too large for the floating-point error bounds.")
    return 1.01 * k / (1.0 - 2.0 * k)


def matmul_error_bound(absA: np.ndarray, absB: np.ndarray) -> np.ndarray:
    """Rigorous bound on ``|fl(A @ B) - A @ B|`` given ``|A|`` and ``|B|``.

    Parameters
    ----------
    absA, absB : ndarray
        Elementwise absolute values of the two factors (exact floats).
    """
    inner = absA.shape[-1] if absA.ndim > 0 else 1
    S = absA @ absB
    return up(_gamma_factor(inner) * S + 3.0 * inner * ETA)


@dataclass
class _Certificate:
    v: np.ndarray  # v > 0
    w: np.ndarray  # rigorous lower bound of <M> v, w > 0


class VerifiedSolver:
    """Verified solves with a matrix ``M`` known up to a diagonal representation error.

    Use :meth:`leontief` for ``M = I - A``: the rounding of its diagonal ``1 - a_ii`` is carried
    as a representation error, so the enclosures hold for the exact ``I - A``.

    Parameters
    ----------
    M : ndarray, shape (n, n)
        The floating-point matrix.
    diag_err : ndarray, shape (n,), optional
        Bound on ``|M_exact_ii - M_ii|`` (default 0: ``M`` is exact).

    Raises
    ------
    VerificationError
        If ``<I - A>`` cannot be certified to be a non-singular M-matrix (the matrix is not
        productive in absolute value, or too ill-conditioned for double precision).
    """

    def __init__(self, M: np.ndarray, diag_err: np.ndarray | None = None) -> None:
        M = np.asarray(M, dtype=float)
        n = M.shape[0]
        self.n = n
        self.M = M
        self.absM = np.abs(M)
        # representation error of the diagonal (e.g. the rounding of 1 - a_ii)
        self.diag_err = np.zeros(n) if diag_err is None else np.asarray(diag_err, dtype=float)
        self.lu = scipy.linalg.lu_factor(M, check_finite=False)
        comp = -self.absM
        comp[np.diag_indices(n)] = down(np.abs(np.diag(M)) - self.diag_err)
        self._comp = comp
        off = M - np.diag(np.diag(M))
        self._zmatrix = bool(np.all(off <= 0)) and bool(np.all(np.diag(M) > 0))
        self._cert: dict[bool, _Certificate] = {}

    def _certificate(self, trans: bool) -> _Certificate:
        if trans not in self._cert:
            C = self._comp.T if trans else self._comp
            ones = np.ones(self.n)
            if self._zmatrix:
                v = scipy.linalg.lu_solve(self.lu, ones, trans=1 if trans else 0, check_finite=False)
            else:
                v = scipy.linalg.solve(C, ones, check_finite=False)
            if not np.all(v > 0):
                raise VerificationError(
                    "could not certify that I - A is a non-singular M-matrix in absolute value "
                    "(the box is not provably productive, or the matrix is too ill-conditioned)."
                )
            Cv = C @ v
            w = down(Cv - matmul_error_bound(np.abs(C), v))
            if not np.all(w > 0):
                raise VerificationError(
                    "verification failed: I - A is too close to singular for a double-precision "
                    "enclosure (spectral radius of A too close to 1)."
                )
            self._cert[trans] = _Certificate(v=v, w=w)
        return self._cert[trans]

    @classmethod
    def leontief(cls, A: np.ndarray) -> "VerifiedSolver":
        """Solver for ``M = I - A``; the rounding of ``1 - a_ii`` is carried as an error."""
        A = np.asarray(A, dtype=float)
        M = -A
        M[np.diag_indices(A.shape[0])] += 1.0
        # |fl(1 - a_ii) - (1 - a_ii)| <= u |fl(1 - a_ii)| (bounded by one ulp).
        return cls(M, up(2.0 * UNIT_ROUNDOFF * np.abs(np.diag(M))))

    def certify(self) -> None:
        """Check the M-matrix certificate now (raises :class:`VerificationError` on failure)."""
        self._certificate(False)

    def solve(self, B: np.ndarray, trans: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Approximate solution of ``M X = B`` (or ``M' X = B``) and a rigorous error bound.

        Returns
        -------
        X, err : ndarray
            ``|X_true - X| <= err`` elementwise, where ``X_true`` solves the exact system.
        """
        B = np.asarray(B, dtype=float)
        X = scipy.linalg.lu_solve(self.lu, B, trans=1 if trans else 0, check_finite=False)
        Mt = self.M.T if trans else self.M
        absMt = self.absM.T if trans else self.absM
        absX = np.abs(X)
        R = B - Mt @ X
        diag_term = (self.diag_err * absX.T).T if X.ndim == 2 else self.diag_err * absX
        rbound = np.abs(R) * (1.0 + 4.0 * UNIT_ROUNDOFF)
        rbound = up(rbound + matmul_error_bound(absMt, absX) + up(diag_term))
        cert = self._certificate(trans)
        if X.ndim == 1:
            alpha = up(np.max(rbound / cert.w))
            err = up(alpha * cert.v * (1.0 + 2.0 * UNIT_ROUNDOFF))
        else:
            alpha = up(np.max(rbound / cert.w[:, None], axis=0))
            err = up(np.outer(cert.v, alpha) * (1.0 + 2.0 * UNIT_ROUNDOFF))
        return X, err

    def upper_inverse_bound(self) -> np.ndarray:
        """A rigorous elementwise upper bound of ``|M^-1|`` (via ``<M>^-1``)."""
        comp_solver = self if self._zmatrix else VerifiedSolver(self._comp)
        X, err = comp_solver.solve(np.eye(self.n))
        return up(np.abs(X) + err)


# ----------------------------------------------------------------------------- scalar intervals
def _dn(x: float) -> float:
    return math.nextafter(x, -math.inf)


def _up(x: float) -> float:
    return math.nextafter(x, math.inf)


@dataclass(frozen=True)
class Iv:
    """A closed real interval with outward-rounded arithmetic (scalars)."""

    lo: float
    hi: float

    @staticmethod
    def of(x: float, err: float = 0.0) -> "Iv":
        return Iv(_dn(x - err) if err else x, _up(x + err) if err else x)

    def __add__(self, o: "Iv | float") -> "Iv":
        o = o if isinstance(o, Iv) else Iv(o, o)
        return Iv(_dn(self.lo + o.lo), _up(self.hi + o.hi))

    __radd__ = __add__

    def __neg__(self) -> "Iv":
        return Iv(-self.hi, -self.lo)

    def __sub__(self, o: "Iv | float") -> "Iv":
        o = o if isinstance(o, Iv) else Iv(o, o)
        return Iv(_dn(self.lo - o.hi), _up(self.hi - o.lo))

    def __rsub__(self, o: float) -> "Iv":
        return Iv(o, o) - self

    def __mul__(self, o: "Iv | float") -> "Iv":
        o = o if isinstance(o, Iv) else Iv(o, o)
        p = (self.lo * o.lo, self.lo * o.hi, self.hi * o.lo, self.hi * o.hi)
        return Iv(_dn(min(p)), _up(max(p)))

    __rmul__ = __mul__

    def __truediv__(self, o: "Iv | float") -> "Iv":
        o = o if isinstance(o, Iv) else Iv(o, o)
        if o.lo <= 0.0 <= o.hi:
            raise VerificationError("interval division by an interval containing zero.")
        q = (self.lo / o.lo, self.lo / o.hi, self.hi / o.lo, self.hi / o.hi)
        return Iv(_dn(min(q)), _up(max(q)))

    def hull(self, o: "Iv") -> "Iv":
        return Iv(min(self.lo, o.lo), max(self.hi, o.hi))
