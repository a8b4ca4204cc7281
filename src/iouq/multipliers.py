"""Point values of the Leontief inverse and the four multipliers.

Definitions (``L = (I - A)^-1``; the closed matrix ``Ā = [[A, c], [h', a_hh]]`` with
inverse ``L̄ = (I - Ā)^-1``; ``h_j = a_hj`` is household income per unit of output):

``output_type1``
    ``m_j = sum_i l_ij``: column sums of ``L``.
``output_type2``
    ``sum_{i <= n} l̄_ij``: column sums over the producing sectors of ``L̄``.
``income_type1``
    ``(h'L)_j / h_j``: household income generated per unit of direct income in sector ``j``.
``income_type2``
    ``l̄_hj / h_j``: the same with households endogenous (the quantity in Jerrell's table).

Income multipliers are undefined (NaN) for sectors that pay no household income (``h_j = 0``);
Type II quantities are undefined for tables without households.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.linalg

from .errors import IOUQError
from .table import IOTable, check_productive

__all__ = [
    "MULTIPLIERS",
    "leontief_inverse",
    "multiplier_values",
    "multipliers_from_matrix",
    "point_multipliers",
    "check_multiplier",
]

MULTIPLIERS: tuple[str, ...] = ("output_type1", "output_type2", "income_type1", "income_type2")
TYPE2 = frozenset({"output_type2", "income_type2"})
INCOME = frozenset({"income_type1", "income_type2"})


def check_multiplier(multiplier: str) -> str:
    """Return ``multiplier`` if it is known, else raise an :class:`IOUQError` listing the choices."""
    if multiplier not in MULTIPLIERS:
        raise IOUQError(f"unknown multiplier '{multiplier}'; choose one of {', '.join(MULTIPLIERS)}.")
    return multiplier


def leontief_inverse(A: np.ndarray) -> np.ndarray:
    """Leontief inverse ``(I - A)^-1`` by an LU solve.

    Raises :class:`~iouq.errors.NotProductiveError` if ``rho(A) >= 1``.
    """
    A = np.asarray(A, dtype=float)
    check_productive(A)
    n = A.shape[0]
    return scipy.linalg.solve(np.eye(n) - A, np.eye(n))


def multipliers_from_matrix(M: np.ndarray, Linv: np.ndarray, n: int, multiplier: str) -> np.ndarray:
    """Evaluate one multiplier from a coefficient matrix and its Leontief inverse.

    Parameters
    ----------
    M : ndarray
        ``A`` (n x n) for Type I or the closed matrix (n+1 x n+1) for Type II (income
        Type I also accepts the closed matrix: it reads ``h`` from row ``n``).
    Linv : ndarray
        ``(I - A)^-1`` of the n x n block for Type I, ``(I - Ā)^-1`` for Type II.
    n : int
        Number of producing sectors.
    multiplier : str
        One of :data:`MULTIPLIERS`.

    Returns
    -------
    ndarray, shape (n,)
        Values per producing sector (NaN where undefined).
    """
    check_multiplier(multiplier)
    if multiplier == "output_type1":
        return Linv[:n, :n].sum(axis=0)
    if multiplier == "output_type2":
        return Linv[:n, :n].sum(axis=0)
    h = M[n, :n]
    with np.errstate(divide="ignore", invalid="ignore"):
        if multiplier == "income_type1":
            val = (h @ Linv[:n, :n]) / h
        else:
            val = Linv[n, :n] / h
    return np.where(h != 0, val, np.nan)


def multiplier_values(table: IOTable, multiplier: str) -> np.ndarray:
    """Point values of one multiplier for every producing sector of ``table``.

    Raises :class:`~iouq.errors.HouseholdsMissingError` for a Type II or income multiplier
    on a table without households.
    """
    check_multiplier(multiplier)
    n = table.n
    if multiplier == "output_type1":
        return multipliers_from_matrix(table.A, leontief_inverse(table.A), n, multiplier)
    table.require_households(f"the {multiplier} multiplier")
    M = table.closed_matrix()
    if multiplier == "income_type1":
        return multipliers_from_matrix(M, leontief_inverse(table.A), n, multiplier)
    return multipliers_from_matrix(M, _closed_inverse(table, M), n, multiplier)


def _closed_inverse(table: IOTable, M: np.ndarray) -> np.ndarray:
    from .errors import NotProductiveError

    try:
        return leontief_inverse(M)
    except NotProductiveError as exc:
        raise NotProductiveError(
            f"table '{table.name}': the household-closed matrix is not productive ({exc}). "
            "Type II quantities are undefined; check the household income row and consumption column."
        ) from None


def point_multipliers(table: IOTable) -> pd.DataFrame:
    """All four multipliers at the point estimate, one row per producing sector.

    Returns
    -------
    DataFrame
        Columns ``sector, output_type1, output_type2, income_type1, income_type2``;
        NaN where a quantity is undefined (no households, or ``h_j = 0``).
    """
    out = pd.DataFrame({"sector": list(table.sectors)})
    L = leontief_inverse(table.A)
    out["output_type1"] = L.sum(axis=0)
    if table.has_households:
        M = table.closed_matrix()
        Lc = _closed_inverse(table, M)
        for name in ("output_type2", "income_type1", "income_type2"):
            out[name] = multipliers_from_matrix(M, L if name == "income_type1" else Lc, table.n, name)
    else:
        for name in ("output_type2", "income_type1", "income_type2"):
            out[name] = np.nan
    return out
