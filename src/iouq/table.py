"""The in-memory input-output table.

An :class:`IOTable` holds the technical-coefficient matrix ``A`` of the producing sectors and,
optionally, the household sector used to close the model (Type II quantities):

* ``household_income`` ``h`` with ``h_j = a_hj``: household income (labour compensation) per unit
  of output of sector ``j`` (the household *row* of the closed matrix);
* ``household_consumption`` ``c`` with ``c_i = a_ih``: purchases from sector ``i`` per unit of
  household income (the household *column*);
* ``household_self`` ``a_hh``: households' purchases from households (usually 0).

Flows (output, final demand, value added) are kept when the table came in flow form; the
methods that need them (gross-output targets) say so when they are missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .errors import HouseholdsMissingError, NotProductiveError, TableError

__all__ = ["IOTable", "spectral_radius", "check_productive"]


def spectral_radius(M: np.ndarray) -> float:
    """Spectral radius (largest eigenvalue modulus) of a square matrix."""
    if M.size == 0:
        return 0.0
    return float(np.max(np.abs(np.linalg.eigvals(M))))


def _abs_productive(A: np.ndarray) -> bool:
    """Cheap sufficient test of ``rho(|A|) < 1`` (hence ``rho(A) < 1``): a vector ``v > 0`` with
    ``(I - |A|) v > 0`` (Fiedler-Ptak), from one LU solve instead of an eigenvalue problem."""
    n = A.shape[0]
    B = np.eye(n) - np.abs(A)
    try:
        v = np.linalg.solve(B, np.ones(n))
    except np.linalg.LinAlgError:
        return False
    return bool(np.all(v > 0) and np.all(B @ v > 0.5))


def check_productive(A: np.ndarray, what: str = "A") -> None:
    """Raise :class:`NotProductiveError` unless ``rho(A) < 1``.

    A one-solve certificate of ``rho(|A|) < 1`` is tried first; the eigenvalues are computed only
    when it fails (mixed-sign matrices, or to report the spectral radius in the error).
    """
    if A.size == 0 or _abs_productive(A):
        return
    rho = spectral_radius(A)
    if not rho < 1.0:
        raise NotProductiveError(
            f"{what} is not productive: its spectral radius is {rho:.6g} (must be below 1), so "
            "(I - A) has no non-negative inverse. Check the units (coefficients are inputs per unit "
            "of output, usually well below 1) and that output is not understated."
        )


def _as_matrix(values: object, name: str) -> np.ndarray:
    try:
        M = np.array(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TableError(f"{name} has cells that are not numbers ({exc}); use plain decimal numbers.") from None
    if M.ndim != 2 or M.shape[0] != M.shape[1]:
        raise TableError(
            f"{name} must be a square matrix, got shape {M.shape}; "
            "the rows and the columns must list the same sectors."
        )
    if not np.all(np.isfinite(M)):
        bad = np.argwhere(~np.isfinite(M))[0]
        raise TableError(
            f"{name} has a missing, NaN or infinite cell at row {bad[0]}, column {bad[1]}; "
            "fill it with a number (0 for no flow)."
        )
    return M


def _as_vector(values: object, n: int, name: str) -> np.ndarray:
    v = np.array(values, dtype=float).reshape(-1)
    if v.shape != (n,):
        raise TableError(f"{name} must have one value per sector ({n}), got {v.shape[0]}.")
    if not np.all(np.isfinite(v)):
        raise TableError(f"{name} has a missing, NaN or infinite value; fill it with a number.")
    return v


def _as_satellites(S: object, sectors: tuple[str, ...], name: str) -> pd.DataFrame:
    """Validate a satellite-intensity frame: accounts x sectors, unique names, finite numbers."""
    if not isinstance(S, pd.DataFrame):
        raise TableError(f"table '{name}': satellites must be a DataFrame (accounts x sectors).")
    cols = tuple(str(c) for c in S.columns)
    if cols != sectors:
        raise TableError(
            f"table '{name}': satellite columns must be the sector codes in table order; "
            f"got {list(cols)[:5]}..., expected {list(sectors)[:5]}...."
        )
    accounts = [str(a) for a in S.index]
    if len(set(accounts)) != len(accounts):
        dup = sorted({a for a in accounts if accounts.count(a) > 1})
        raise TableError(f"table '{name}': duplicate satellite accounts {dup}; account names must be unique.")
    try:
        values = np.array(S.to_numpy(), dtype=float)
    except (TypeError, ValueError):
        raise TableError(f"table '{name}': satellites have cells that are not numbers.") from None
    if not np.all(np.isfinite(values)):
        a, j = np.argwhere(~np.isfinite(values))[0]
        raise TableError(
            f"table '{name}': satellite account '{accounts[a]}' has a missing, NaN or infinite value "
            f"for sector '{sectors[j]}'; fill it with a number (0 for none)."
        )
    values.setflags(write=False)
    return pd.DataFrame(values, index=pd.Index(accounts, name="account"), columns=list(sectors))


@dataclass(frozen=True, eq=False)
class IOTable:
    """An input-output table in coefficient form, with optional household closure and flows.

    Parameters
    ----------
    name : str
        Short name (a bundled table's name or the directory name).
    sectors : tuple of str
        Codes of the producing sectors (strings, order of rows and columns of ``A``).
    A : ndarray, shape (n, n)
        Technical coefficients of the producing sectors.
    household_income : ndarray, shape (n,), optional
        ``h_j = a_hj``, household income per unit of output of sector ``j``.
    household_consumption : ndarray, shape (n,), optional
        ``c_i = a_ih``, purchases from sector ``i`` per unit of household income.
    household_self : float
        ``a_hh`` (default 0).
    output : ndarray, shape (n,), optional
        Gross output ``x`` (flow form only).
    final_demand : DataFrame, optional
        Final demand by sector (rows) and category (columns), in flow units.
    value_added : DataFrame, optional
        Value added by category (rows) and sector (columns), in flow units.
    units, source : str
        Metadata carried into results.
    household_label : str
        Label of the household row/column in closed matrices.
    satellites : DataFrame, optional
        Satellite (environmental, employment, value-added) accounts as *intensities*: one row per
        account (index: account names, unique strings), one column per producing sector (columns:
        exactly ``sectors``, same order); ``s_aj`` = amount of account ``a`` per unit of output of
        sector ``j``. Read from ``satellites.csv`` (flows form: totals divided by output).
    satellite_units : dict
        Unit of each account (``{account: unit}``), free text carried into results.
    satellite_signed : tuple of str
        Accounts that may legally be negative (e.g. net emissions, value added with subsidies);
        every other account is declared non-negative, which the table-directory reader checks.
        The numerics do not rely on it (the interval family analyses the signs it is given).
    """

    name: str
    sectors: tuple[str, ...]
    A: np.ndarray
    household_income: np.ndarray | None = None
    household_consumption: np.ndarray | None = None
    household_self: float = 0.0
    output: np.ndarray | None = None
    final_demand: pd.DataFrame | None = None
    value_added: pd.DataFrame | None = None
    units: str = ""
    source: str = ""
    household_label: str = "HH"
    meta: dict = field(default_factory=dict)
    satellites: pd.DataFrame | None = None
    satellite_units: dict = field(default_factory=dict)
    satellite_signed: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        A = _as_matrix(self.A, f"table '{self.name}': coefficient matrix A")
        n = A.shape[0]
        if len(self.sectors) != n:
            raise TableError(f"table '{self.name}': {len(self.sectors)} sector codes for a {n}x{n} matrix.")
        sectors = tuple(str(s) for s in self.sectors)
        if len(set(sectors)) != n:
            dup = sorted({s for s in sectors if sectors.count(s) > 1})
            raise TableError(f"table '{self.name}': duplicate sector codes {dup}; codes must be unique.")
        object.__setattr__(self, "A", A)
        object.__setattr__(self, "sectors", sectors)
        h, c = self.household_income, self.household_consumption
        if (h is None) != (c is None):
            raise TableError(
                f"table '{self.name}': households need both an income row and a consumption column."
            )
        if h is not None:
            object.__setattr__(self, "household_income", _as_vector(h, n, f"table '{self.name}': household income row"))
            object.__setattr__(
                self, "household_consumption", _as_vector(c, n, f"table '{self.name}': household consumption column")
            )
            if not np.isfinite(self.household_self):
                raise TableError(f"table '{self.name}': household self-coefficient a_hh is not a number.")
            object.__setattr__(self, "household_self", float(self.household_self))
        if self.output is not None:
            x = _as_vector(self.output, n, f"table '{self.name}': output")
            if np.any(x <= 0):
                bad = [sectors[i] for i in np.flatnonzero(x <= 0)]
                raise TableError(
                    f"table '{self.name}': output must be positive, but is zero or negative for sectors {bad}; "
                    "drop or aggregate sectors that produce nothing."
                )
            object.__setattr__(self, "output", x)
        if self.satellites is not None:
            object.__setattr__(self, "satellites", _as_satellites(self.satellites, sectors, self.name))
        signed = tuple(str(a) for a in self.satellite_signed)
        unknown = [a for a in signed if a not in self.accounts]
        if unknown:
            raise TableError(
                f"table '{self.name}': satellite_signed names accounts that are not in the table: {unknown}; "
                f"accounts: {list(self.accounts)}."
            )
        object.__setattr__(self, "satellite_signed", signed)
        for arr in (self.A, self.household_income, self.household_consumption, self.output):
            if arr is not None:
                arr.setflags(write=False)

    # ------------------------------------------------------------------ basic properties
    @property
    def n(self) -> int:
        """Number of producing sectors."""
        return self.A.shape[0]

    @property
    def has_households(self) -> bool:
        """Whether the table carries a household row and column (Type II closure)."""
        return self.household_income is not None

    def require_households(self, quantity: str = "a Type II quantity") -> None:
        """Raise :class:`HouseholdsMissingError` when the table has no household sector."""
        if not self.has_households:
            raise HouseholdsMissingError(
                f"table '{self.name}' has no household row/column, which {quantity} needs. "
                "Name the household consumption column and household income row in table.yaml "
                "(keys households.consumption and households.income), or ask for a Type I quantity."
            )

    @property
    def accounts(self) -> tuple[str, ...]:
        """Names of the satellite accounts (empty when the table has none)."""
        return () if self.satellites is None else tuple(self.satellites.index)

    def intensity(self, account: str) -> np.ndarray:
        """Intensity row ``s_a`` (per unit of output) of satellite account ``account``."""
        if account not in self.accounts:
            have = ", ".join(self.accounts) or "none"
            raise TableError(
                f"table '{self.name}' has no satellite account '{account}' (accounts: {have}); "
                "add it to satellites.csv."
            )
        return self.satellites.loc[account].to_numpy(dtype=float)

    def closed_matrix(self) -> np.ndarray:
        """The household-closed coefficient matrix ``[[A, c], [h', a_hh]]`` of size n+1."""
        self.require_households()
        n = self.n
        M = np.zeros((n + 1, n + 1))
        M[:n, :n] = self.A
        M[:n, n] = self.household_consumption
        M[n, :n] = self.household_income
        M[n, n] = self.household_self
        return M

    def total_final_demand(self) -> np.ndarray:
        """Total final demand per sector (row sums of the final-demand table)."""
        if self.final_demand is None:
            if self.output is None:
                raise TableError(
                    f"table '{self.name}' has no final demand or output; a gross-output target needs "
                    "a table in flow form (Z.csv, final_demand.csv)."
                )
            return self.output - self.A @ self.output
        return self.final_demand.to_numpy(dtype=float).sum(axis=1)
