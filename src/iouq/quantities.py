"""The one place that knows which quantities a table supports: multipliers and satellite quantities.

A quantity is named either by a multiplier of :data:`iouq.multipliers.MULTIPLIERS`
(``output_type1``, ...) or, for a satellite account ``a`` (employment, emissions, value added;
:attr:`iouq.table.IOTable.satellites`), as ``QUANTITY:ACCOUNT`` (e.g. ``effect_type1:CO2``) with
``QUANTITY`` one of :data:`SATELLITE_QUANTITIES`. With the intensity row ``s`` (amount per unit
of output), ``L = (I - A)^-1`` and the household-closed inverse ``L̄`` (Miller & Blair 2009,
ch. 6 and 10; Eurostat 2008, ch. 15):

``intensity``
    ``s_j = F_j / x_j``, the direct requirement per unit of output.
``effect_type1``
    ``(s'L)_j``: the account's total (direct and indirect) requirement per unit of final demand
    for sector ``j`` (the Eurostat Manual's "employment effect", "GVA effect").
``multiplier_type1``
    ``(s'L)_j / s_j`` (undefined, NaN, where ``s_j = 0``).
``effect_type2``, ``multiplier_type2``
    The same with households endogenous: ``sum_{i <= n} s_i l̄_ij`` and its ratio to ``s_j``.

Every satellite quantity is an entry of the inverse of a *bordered* matrix, which is how the
three families reuse their multiplier machinery: with ``Ms = [[A, 0], [s', 0]]`` (Type I) or
``[[Ā, 0], [(s', 0), 0]]`` (Type II, ``Ā`` the closed matrix), ``(I - Ms)^-1`` has the row
``(s'L, 1)`` (resp. ``(s'L̄_{1..n}, ·, 1)``) in its last position ``h``, so an effect is the
linear functional ``e_h' (I - Ms)^-1 e_j`` and a multiplier the ratio ``[(I - Ms)^-1]_hj / Ms_hj``
— the structure of the Type I income multiplier, with ``s`` in place of ``h``. Intensities are
scaled by a power of two before they enter the bordered matrix (:func:`satellite_scale`; exact in
floating point), so accounts in large units do not disturb the numerics.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import IOUQError
from .multipliers import MULTIPLIERS, leontief_inverse
from .table import IOTable, check_productive

__all__ = [
    "SATELLITE_QUANTITIES",
    "DEFAULT_SATELLITE_QUANTITIES",
    "EXTENSIONS_COLUMNS",
    "ELASTICITY_COLUMNS",
    "Quantity",
    "parse_quantity",
    "is_satellite",
    "check_quantity",
    "check_sat_tol",
    "table_quantities",
    "satellite_matrix",
    "satellite_scale",
    "satellite_values",
    "extensions_frame",
    "footprint_elasticities",
]

SATELLITE_QUANTITIES: tuple[str, ...] = (
    "intensity", "effect_type1", "multiplier_type1", "effect_type2", "multiplier_type2",
)
#: Quantities the pipeline runs per account unless configured otherwise.
DEFAULT_SATELLITE_QUANTITIES: tuple[str, ...] = ("effect_type1", "multiplier_type1", "effect_type2", "multiplier_type2")
EXTENSIONS_COLUMNS: list[str] = [
    "account", "sector", "intensity", "effect_type1", "multiplier_type1", "effect_type2", "multiplier_type2",
]
ELASTICITY_COLUMNS: list[str] = ["account", "kind", "row", "col", "coefficient", "elasticity"]
TYPE2_QUANTITIES = frozenset({"effect_type2", "multiplier_type2"})
RATIO_QUANTITIES = frozenset({"multiplier_type1", "multiplier_type2"})


@dataclass(frozen=True)
class Quantity:
    """A parsed quantity name.

    Attributes
    ----------
    quantity : str
        A multiplier name or one of :data:`SATELLITE_QUANTITIES`.
    account : str or None
        The satellite account (None for a multiplier).
    """

    quantity: str
    account: str | None = None

    @property
    def name(self) -> str:
        """The canonical name (``effect_type1:CO2`` or ``output_type1``)."""
        return self.quantity if self.account is None else f"{self.quantity}:{self.account}"

    @property
    def satellite(self) -> bool:
        return self.account is not None

    @property
    def type2(self) -> bool:
        return self.quantity in TYPE2_QUANTITIES or self.quantity in ("output_type2", "income_type2")

    @property
    def ratio(self) -> bool:
        """Whether the quantity is a ratio with its own coefficient in the denominator."""
        return self.quantity in RATIO_QUANTITIES


def parse_quantity(name: str) -> Quantity:
    """Parse a multiplier name or ``QUANTITY:ACCOUNT``; raise :class:`IOUQError` if malformed."""
    if not isinstance(name, str):
        raise IOUQError(f"a quantity name must be text, got {name!r}.")
    if ":" not in name:
        if name in MULTIPLIERS:
            return Quantity(name)
        hint = (f" Satellite quantities are named QUANTITY:ACCOUNT, e.g. '{name}:CO2'."
                if name in SATELLITE_QUANTITIES else "")
        raise IOUQError(
            f"unknown multiplier '{name}'; choose one of {', '.join(MULTIPLIERS)}, or a satellite quantity "
            f"QUANTITY:ACCOUNT with QUANTITY one of {', '.join(SATELLITE_QUANTITIES)}.{hint}"
        )
    quantity, _, account = name.partition(":")
    quantity, account = quantity.strip(), account.strip()
    if quantity not in SATELLITE_QUANTITIES:
        raise IOUQError(
            f"unknown satellite quantity '{quantity}' in '{name}'; choose one of {', '.join(SATELLITE_QUANTITIES)} "
            "(e.g. effect_type1:CO2)."
        )
    if not account:
        raise IOUQError(f"'{name}' names no satellite account; write QUANTITY:ACCOUNT, e.g. {quantity}:CO2.")
    return Quantity(quantity, account)


def is_satellite(name: str) -> bool:
    """Whether ``name`` is a satellite quantity name (contains ``:``)."""
    return isinstance(name, str) and ":" in name


def check_quantity(table: IOTable, name: str) -> Quantity:
    """Parse ``name`` and check that ``table`` supports it (account present, households for Type II)."""
    q = parse_quantity(name)
    if q.satellite:
        if q.account not in table.accounts:
            have = ", ".join(table.accounts) or "none"
            raise IOUQError(
                f"table '{table.name}' has no satellite account '{q.account}' (accounts: {have}); "
                "add it to satellites.csv or choose one of the accounts."
            )
        if q.type2:
            table.require_households(f"the satellite quantity {q.name}")
    return q


def check_sat_tol(sat_tol: float | None, tol: float) -> float:
    """The tolerance of the intensities: ``tol`` when ``sat_tol`` is None, else a checked ``0 <= t < 1``."""
    if sat_tol is None:
        return float(tol)
    try:
        t = float(sat_tol)
    except (TypeError, ValueError):
        raise IOUQError(f"sat_tol (--sat-tol) must be a number, got {sat_tol!r}.") from None
    if not math.isfinite(t) or t < 0 or t >= 1:
        raise IOUQError(
            f"sat_tol (--sat-tol) must be a finite number with 0 <= t < 1 (a relative tolerance of the "
            f"satellite intensities: 0.1 means ±10%), got {sat_tol!r}."
        )
    return t


def table_quantities(table: IOTable, accounts: list[str] | tuple[str, ...] | None = None,
                     quantities: list[str] | tuple[str, ...] = DEFAULT_SATELLITE_QUANTITIES,
                     multipliers: bool = True) -> list[str]:
    """Names of the quantities a table supports, multipliers first, then ``QUANTITY:ACCOUNT``.

    Parameters
    ----------
    table : IOTable
    accounts : sequence of str, optional
        Accounts to include (default: all of the table's); accounts the table lacks are skipped.
    quantities : sequence of str
        Satellite quantities per account; Type II ones are dropped for tables without households.
    multipliers : bool
        Whether to start with the table's multipliers.
    """
    for q in quantities:
        if q not in SATELLITE_QUANTITIES:
            raise IOUQError(f"unknown satellite quantity '{q}'; choose from {', '.join(SATELLITE_QUANTITIES)}.")
    out: list[str] = []
    if multipliers:
        out.extend(MULTIPLIERS if table.has_households else ("output_type1",))
    wanted = table.accounts if accounts is None else [a for a in accounts if a in table.accounts]
    for a in wanted:
        for q in quantities:
            if q in TYPE2_QUANTITIES and not table.has_households:
                continue
            out.append(f"{q}:{a}")
    return out


def satellite_scale(s: np.ndarray) -> float:
    """A power of two ``2^k`` with ``max|s| 2^k`` in ``[0.5, 1)`` (1 for an all-zero row); multiplying by it is exact."""
    m = float(np.max(np.abs(s))) if np.size(s) else 0.0
    if m == 0.0 or not math.isfinite(m):
        return 1.0
    _, e = math.frexp(m)  # m = f 2^e, 0.5 <= f < 1
    return math.ldexp(1.0, -e)


def satellite_matrix(table: IOTable, account: str, type2: bool, scale: float = 1.0) -> tuple[np.ndarray, int]:
    """The bordered matrix of a satellite account and the index ``h`` of its row.

    Type I: ``[[A, 0], [scale s', 0]]`` (size n+1, ``h = n``); Type II:
    ``[[A, c, 0], [h', a_hh, 0], [scale s', 0, 0]]`` (size n+2, ``h = n + 1``).
    ``[(I - M)^-1]_{h, j} = scale (s'L)_j`` (Type I), ``scale sum_{i<=n} s_i l̄_ij`` (Type II).
    """
    s = table.intensity(account) * scale
    n = table.n
    if type2:
        C = table.closed_matrix()
        M = np.zeros((n + 2, n + 2))
        M[: n + 1, : n + 1] = C
        M[n + 1, :n] = s
        return M, n + 1
    M = np.zeros((n + 1, n + 1))
    M[:n, :n] = table.A
    M[n, :n] = s
    return M, n


def _closed_inverse(table: IOTable) -> np.ndarray:
    M = table.closed_matrix()
    check_productive(M, f"table '{table.name}': the household-closed matrix")
    return np.linalg.solve(np.eye(M.shape[0]) - M, np.eye(M.shape[0]))


def satellite_values(table: IOTable, name: str) -> np.ndarray:
    """Point values of a satellite quantity ``QUANTITY:ACCOUNT`` per producing sector.

    Returns
    -------
    ndarray, shape (n,)
        NaN where undefined (multipliers of sectors with ``s_j = 0``).
    """
    q = check_quantity(table, name)
    if not q.satellite:
        raise IOUQError(f"'{name}' is a multiplier, not a satellite quantity; use iouq.multipliers.")
    s = table.intensity(q.account)
    if q.quantity == "intensity":
        return s.copy()
    n = table.n
    if q.type2:
        effect = s @ _closed_inverse(table)[:n, :n]
    else:
        effect = s @ leontief_inverse(table.A)
    if not q.ratio:
        return effect
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(s != 0, effect / np.where(s != 0, s, 1.0), np.nan)


def extensions_frame(table: IOTable, account: str | None = None) -> pd.DataFrame:
    """Every satellite quantity of every account (or one), long by account then sector.

    Returns
    -------
    DataFrame
        Columns :data:`EXTENSIONS_COLUMNS`; NaN where undefined (multipliers with ``s_j = 0``,
        Type II quantities of tables without households).

    Raises
    ------
    IOUQError
        If the table has no satellite accounts, or not the one asked for.
    """
    if not table.accounts:
        raise IOUQError(
            f"table '{table.name}' has no satellite accounts; add satellites.csv to its table directory "
            "(first column 'account', one column per sector code)."
        )
    accounts = table.accounts if account is None else (check_quantity(table, f"intensity:{account}").account,)
    L = leontief_inverse(table.A)
    Lc = _closed_inverse(table)[: table.n, : table.n] if table.has_households else None
    frames = []
    for a in accounts:
        s = table.intensity(a)
        e1 = s @ L
        e2 = s @ Lc if Lc is not None else np.full(table.n, np.nan)
        nz = s != 0
        with np.errstate(divide="ignore", invalid="ignore"):
            m1 = np.where(nz, e1 / np.where(nz, s, 1.0), np.nan)
            m2 = np.where(nz, e2 / np.where(nz, s, 1.0), np.nan)
        frames.append(pd.DataFrame({"account": a, "sector": list(table.sectors), "intensity": s,
                                    "effect_type1": e1, "multiplier_type1": m1,
                                    "effect_type2": e2, "multiplier_type2": m2}))
    return pd.concat(frames, ignore_index=True)[EXTENSIONS_COLUMNS]


def footprint_elasticities(table: IOTable, account: str, final_demand: np.ndarray | None = None) -> pd.DataFrame:
    """Exact elasticities of a footprint ``f = s' L y`` to every coefficient and intensity.

    With ``m = s'L`` (the effects) and ``x = L y`` (the output the final demand requires),
    ``df/da_ij = m_i x_j`` (from ``dL = L dA L``), so the elasticity is
    ``e_ij = (a_ij / f) df/da_ij = m_i a_ij x_j / f``; for an intensity ``e_i = s_i x_i / f``
    (Lenzen 2003, "Environmentally important paths, linkages and key sectors"; Miller & Blair
    2009, sec. 12.2). The intensity elasticities sum to 1 (``f`` is linear in ``s``); the ``A``
    ones sum to ``m'Ax/f = s'(L - I)x/f``, the indirect share of the footprint.

    Parameters
    ----------
    table : IOTable
    account : str
        The satellite account.
    final_demand : ndarray (n,), optional
        ``y``; default the table's total final demand (:meth:`IOTable.total_final_demand`).

    Returns
    -------
    DataFrame
        Columns :data:`ELASTICITY_COLUMNS`: ``kind`` = ``A`` (one row per non-zero ``a_ij``,
        row-major; ``row``, ``col`` the sector codes) or ``intensity`` (one row per non-zero
        ``s_i``; ``row`` = the account, ``col`` = the sector); ``coefficient`` = ``a_ij`` or ``s_i``.

    Raises
    ------
    IOUQError
        If the footprint is 0 (the elasticity is undefined) or the final demand is malformed.
    """
    q = check_quantity(table, f"intensity:{account}")
    s = table.intensity(q.account)
    n = table.n
    if final_demand is None:
        y = table.total_final_demand()
    else:
        y = np.asarray(final_demand, dtype=float).reshape(-1)
        if y.shape != (n,) or not np.all(np.isfinite(y)):
            raise IOUQError(f"final demand must hold {n} finite numbers (one per sector), got shape {y.shape}.")
    L = leontief_inverse(table.A)
    m = s @ L
    x = L @ y
    f = float(s @ x)
    if f == 0.0 or not math.isfinite(f):
        raise IOUQError(
            f"the footprint of account '{account}' for this final demand is {f:g}; elasticities (relative "
            "changes) are undefined. Choose another account or final demand."
        )
    A = table.A
    i, j = np.nonzero(A)
    el_A = m[i] * A[i, j] * x[j] / f
    k = np.flatnonzero(s)
    el_s = s[k] * x[k] / f
    sec = np.array(table.sectors, dtype=object)
    return pd.DataFrame({
        "account": q.account,
        "kind": ["A"] * len(i) + ["intensity"] * len(k),
        "row": list(sec[i]) + [q.account] * len(k),
        "col": list(sec[j]) + list(sec[k]),
        "coefficient": np.concatenate([A[i, j], s[k]]),
        "elasticity": np.concatenate([el_A, el_s]),
    })[ELASTICITY_COLUMNS]
