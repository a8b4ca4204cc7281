"""Hewings importance screening: which technical coefficients matter.

Everything here rests on one rank-one identity (Sherman–Morrison). A change ``a_ij -> a_ij + d``
is ``A' = A + d e_i e_j'``, and with ``L = (I - A)^-1``::

    L' = L + u(d) F(i, j),   u(d) = d / (1 - d l_ji),   F(i, j) = L[:, i] L[j, :]

``F(i, j)`` (column ``i`` of ``L`` times row ``j``; the R package ioanalysis 0.3.4 uses the
transpose, which is wrong off the diagonal) is the first-order *field of influence*
``dL/da_ij`` (Sonis & Hewings). See ``methods.md`` sections 3 and 5.

Tolerable limits
----------------
The tolerable limit ``r_ij+(p)`` (``r_ij-(p)``) is the largest relative increase (decrease), in
percent of ``|a_ij|``, such that no target quantity moves by more than ``p`` percent. Every target
``y_t`` used here changes, exactly, by ``u(d) g_t(i, j)`` with a rank-one factor ``g_t``:

=============  ======================================  ===============================
target         targets ``y_t``                         ``g_t(i, j)``
=============  ======================================  ===============================
inverse        every element ``l_kl`` of ``L``         ``l_ki l_jl``
multipliers    Type I output multipliers ``m_l``       ``m_i l_jl``
               Type II output multipliers (households  ``m̄_i l̄_jl``  (``u`` uses ``l̄_ji``
               closed, when the table has them)        of the closed inverse)
output         gross output ``x_k = (L f)_k`` for the  ``l_ki x_j``
               table's own total final demand ``f``
effects:ACC    effects ``e_l = (s'L)_l`` of satellite  ``e_i l_jl``
               account ``ACC`` (intensities ``s``      (Type II: ``ē_i l̄_jl`` with
               fixed; Type I and, with households,      ``ē = s'L̄``, closed inverse)
               Type II)
=============  ======================================  ===============================

so the constraint is ``|u(d)| Q_ij <= p / 100`` with ``Q_ij = max_t |g_t(i, j) / y_t|``.
``u`` is strictly increasing in ``d`` on the interval around 0 where ``1 - d l_ji > 0`` (and
``I - A'`` is non-singular), so each direction has one critical ``d``. For a change of sign
``s`` (``s = sign(d)``)::

    |d*| = (p / 100) / (Q + s (p / 100) l_ji)       if Q + s (p/100) l_ji > 0, else unbounded

and ``r = 100 |d*| / |a_ij|``. Up means ``a_ij -> a_ij (1 + r/100)`` (``s = sign(a_ij)``), down
``a_ij -> a_ij (1 - r/100)`` (``s = -sign(a_ij)``), which gives the printed forms
``r+ = 100 p / [a (p l_ji + 100 q)]`` and ``r- = 100 p / [a (100 q - p l_ji)]`` for ``a > 0``.
With negative coefficients or negative ``l_ji`` (bea2002-summary) the signs are handled by
``s``; an unbounded direction gives ``inf``. When several target families are combined
(Type I and Type II multipliers), the limit is the minimum over the families.

Zero and near-zero targets (documented rule)
--------------------------------------------
A relative band of ``p`` percent around a target that is zero is empty, so such targets are
**excluded** from the maximum: a target ``y_t`` with ``|y_t| <= zero_tol * max_t |y_t|``
(default ``zero_tol = 1e-12``) does not constrain the tolerable limit (its absolute change is
reported by the field of influence instead). Real tables have exact zeros in ``L`` (the
bea2002-summary table has 788: an all-zero column and reducible blocks); the smallest non-zero
``|l_kl|`` there is ``1.2e-7 * max|L|``, far above the cut-off. For a non-negative ``A`` a zero
``l_kl`` with non-zero ``l_ki a_ij l_jl`` cannot occur (``L >= L A L`` entrywise), so the rule
only matters with negative entries. Coefficients with ``a_ij = 0`` have no relative change:
their limits are NaN.

The O(n^3) algorithm for the inverse target
-------------------------------------------
``Q_ij = max_{k,l} |l_ki| |l_jl| w_kl`` with ``w_kl = 1/|l_kl|`` (0 for excluded targets) splits
into two max-times products (``(X ⊗ Y)_ij = max_k X_ik Y_kj`` on non-negative matrices)::

    T = W ⊗ |L|'     (T_kj = max_l w_kl |l_jl|)
    Q = |L|' ⊗ T     (Q_ij = max_k |l_ki| T_kj)

Both are exact (max and product of non-negative numbers commute with the grouping:
``max_k max_l |l_ki| w_kl |l_jl| = max_k |l_ki| max_l w_kl |l_jl|``). Each product is computed by
an outer loop over the inner index with in-place rank-one ``maximum`` updates (vectorised over
the n x n output), O(n^3) time and O(n^2) memory, against O(n^4) for the direct loop over all
(i, j, k, l).

Other results
-------------
* total field of influence (closed form of the squared-difference ranking),
* inverse-important classification and Schintke–Stäglin bands, counts per ``p``,
* zeroing experiments (Jensen & West 1980),
* variance shares from the first-order (perturbation) formula,
* the household coefficients (income row ``a_hj``, consumption column ``a_ih``, ``a_hh``) of the
  closed matrix, screened against the Type II output multipliers
  (:func:`household_importance`): the same rank-one formulas on the ``(n+1) x (n+1)`` closed
  inverse, with every closed-matrix coefficient random in the variance shares.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import IOUQError, NotProductiveError
from .multipliers import leontief_inverse
from .table import IOTable, check_productive, spectral_radius

__all__ = [
    "TARGETS",
    "DEFAULT_BANDS",
    "DEFAULT_CUTOFF",
    "DEFAULT_ZERO_TOL",
    "ImportanceError",
    "sherman_morrison",
    "coefficient_change",
    "field_of_influence",
    "total_field",
    "max_times",
    "inverse_q",
    "limits_from_q",
    "tolerable_limits",
    "importance_band",
    "tolerable_limits_frame",
    "importance_counts",
    "zeroing_experiment",
    "coefficient_sd",
    "multiplier_gradient_squares",
    "variance_shares",
    "importance_frame",
    "available_targets",
    "target_field",
    "IMPORTANCE_COLUMNS",
    "HOUSEHOLD_COLUMNS",
    "household_importance",
]

#: Targets of the tolerable limits.
TARGETS: tuple[str, ...] = ("inverse", "multipliers", "output")
#: Upper edges (percent) of the Schintke–Stäglin importance bands 0–5, 5–10, 10–20, >20.
DEFAULT_BANDS: tuple[float, ...] = (5.0, 10.0, 20.0)
#: Default cut-off on ``min(r+, r-)`` (percent): important when inside the first three bands.
DEFAULT_CUTOFF: float = 20.0
#: Targets with ``|y| <= DEFAULT_ZERO_TOL * max|y|`` are treated as zero (see module doc).
DEFAULT_ZERO_TOL: float = 1e-12


class ImportanceError(IOUQError):
    """Bad input to an importance-screening function (p, an index, a target, a cut-off)."""


# ============================================================================ checks
def check_p(p: float) -> float:
    """Return ``p`` (percent) if it is a finite number > 0, else raise :class:`ImportanceError`."""
    try:
        p = float(p)
    except (TypeError, ValueError):
        raise ImportanceError(f"p must be a number (a percentage, e.g. 1 for 1%), got {p!r}.") from None
    if not math.isfinite(p) or p <= 0:
        raise ImportanceError(
            f"p must be a finite percentage > 0 (the largest tolerated change of a target, e.g. 1 "
            f"for 1%), got {p!r}."
        )
    return p


def check_target(target: str) -> str:
    """Return ``target`` if it is one of :data:`TARGETS` or ``effects:ACCOUNT``, else raise
    :class:`ImportanceError`."""
    if isinstance(target, str) and target.startswith("effects:") and target.partition(":")[2].strip():
        return target
    if target not in TARGETS:
        raise ImportanceError(
            f"unknown target '{target}'; choose one of {', '.join(TARGETS)}, or effects:ACCOUNT for the "
            "effects of a satellite account (e.g. effects:CO2)."
        )
    return target


def _effect_parts(table: IOTable, target: str, L: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """``(e, B)`` per family of a satellite ``effects:ACCOUNT`` target: effects ``e = s'B`` and the
    n x n inverse ``B`` (``L``, and the producing block of the closed inverse with households)."""
    account = target.partition(":")[2].strip()
    s = table.intensity(account)
    parts = [(s @ L, L)]
    if table.has_households:
        B = _closed_inverse(table)[: table.n, : table.n]
        parts.append((s @ B, B))
    return parts


def _effect_family(e: np.ndarray, B: np.ndarray, zero_tol: float) -> _Family:
    """``Q_ij = |e_i| max_l |b_jl| / |e_l|`` for the effects ``e_l = (s'B)_l``."""
    w = _reciprocal_weights(e, zero_tol)
    return _Family(np.outer(np.abs(e), (np.abs(B) * w[None, :]).max(axis=1)), B.T)


def check_index(n: int, i: int, j: int) -> tuple[int, int]:
    """Check that ``(i, j)`` (0-based row, column) indexes an ``n x n`` coefficient matrix."""
    for name, v in (("row", i), ("column", j)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise ImportanceError(f"coefficient {name} index must be an integer, got {v!r}.")
        if not 0 <= v < n:
            raise ImportanceError(
                f"coefficient index ({i}, {j}) is out of range: the {name} index must be in 0..{n - 1} "
                f"(0-based) for a table with {n} sectors."
            )
    return int(i), int(j)


# ============================================================================ Sherman–Morrison
def sherman_morrison(L: np.ndarray, i: int, j: int, delta: float) -> np.ndarray:
    """Exact inverse after ``a_ij -> a_ij + delta``: ``L + delta/(1 - delta l_ji) L[:, i] L[j, :]``.

    Parameters
    ----------
    L : ndarray, shape (n, n)
        ``(I - A)^-1``.
    i, j : int
        Row and column (0-based) of the changed coefficient.
    delta : float
        Absolute change of ``a_ij``.

    Returns
    -------
    ndarray
        The new inverse ``(I - A - delta e_i e_j')^-1``.

    Raises
    ------
    ImportanceError
        Index out of range or non-finite ``delta``.
    NotProductiveError
        ``1 - delta l_ji <= 0``: ``I - A'`` is singular or its determinant changed sign, so the
        changed economy is not productive.
    """
    L = np.asarray(L, dtype=float)
    i, j = check_index(L.shape[0], i, j)
    if not math.isfinite(delta):
        raise ImportanceError(f"the change of a_{i}{j} must be a finite number, got {delta!r}.")
    denom = 1.0 - delta * L[j, i]
    if not denom > 0:
        raise NotProductiveError(
            f"changing coefficient ({i}, {j}) by {delta:.6g} makes the economy non-productive: "
            f"1 - delta * l_ji = {denom:.6g} <= 0, so I - A becomes singular (the determinant changes "
            "sign). Use a smaller change."
        )
    return L + (delta / denom) * np.outer(L[:, i], L[j, :])


def coefficient_change(
    A: np.ndarray, i: int, j: int, delta: float, L: np.ndarray | None = None
) -> np.ndarray:
    """Leontief inverse after changing one coefficient, with a productivity check.

    Parameters
    ----------
    A : ndarray, shape (n, n)
        Coefficient matrix (must be productive).
    i, j : int
        Row and column (0-based).
    delta : float
        Absolute change of ``a_ij``.
    L : ndarray, optional
        ``(I - A)^-1`` if already known.

    Returns
    -------
    ndarray
        ``(I - A')^-1`` by Sherman–Morrison.

    Raises
    ------
    NotProductiveError
        If the changed matrix has spectral radius >= 1 (named in the message).
    ImportanceError
        Bad index or change.
    """
    A = np.asarray(A, dtype=float)
    i, j = check_index(A.shape[0], i, j)
    if L is None:
        L = leontief_inverse(A)
    new = sherman_morrison(L, i, j, delta)
    A2 = A.copy()
    A2[i, j] += delta
    rho = spectral_radius(A2)
    if not rho < 1:
        raise NotProductiveError(
            f"changing coefficient ({i}, {j}) from {A[i, j]:.6g} to {A2[i, j]:.6g} makes the economy "
            f"non-productive (spectral radius {rho:.6g} >= 1). Use a smaller change."
        )
    return new


def field_of_influence(L: np.ndarray, i: int, j: int) -> np.ndarray:
    """First-order field of influence ``F(i, j) = L[:, i] L[j, :] = dL/da_ij`` (column i, row j)."""
    L = np.asarray(L, dtype=float)
    i, j = check_index(L.shape[0], i, j)
    return np.outer(L[:, i], L[j, :])


def total_field(L: np.ndarray, eps: float = 0.0) -> np.ndarray:
    """Total field of influence of every coefficient, in closed form.

    ``S_ij = sum_{k,l} ((l_kl(eps) - l_kl) / eps)^2 = ||L[:, i]||^2 ||L[j, :]||^2 / (1 - eps l_ji)^2``
    where ``l(eps)`` is the inverse after ``a_ij -> a_ij + eps``; ``eps = 0`` is the limit (the
    squared Frobenius norm of ``F(i, j)``). O(n^2) after ``L``.
    """
    L = np.asarray(L, dtype=float)
    col = np.einsum("ki,ki->i", L, L)
    row = np.einsum("jl,jl->j", L, L)
    S = np.outer(col, row)
    if eps:
        S = S / (1.0 - eps * L.T) ** 2
    return S


# ============================================================================ max-times algebra
def max_times(X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Max-times product ``C_ij = max_k X_ik Y_kj`` of non-negative matrices, exactly.

    Loop over the inner index ``k`` with an in-place rank-one update of the whole output
    (``C = max(C, X[:, k] Y[k, :])``): O(n m p) time, O(n p) memory, vectorised over ``C``.
    """
    X = np.ascontiguousarray(X, dtype=float)
    Y = np.ascontiguousarray(Y, dtype=float)
    if X.shape[1] != Y.shape[0]:
        raise ValueError(f"max_times: shapes {X.shape} and {Y.shape} do not chain")
    C = np.zeros((X.shape[0], Y.shape[1]))
    tmp = np.empty_like(C)
    XT = np.ascontiguousarray(X.T)
    for k in range(X.shape[1]):
        np.multiply(XT[k][:, None], Y[k][None, :], out=tmp)
        np.maximum(C, tmp, out=C)
    return C


def _reciprocal_weights(y: np.ndarray, zero_tol: float) -> np.ndarray:
    """``1/|y|`` where ``|y| > zero_tol * max|y|``, 0 where the target counts as zero."""
    a = np.abs(np.asarray(y, dtype=float))
    scale = a.max() if a.size else 0.0
    keep = a > zero_tol * scale
    w = np.zeros_like(a)
    w[keep] = 1.0 / a[keep]
    return w


def inverse_q(L: np.ndarray, zero_tol: float = DEFAULT_ZERO_TOL) -> np.ndarray:
    """``Q_ij = max_{k,l} |l_ki l_jl / l_kl|`` for every coefficient in O(n^3) (module doc)."""
    absL = np.abs(np.asarray(L, dtype=float))
    W = _reciprocal_weights(absL, zero_tol)
    T = max_times(W, absL.T)
    return max_times(absL.T, T)


def limits_from_q(a: np.ndarray, Q: np.ndarray, lji: np.ndarray, p: float) -> tuple[np.ndarray, np.ndarray]:
    """Tolerable limits (percent) from the constraint ``|d/(1 - d l_ji)| Q <= p/100``.

    Parameters
    ----------
    a : ndarray, shape (n, n)
        Coefficients.
    Q : ndarray, shape (n, n)
        ``max_t |g_t(i, j) / y_t|`` per coefficient.
    lji : ndarray, shape (n, n)
        ``l_ji`` at position ``(i, j)`` (i.e. ``L.T``).
    p : float
        Tolerated change of the targets, percent.

    Returns
    -------
    (r_up, r_down) : tuple of ndarray
        Percent of ``|a_ij|``; ``inf`` where a direction is unbounded, NaN where ``a_ij = 0``.
    """
    P = check_p(p) / 100.0
    a = np.asarray(a, dtype=float)
    s = np.sign(a)
    absa = np.abs(a)
    out = []
    for direction in (1.0, -1.0):
        sigma = direction * s
        den = Q + sigma * P * lji
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.where(den > 0, 100.0 * P / (absa * den), np.inf)
        r = np.where(absa > 0, r, np.nan)
        out.append(r)
    return out[0], out[1]


@dataclass(frozen=True)
class _Family:
    """One family of targets: ``Q`` and the ``l_ji`` of the inverse its update uses."""

    q: np.ndarray
    lji: np.ndarray


def _output_vector(table: IOTable, L: np.ndarray) -> np.ndarray:
    return L @ table.total_final_demand()


def _families(table: IOTable, target: str, zero_tol: float, L: np.ndarray) -> list[_Family]:
    check_target(target)
    if target.startswith("effects:"):
        return [_effect_family(e, B, zero_tol) for e, B in _effect_parts(table, target, L)]
    if target == "inverse":
        return [_Family(inverse_q(L, zero_tol), L.T)]
    absL = np.abs(L)
    if target == "output":
        x = _output_vector(table, L)
        w = _reciprocal_weights(x, zero_tol)
        return [_Family(np.outer((absL * w[:, None]).max(axis=0), np.abs(x)), L.T)]
    fams = [_multiplier_family(L, L.shape[0], zero_tol)]
    if table.has_households:
        Lc = _closed_inverse(table)
        fams.append(_multiplier_family(Lc, table.n, zero_tol))
    return fams


def _multiplier_q(Lfull: np.ndarray, n: int, zero_tol: float) -> np.ndarray:
    """``Q_ij = |m_i| max_l |l_jl| / |m_l|`` for every coefficient ``(i, j)`` of the matrix of the
    (possibly closed) inverse ``Lfull``, the targets being the output multipliers
    ``m_l = sum_{k<n} l_kl`` (``l < n``); ``m_i`` for ``i >= n`` is the same column sum."""
    m = Lfull[:n, :].sum(axis=0)
    w = _reciprocal_weights(m[:n], zero_tol)
    return np.outer(np.abs(m), (np.abs(Lfull[:, :n]) * w[None, :]).max(axis=1))


def _multiplier_family(Lfull: np.ndarray, n: int, zero_tol: float) -> _Family:
    """Output multipliers ``m_l = sum_{k<n} l_kl`` (l < n) of a (possibly closed) inverse, for
    changes of the ``n x n`` block ``A``."""
    return _Family(_multiplier_q(Lfull, n, zero_tol)[:n, :n], Lfull[:n, :n].T)


def _closed_inverse(table: IOTable) -> np.ndarray:
    M = table.closed_matrix()
    try:
        return leontief_inverse(M)
    except NotProductiveError as exc:
        raise NotProductiveError(
            f"table '{table.name}': the household-closed matrix is not productive ({exc}); Type II "
            "multiplier targets are undefined."
        ) from None


def tolerable_limits(
    table: IOTable,
    p: float = 1.0,
    target: str = "inverse",
    *,
    zero_tol: float = DEFAULT_ZERO_TOL,
    L: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Tolerable limits ``r+`` and ``r-`` (percent) of every coefficient of ``table.A``.

    Parameters
    ----------
    table : IOTable
        The table (``A``; households for Type II multipliers; final demand for ``output``).
    p : float
        Largest tolerated change of any target, percent (> 0).
    target : {'inverse', 'multipliers', 'output'}
        Which quantities must not move by more than ``p`` percent (module doc).
    zero_tol : float
        Targets with ``|y| <= zero_tol * max|y|`` are excluded (module doc).
    L : ndarray, optional
        ``(I - A)^-1`` if already computed.

    Returns
    -------
    (r_up, r_down) : tuple of ndarray, shape (n, n)
        ``inf`` for an unbounded direction, NaN for zero coefficients.
    """
    p = check_p(p)
    check_target(target)
    if L is None:
        L = leontief_inverse(table.A)
    up = np.full(table.A.shape, np.inf)
    down = np.full(table.A.shape, np.inf)
    for fam in _families(table, target, zero_tol, L):
        r_up, r_down = limits_from_q(table.A, fam.q, fam.lji, p)
        up = np.minimum(up, r_up)
        down = np.minimum(down, r_down)
    zero = table.A == 0
    up[zero] = np.nan
    down[zero] = np.nan
    return up, down


# ============================================================================ classification
def importance_band(r: np.ndarray, bands: Sequence[float] = DEFAULT_BANDS) -> np.ndarray:
    """Schintke–Stäglin band label of ``r`` (percent): ``0-5``, ``5-10``, ``10-20``, ``>20`` (default).

    A value on an edge belongs to the lower band; NaN gives an empty label.
    """
    edges = [float(b) for b in bands]
    if not edges or any(b <= 0 for b in edges) or edges != sorted(set(edges)):
        raise ImportanceError(f"bands must be increasing positive percentages, got {list(bands)!r}.")
    labels = [f"{lo:g}-{hi:g}" for lo, hi in zip([0.0, *edges[:-1]], edges)] + [f">{edges[-1]:g}"]
    r = np.asarray(r, dtype=float)
    idx = np.searchsorted(np.array(edges), r, side="left")
    out = np.array(labels, dtype=object)[np.minimum(idx, len(labels) - 1)]
    out[np.isnan(r)] = ""
    return out


def _check_cutoff(cutoff: float) -> float:
    cutoff = float(cutoff)
    if not math.isfinite(cutoff) or cutoff <= 0:
        raise ImportanceError(f"the cut-off on r must be a finite percentage > 0, got {cutoff!r}.")
    return cutoff


def _coefficient_frame(table: IOTable) -> pd.DataFrame:
    n = table.n
    rows, cols = np.divmod(np.arange(n * n), n)
    sec = np.array(table.sectors, dtype=object)
    return pd.DataFrame({"row": sec[rows], "col": sec[cols], "coefficient": table.A.reshape(-1)})


def tolerable_limits_frame(
    table: IOTable,
    p: float = 1.0,
    target: str = "inverse",
    *,
    cutoff: float = DEFAULT_CUTOFF,
    bands: Sequence[float] = DEFAULT_BANDS,
    zero_tol: float = DEFAULT_ZERO_TOL,
    L: np.ndarray | None = None,
) -> pd.DataFrame:
    """Tolerable limits of every coefficient as a table (row-major order of ``A``).

    Returns
    -------
    DataFrame
        Columns ``row, col, coefficient, tolerable_limit_up_pct, tolerable_limit_down_pct,
        inverse_important, importance_band, target``. ``inverse_important`` is True when
        ``min(r+, r-) <= cutoff`` (False for zero coefficients, whose limits are NaN).
    """
    cutoff = _check_cutoff(cutoff)
    up, down = tolerable_limits(table, p, target, zero_tol=zero_tol, L=L)
    r = np.fmin(up, down).reshape(-1)
    df = _coefficient_frame(table)
    df["tolerable_limit_up_pct"] = up.reshape(-1)
    df["tolerable_limit_down_pct"] = down.reshape(-1)
    df["inverse_important"] = np.where(np.isnan(r), False, r <= cutoff)
    df["importance_band"] = importance_band(r, bands)
    df["target"] = target
    return df


def importance_counts(
    table: IOTable,
    p_values: Sequence[float],
    targets: Sequence[str] = TARGETS,
    *,
    cutoff: float = DEFAULT_CUTOFF,
    bands: Sequence[float] = DEFAULT_BANDS,
    zero_tol: float = DEFAULT_ZERO_TOL,
) -> pd.DataFrame:
    """How many non-zero coefficients are important, per target, ``p`` and band.

    Returns
    -------
    DataFrame
        Columns ``dataset, target, p, nonzero_coefficients, important, important_share`` and one
        count column per band (``band_0-5`` ...).
    """
    L = leontief_inverse(table.A)
    labels = importance_band(np.array([np.nan]), bands)  # validates bands
    del labels
    rows = []
    for target in targets:
        for p in p_values:
            df = tolerable_limits_frame(table, p, target, cutoff=cutoff, bands=bands, zero_tol=zero_tol, L=L)
            nz = df[df["coefficient"] != 0]
            rec = {
                "dataset": table.name,
                "target": target,
                "p": float(p),
                "nonzero_coefficients": len(nz),
                "important": int(nz["inverse_important"].sum()),
                "important_share": float(nz["inverse_important"].mean()) if len(nz) else math.nan,
            }
            counts = nz["importance_band"].value_counts()
            for lab in importance_band(np.array([0.0, *bands, np.inf]), bands)[1:]:
                rec[f"band_{lab}"] = int(counts.get(lab, 0))
            rows.append(rec)
    return pd.DataFrame(rows)


# ============================================================================ zeroing
def zeroing_experiment(table: IOTable, cutoffs: Sequence[float]) -> pd.DataFrame:
    """Jensen & West (1980): zero every coefficient with ``|a_ij| < cutoff``; multiplier changes.

    Household coefficients (Type II closure) are kept; only ``A`` is zeroed.

    Parameters
    ----------
    table : IOTable
    cutoffs : sequence of float
        Absolute size cut-offs (coefficients, not percent), each >= 0.

    Returns
    -------
    DataFrame
        One row per cut-off, multiplier kind and sector: ``cutoff, multiplier, sector,
        zeroed_coefficients, zeroed_share, zeroed_input_share, value, value_zeroed, change_pct``.
        ``zeroed_share`` is the share of the non-zero coefficients set to zero,
        ``zeroed_input_share`` their share of ``sum |a_ij|``.

    Raises
    ------
    ImportanceError
        A negative or non-finite cut-off.
    NotProductiveError
        If zeroing makes the table non-productive (possible only with negative coefficients).
    """
    A = table.A
    nonzero = A != 0
    total = np.abs(A).sum()
    kinds = ["output_type1"] + (["output_type2"] if table.has_households else [])
    base = {k: _output_multipliers(table, A, k) for k in kinds}
    rows = []
    for c in cutoffs:
        c = float(c)
        if not math.isfinite(c) or c < 0:
            raise ImportanceError(f"zeroing cut-offs must be finite numbers >= 0, got {c!r}.")
        drop = nonzero & (np.abs(A) < c)
        A2 = np.where(drop, 0.0, A)
        for k in kinds:
            try:
                val = _output_multipliers(table, A2, k)
            except NotProductiveError as exc:
                raise NotProductiveError(
                    f"table '{table.name}': zeroing coefficients below {c:g} makes it non-productive ({exc})."
                ) from None
            with np.errstate(divide="ignore", invalid="ignore"):
                change = 100.0 * (val - base[k]) / np.abs(base[k])
            rows.append(
                pd.DataFrame(
                    {
                        "cutoff": c,
                        "multiplier": k,
                        "sector": list(table.sectors),
                        "zeroed_coefficients": int(drop.sum()),
                        "zeroed_share": float(drop.sum() / max(nonzero.sum(), 1)),
                        "zeroed_input_share": float(np.abs(A[drop]).sum() / total) if total else 0.0,
                        "value": base[k],
                        "value_zeroed": val,
                        "change_pct": change,
                    }
                )
            )
    return pd.concat(rows, ignore_index=True)


def _output_multipliers(table: IOTable, A: np.ndarray, kind: str) -> np.ndarray:
    n = table.n
    if kind == "output_type1":
        check_productive(A)
        return np.linalg.solve((np.eye(n) - A).T, np.ones(n))
    M = table.closed_matrix()
    M[:n, :n] = A
    check_productive(M, "the household-closed matrix")
    rhs = np.r_[np.ones(n), 0.0]
    return np.linalg.solve((np.eye(n + 1) - M).T, rhs)[:n]


# ============================================================================ variance shares
def coefficient_sd(A: np.ndarray, tol: float, distribution: str = "uniform") -> np.ndarray:
    """Standard deviation of every coefficient for a relative tolerance ``tol``.

    Delegates to :func:`iouq.distributions.coefficient_sd` (the stochastic family), so that
    variance shares use the same tolerance-to-distribution rule (uniform box ``a (1 ± tol)``:
    ``sd = tol |a| / sqrt(3)``).
    """
    from .distributions import coefficient_sd as _stochastic_sd

    return np.asarray(_stochastic_sd(np.asarray(A, dtype=float), tol, distribution), dtype=float)


def multiplier_gradient_squares(L: np.ndarray, l: int) -> np.ndarray:
    """``(dm_l/da_ij)^2 = (m_i l_jl)^2`` for every coefficient (the field of influence on ``m_l``)."""
    m = L.sum(axis=0)
    return np.outer(m**2, L[:, l] ** 2)


def variance_shares(
    table: IOTable,
    sd: np.ndarray,
    target: str = "multipliers",
    *,
    L: np.ndarray | None = None,
    zero_tol: float = DEFAULT_ZERO_TOL,
) -> np.ndarray:
    """Mean (over the targets) share of each coefficient in each target's first-order variance.

    First order (delta method), independent coefficients with standard deviations ``sd``:
    ``Var(y_t) = sum_ij sd_ij^2 g_t(i,j)^2`` and the share of ``a_ij`` is
    ``sd_ij^2 g_t(i,j)^2 / Var(y_t)``. The result is the mean of these shares over the targets
    with positive variance, so it sums to 1 over the coefficients. Analytic, O(n^3):

    * inverse: ``sd^2 ∘ ((L∘L)' V^-1 (L∘L)') / #targets`` with ``V = (L∘L) sd^2 (L∘L)``;
    * multipliers: Type I ``m_i^2 l_jl^2`` (and Type II, closed inverse, when households exist);
    * output: ``l_ki^2 x_j^2``.
    """
    check_target(target)
    if L is None:
        L = leontief_inverse(table.A)
    S2 = np.asarray(sd, dtype=float) ** 2
    if target.startswith("effects:"):
        total = np.zeros_like(S2)
        count = 0
        for e, B in _effect_parts(table, target, L):
            e2, B2 = e**2, B * B
            V = e2 @ S2 @ B2  # Var(e_l) = sum_ij sd_ij^2 e_i^2 b_jl^2
            w = _positive_reciprocal(V, zero_tol)
            total += S2 * np.outer(e2, B2 @ w)
            count += np.count_nonzero(w)
        return total / max(count, 1)
    if target == "inverse":
        L2 = L * L
        V = L2 @ S2 @ L2
        W = _positive_reciprocal(V, zero_tol)
        return S2 * (L2.T @ W @ L2.T) / max(np.count_nonzero(W), 1)
    if target == "output":
        x = _output_vector(table, L)
        L2 = L * L
        V = L2 @ S2 @ (x**2)
        w = _positive_reciprocal(V, zero_tol)
        return S2 * np.outer(L2.T @ w, x**2) / max(np.count_nonzero(w), 1)
    parts = [(L, table.n)]
    if table.has_households:
        parts.append((_closed_inverse(table), table.n))
    total = np.zeros_like(S2)
    count = 0
    for Lf, n in parts:
        B = Lf[:n, :n]
        m2 = B.sum(axis=0) ** 2
        B2 = B * B
        V = m2 @ S2 @ B2  # Var(m_l)
        w = _positive_reciprocal(V, zero_tol)
        total += S2 * np.outer(m2, B2 @ w)
        count += np.count_nonzero(w)
    return total / max(count, 1)


def _positive_reciprocal(V: np.ndarray, zero_tol: float) -> np.ndarray:
    V = np.asarray(V, dtype=float)
    scale = V.max() if V.size else 0.0
    out = np.zeros_like(V)
    keep = V > zero_tol * scale
    out[keep] = 1.0 / V[keep]
    return out


def target_field(table: IOTable, target: str, L: np.ndarray | None = None) -> np.ndarray:
    """Total field of influence on a target: squared norm of ``d y / d a_ij`` over its targets.

    inverse: ``||L[:, i]||^2 ||L[j, :]||^2``; multipliers: ``m_i^2 ||L[j, :]||^2`` (+ Type II
    ``m̄_i^2 ||L̄[j, :n]||^2`` with households); output: ``||L[:, i]||^2 x_j^2``.
    """
    check_target(target)
    if L is None:
        L = leontief_inverse(table.A)
    if target == "inverse":
        return total_field(L)
    if target.startswith("effects:"):
        return sum(np.outer(e**2, np.einsum("jl,jl->j", B, B)) for e, B in _effect_parts(table, target, L))
    if target == "output":
        x = _output_vector(table, L)
        return np.outer(np.einsum("ki,ki->i", L, L), x**2)
    n = table.n
    S = np.outer(L.sum(axis=0) ** 2, np.einsum("jl,jl->j", L, L))
    if table.has_households:
        B = _closed_inverse(table)[:n, :n]
        S = S + np.outer(B.sum(axis=0) ** 2, np.einsum("jl,jl->j", B, B))
    return S


# ============================================================================ pipeline table
def available_targets(table: IOTable, targets: Sequence[str] = TARGETS) -> tuple[list[str], dict[str, str]]:
    """Split ``targets`` into those ``table`` supports and the others, with the reason.

    Only ``output`` can be unavailable: it needs final demand (a table in flow form).
    """
    ok: list[str] = []
    skipped: dict[str, str] = {}
    for target in targets:
        check_target(target)
        if target.startswith("effects:") and target.partition(":")[2].strip() not in table.accounts:
            skipped[target] = f"table '{table.name}' has no satellite account '{target.partition(':')[2].strip()}'"
        elif target == "output" and table.final_demand is None and table.output is None:
            skipped[target] = (
                f"table '{table.name}' has no final demand or output (coefficient form), so the "
                "gross-output target is undefined"
            )
        else:
            ok.append(target)
    return ok, skipped


IMPORTANCE_COLUMNS: tuple[str, ...] = (
    "row",
    "col",
    "coefficient",
    "target",
    "tolerable_limit_up_pct",
    "tolerable_limit_down_pct",
    "inverse_important",
    "field_of_influence",
    "variance_share",
    "morris_mu_star",
    "sobol_total",
)


def importance_frame(
    table: IOTable,
    tol: float,
    p: float = 1.0,
    targets: Sequence[str] = TARGETS,
    *,
    cutoff: float = DEFAULT_CUTOFF,
    distribution: str = "uniform",
    zero_tol: float = DEFAULT_ZERO_TOL,
) -> pd.DataFrame:
    """Everything per coefficient and target (the pipeline's ``tol-{tol}.csv`` without SALib).

    Returns
    -------
    DataFrame
        :data:`IMPORTANCE_COLUMNS` (``morris_mu_star``, ``sobol_total`` NaN: filled by
        :mod:`iouq.sensitivity`), one block of n^2 rows per target, row-major within a block.
    """
    L = leontief_inverse(table.A)
    sd = coefficient_sd(table.A, tol, distribution)
    blocks = []
    for target in targets:
        df = tolerable_limits_frame(table, p, target, cutoff=cutoff, zero_tol=zero_tol, L=L)
        df["field_of_influence"] = target_field(table, target, L).reshape(-1)
        if tol > 0:
            df["variance_share"] = variance_shares(table, sd, target, L=L, zero_tol=zero_tol).reshape(-1)
        else:  # no uncertainty, no variance to share
            df["variance_share"] = np.nan
        df["morris_mu_star"] = np.nan
        df["sobol_total"] = np.nan
        blocks.append(df.loc[:, list(IMPORTANCE_COLUMNS)])
    return pd.concat(blocks, ignore_index=True)


HOUSEHOLD_COLUMNS: tuple[str, ...] = (
    "row",
    "col",
    "coefficient",
    "kind",
    "tolerable_limit_up_pct",
    "tolerable_limit_down_pct",
    "inverse_important",
    "field_of_influence",
    "variance_share",
    "household_variance_share",
)


def household_importance(
    table: IOTable,
    tol: float,
    p: float = 1.0,
    *,
    cutoff: float = DEFAULT_CUTOFF,
    distribution: str = "uniform",
    zero_tol: float = DEFAULT_ZERO_TOL,
) -> pd.DataFrame:
    """Importance of the household coefficients for the Type II output multipliers.

    With ``M`` the household-closed matrix, ``L̄ = (I - M)^-1`` and the Type II output
    multipliers ``y_l = m̄_l = sum_{k<n} l̄_kl`` (``l < n``), a change of ``m_ij`` moves ``y_l`` by
    ``u(d) m̄_i l̄_jl`` exactly (Sherman–Morrison), so the tolerable limits follow from
    :func:`limits_from_q` with ``Q_ij = |m̄_i| max_l |l̄_jl| / |m̄_l|``. ``field_of_influence`` is
    ``sum_l (m̄_i l̄_jl)^2``; ``variance_share`` the mean over the Type II output multipliers of
    the coefficient's share of their first-order variance when *every* non-zero coefficient of
    ``M`` (households included) is random at tolerance ``tol``; ``household_variance_share``
    (the same in every row) the mean share of all household coefficients together.

    Parameters
    ----------
    table : IOTable
        Must have households.
    tol : float
        Tolerance of the variance shares.
    p : float
        Tolerated change of the Type II output multipliers, percent.
    cutoff : float
        Important when ``min(r+, r-) <= cutoff`` percent.

    Returns
    -------
    DataFrame
        Columns :data:`HOUSEHOLD_COLUMNS`; one row per household coefficient: the income row
        (``kind = income``, ``row`` = the household label), the consumption column
        (``kind = consumption``) and ``a_hh`` (``kind = own``). Limits are NaN for zero coefficients.
    """
    p = check_p(p)
    cutoff = _check_cutoff(cutoff)
    table.require_households("household screening")
    n = table.n
    M = table.closed_matrix()
    Lc = _closed_inverse(table)
    m = Lc[:n, :].sum(axis=0)  # m̄_i for every i of the closed matrix
    B = Lc[:, :n]  # l̄_jl, targets l < n
    up, down = limits_from_q(M, _multiplier_q(Lc, n, zero_tol), Lc.T, p)
    foi = np.outer(m * m, (B * B).sum(axis=1))
    S2 = coefficient_sd(M, tol, distribution) ** 2
    B2 = B * B
    V = (m * m) @ S2 @ B2  # first-order Var(y_l), every coefficient of M random
    wv = _positive_reciprocal(V, zero_tol)
    share = S2 * np.outer(m * m, B2 @ wv) / max(np.count_nonzero(wv), 1)
    h = n
    pos = [(h, j, "income") for j in range(n)] + [(i, h, "consumption") for i in range(n)] + [(h, h, "own")]
    hh_total = float(sum(share[i, j] for i, j, _ in pos))
    labels = list(table.sectors) + [table.household_label]
    records = []
    for i, j, kind in pos:
        r = np.fmin(up[i, j], down[i, j])
        records.append({
            "row": labels[i], "col": labels[j], "coefficient": M[i, j], "kind": kind,
            "tolerable_limit_up_pct": up[i, j], "tolerable_limit_down_pct": down[i, j],
            "inverse_important": bool(np.isfinite(r) and r <= cutoff) if M[i, j] != 0 else False,
            "field_of_influence": foi[i, j], "variance_share": share[i, j],
            "household_variance_share": hh_total,
        })
    return pd.DataFrame.from_records(records, columns=list(HOUSEHOLD_COLUMNS))
