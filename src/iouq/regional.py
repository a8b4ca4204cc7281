"""Regional tables from a national table by location quotients, and the uncertainty of the choice.

Notation (Flegg, Webber & Elliott 1995; Flegg & Webber 2000; Flegg & Tohmo 2013): ``x^r_i`` and
``x^n_i`` are the regional and national measure (output or employment) of sector ``i``,
``x^r = sum_i x^r_i`` and ``x^n = sum_i x^n_i`` their totals.

* simple location quotient ``SLQ_i = (x^r_i / x^r) / (x^n_i / x^n)``;
* cross-industry quotient ``CILQ_ij = SLQ_i / SLQ_j`` (selling sector ``i``, buying sector
  ``j``), with ``SLQ_i`` on the diagonal;
* ``FLQ_ij = CILQ_ij * lambda*`` with ``lambda* = [log2(1 + x^r / x^n)]^delta``;
* ``AFLQ_ij = FLQ_ij * log2(1 + SLQ_j)`` where ``SLQ_j > 1`` (else ``FLQ_ij``).

The regional coefficient is ``r_ij = min(LQ_ij, 1) a_ij``: a quotient of one or more means the
region supplies all of its own needs, below one the region imports the difference.

Conventions (documented choices). A sector with ``x^r_i = 0`` supplies nothing: its row is zero.
A buying sector with ``x^r_j = 0`` and a selling sector with ``x^r_i > 0`` gives
``CILQ_ij = +inf``, capped at 1 (the national coefficient is kept; the column carries no weight
in the regional economy anyway). Households, when the table has them, are a buying sector
whose quotient is 1: ``c^r_i = min(SLQ_i * lambda, 1) c_i`` with ``lambda = lambda*`` for FLQ and
AFLQ and 1 for SLQ and CILQ; household income per unit of output ``h`` is technology and is kept.

Monotonicity in delta (the basis of the exact delta-bounds). Because ``0 < x^r / x^n <= 1``,
``b = log2(1 + x^r / x^n)`` lies in ``(0, 1]``, so ``lambda* = b^delta`` is *non-increasing* in
``delta`` (``d lambda*/d delta = lambda* ln b <= 0``). Every FLQ and AFLQ quotient is a non-negative
constant times ``lambda*``, hence non-increasing, and so is ``min(LQ, 1)``, the minimum of a
non-increasing function and a constant. A coefficient ``r_ij = min(LQ_ij, 1) a_ij`` is therefore
non-increasing in ``delta`` when ``a_ij >= 0`` and non-decreasing when ``a_ij < 0``. With a
non-negative table all regional coefficients are smallest together at the largest delta and
largest together at the smallest delta; the Leontief inverse is elementwise increasing in every
non-negative coefficient (``dL/da_ij = L e_i e_j' L >= 0``), so every output multiplier attains its
minimum at ``delta_hi`` and its maximum at ``delta_lo``: the end points give the exact range.
Combined with a coefficient box ``r_ij (1 +- t)``, the vertices ``(delta_hi, lower corner)`` and
``(delta_lo, upper corner)`` are attained points, so the bounds stay exact. With negative
coefficients the hull box of the coefficients is not attained jointly; the bounds are then an
enclosure of the hull box (:func:`iouq.interval.box_inverse_enclosure`), labelled ``enclosure``.

References
----------
Flegg, A.T., Webber, C.D. & Elliott, M.V. (1995). On the appropriate use of location quotients
in generating regional input-output tables. Regional Studies 29(6), 547-561.
Flegg, A.T. & Webber, C.D. (2000). Regional size, regional specialization and the FLQ formula.
Regional Studies 34(6), 563-569.
Flegg, A.T. & Tohmo, T. (2013). Regional input-output tables and the FLQ formula: a case study of
Finland. Regional Studies 47(5), 703-721.
Bonfiglio, A. & Chelli, F. (2008). Assessing the behaviour of non-survey methods for
constructing regional input-output tables through a Monte Carlo simulation. Economic Systems
Research 20(3), 243-258.
Miller, R.E. & Blair, P.D. (2009). Input-Output Analysis, 2nd ed., section 8.3. Cambridge UP.
"""

from __future__ import annotations

import dataclasses
import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import IOUQError, NotProductiveError
from .interval import box_inverse_enclosure, check_tolerance
from .table import IOTable, _abs_productive, check_productive

__all__ = [
    "LQ_METHODS",
    "DEFAULT_DELTA",
    "RegionalData",
    "RegionalError",
    "read_regional_csv",
    "regional_data",
    "slq",
    "cilq",
    "flq_lambda",
    "location_quotients",
    "regional_coefficients",
    "regionalize",
    "regional_output_multipliers",
    "delta_bounds",
    "delta_grid_range",
    "delta_montecarlo",
    "lq_comparison",
    "synthetic_two_region",
    "lq_accuracy",
    "delta_uncertainty",
]

LQ_METHODS: tuple[str, ...] = ("slq", "cilq", "flq", "aflq")
DEFAULT_DELTA = 0.25
MULTIPLIERS = ("output_type1", "output_type2")


class RegionalError(IOUQError):
    """Bad regional data or regionalisation settings (file, sector, delta, method)."""


# ============================================================================ regional data
@dataclass(frozen=True)
class RegionalData:
    """Regional and national measure by sector (in table order).

    Attributes
    ----------
    sectors : tuple of str
    regional, national : ndarray
        ``x^r_i >= 0`` and ``x^n_i > 0``.
    source : str
        Where the data came from (file path or 'given'), for provenance.
    national_source : str
        ``'table output'`` or ``'file'``.
    """

    sectors: tuple[str, ...]
    regional: np.ndarray
    national: np.ndarray
    source: str = "given"
    national_source: str = "file"

    @property
    def size(self) -> float:
        """Relative size of the region ``x^r / x^n``."""
        return float(self.regional.sum() / self.national.sum())


def _check_measure(values: np.ndarray, sectors: tuple[str, ...], what: str, where: str, positive: bool) -> None:
    bad = ~np.isfinite(values) | ((values <= 0) if positive else (values < 0))
    if np.any(bad):
        names = [sectors[i] for i in np.flatnonzero(bad)][:8]
        need = "positive" if positive else "non-negative (0 for a sector absent from the region)"
        raise RegionalError(f"{where}: column '{what}' must be a {need} number for every sector; bad for sectors {names}.")


def regional_data(table: IOTable, regional: object, national: object | None = None, source: str = "given"
                  ) -> RegionalData:
    """Validate a regional (and optionally national) measure against a table's sectors.

    Parameters
    ----------
    table : IOTable
        The national table; its ``output`` is the national measure when ``national`` is None.
    regional, national : array-like, shape (n,)
        Regional and national measure in table order.
    source : str
        Name of the data for messages and provenance.

    Raises
    ------
    RegionalError
        Negative, non-finite or missing values; a national measure that is not positive; a
        regional value above the national one; a region with no activity at all.
    """
    n = table.n
    r = np.asarray(regional, dtype=float).reshape(-1)
    if r.shape != (n,):
        raise RegionalError(f"{source}: {r.shape[0]} regional values for a table of {n} sectors; give one per sector.")
    if national is None:
        if table.output is None:
            raise RegionalError(
                f"{source}: table '{table.name}' has no gross output, so the national measure is unknown; "
                "add a column 'national' (national output or employment by sector) to the regional file."
            )
        nat, nat_source = np.asarray(table.output, dtype=float), "table output"
    else:
        nat, nat_source = np.asarray(national, dtype=float).reshape(-1), "file"
        if nat.shape != (n,):
            raise RegionalError(f"{source}: {nat.shape[0]} national values for {n} sectors; give one per sector.")
    _check_measure(r, table.sectors, "regional", source, positive=False)
    _check_measure(nat, table.sectors, "national", source, positive=True)
    over = r > nat * (1 + 1e-12)
    if np.any(over):
        names = [table.sectors[i] for i in np.flatnonzero(over)][:8]
        raise RegionalError(
            f"{source}: the regional value exceeds the national one for sectors {names}; a region is part of "
            "the nation. Check the units, or give the matching national measure in a column 'national'."
        )
    if not r.sum() > 0:
        raise RegionalError(f"{source}: every regional value is 0; the region has no activity to regionalise.")
    r.setflags(write=False)
    nat.setflags(write=False)
    return RegionalData(table.sectors, r, nat, source, nat_source)


def read_regional_csv(path: str | os.PathLike, table: IOTable) -> RegionalData:
    """Read a regional data file: columns ``sector,regional`` and optionally ``national``.

    Every sector of the table must appear exactly once (codes compared as strings after
    stripping spaces); rows may come in any order.

    Raises
    ------
    RegionalError
        Missing file or columns, unknown, missing or duplicate sectors, cells that are not numbers.
    """
    p = Path(path)
    if not p.is_file():
        raise RegionalError(f"{p}: regional data file not found; give a CSV with columns sector,regional[,national].")
    try:
        df = pd.read_csv(p, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise RegionalError(f"{p}: not a readable CSV ({' '.join(str(exc).split())}).") from None
    df.columns = [str(c).strip() for c in df.columns]
    allowed = {"sector", "regional", "national"}
    if not {"sector", "regional"} <= set(df.columns) or set(df.columns) - allowed:
        raise RegionalError(
            f"{p}: columns must be sector,regional with an optional national; got {','.join(df.columns)}."
        )
    codes = [str(c).strip() for c in df["sector"]]
    dup = sorted({c for c in codes if codes.count(c) > 1})
    if dup:
        raise RegionalError(f"{p}: sectors {dup[:8]} appear more than once; give each sector once.")
    unknown = [c for c in codes if c not in table.sectors]
    if unknown:
        raise RegionalError(
            f"{p}: sectors {unknown[:8]} are not sectors of table '{table.name}' (its codes: "
            f"{', '.join(table.sectors[:8])}{', ...' if table.n > 8 else ''})."
        )
    missing = [s for s in table.sectors if s not in codes]
    if missing:
        raise RegionalError(f"{p}: sectors {missing[:8]} of table '{table.name}' are missing; give a row (0 if absent) for each.")
    order = [codes.index(s) for s in table.sectors]

    def numbers(col: str) -> np.ndarray:
        out = np.empty(len(order))
        for k, i in enumerate(order):
            text = str(df[col].iloc[i]).strip()
            try:
                v = float(text)
            except ValueError:
                raise RegionalError(
                    f"{p}: sector '{codes[i]}', column '{col}': {text!r} is not a number; write a plain decimal number."
                ) from None
            if not math.isfinite(v):
                raise RegionalError(f"{p}: sector '{codes[i]}', column '{col}': {text!r} is not a finite number.")
            out[k] = v
        return out

    national = numbers("national") if "national" in df.columns else None
    return regional_data(table, numbers("regional"), national, source=str(p))


# ============================================================================ quotients
def check_method(method: str) -> str:
    if method not in LQ_METHODS:
        raise RegionalError(f"unknown location-quotient method {method!r}; choose one of {', '.join(LQ_METHODS)}.")
    return method


def check_delta(delta: float) -> float:
    try:
        d = float(delta)
    except (TypeError, ValueError):
        raise RegionalError(f"delta must be a number, got {delta!r}.") from None
    if not (math.isfinite(d) and 0 <= d < 1):
        raise RegionalError(f"delta must satisfy 0 <= delta < 1 (the literature uses 0.1-0.4; default 0.25), got {delta!r}.")
    return d


def slq(data: RegionalData) -> np.ndarray:
    """Simple location quotients ``SLQ_i = (x^r_i / x^r) / (x^n_i / x^n)``."""
    return (data.regional / data.regional.sum()) / (data.national / data.national.sum())


def cilq(s: np.ndarray) -> np.ndarray:
    """Cross-industry quotients ``CILQ_ij = SLQ_i / SLQ_j`` with ``SLQ_i`` on the diagonal.

    ``SLQ_i = 0`` gives 0 (no regional supply); ``SLQ_j = 0 < SLQ_i`` gives ``+inf`` (capped
    at 1 later).
    """
    s = np.asarray(s, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        Q = s[:, None] / s[None, :]
    Q = np.where(s[:, None] == 0, 0.0, np.where(s[None, :] == 0, np.inf, Q))
    np.fill_diagonal(Q, s)
    return Q


def flq_lambda(size: float, delta: float) -> float:
    """``lambda* = [log2(1 + x^r/x^n)]^delta`` (Flegg & Webber 2000); non-increasing in delta."""
    return float(math.log2(1.0 + size) ** delta)


def location_quotients(data: RegionalData, method: str, delta: float = DEFAULT_DELTA) -> tuple[np.ndarray, np.ndarray]:
    """The quotient matrix ``LQ_ij`` (sectors x sectors) and the household column's quotients.

    Returns
    -------
    Q : ndarray, shape (n, n)
        Uncapped quotients of the producing sectors (``+inf`` possible, see :func:`cilq`).
    q_h : ndarray, shape (n,)
        Quotients of the household column (households are a buying sector with quotient 1).
    """
    check_method(method)
    s = slq(data)
    n = s.size
    lam = 1.0 if method in ("slq", "cilq") else flq_lambda(data.size, check_delta(delta))
    if method == "slq":
        Q = np.repeat(s[:, None], n, axis=1)
    else:
        Q = cilq(s) * lam
        if method == "aflq":
            adj = np.where(s > 1, np.log2(1.0 + s), 1.0)
            Q = Q * adj[None, :]
    return Q, s * lam


def regional_coefficients(A: np.ndarray, Q: np.ndarray) -> np.ndarray:
    """``r_ij = min(LQ_ij, 1) a_ij`` (zero national coefficients stay zero)."""
    return np.where(A == 0, 0.0, np.minimum(Q, 1.0) * A)


def _regional_parts(table: IOTable, data: RegionalData, method: str, delta: float
                    ) -> tuple[np.ndarray, np.ndarray | None]:
    Q, qh = location_quotients(data, method, delta)
    R = regional_coefficients(table.A, Q)
    c = None
    if table.has_households:
        c = np.where(table.household_consumption == 0, 0.0, np.minimum(qh, 1.0) * table.household_consumption)
    return R, c


def regionalize(table: IOTable, data: RegionalData, method: str, delta: float = DEFAULT_DELTA,
                name: str | None = None) -> IOTable:
    """The regional table: coefficients ``min(LQ, 1) a`` (households as in the module docstring).

    Parameters
    ----------
    table : IOTable
        National table.
    data : RegionalData
        From :func:`read_regional_csv` or :func:`regional_data`.
    method : {'slq', 'cilq', 'flq', 'aflq'}
    delta : float
        FLQ/AFLQ exponent, ``0 <= delta < 1`` (ignored by SLQ and CILQ).
    name : str, optional
        Name of the regional table (default ``<national>-<method>``).

    Returns
    -------
    IOTable
        Coefficients form, no flows; satellites (intensities: technology) carried over;
        ``meta['provenance']`` holds national table, method, delta, region size and data source.
    """
    check_method(method)
    delta = check_delta(delta)
    if data.sectors != table.sectors:
        raise RegionalError("regional data were made for another table (sector codes differ); read them for this table.")
    R, c = _regional_parts(table, data, method, delta)
    check_productive(R, f"regional table of '{table.name}' ({method})")
    provenance = {
        "national_table": table.name,
        "method": method,
        "delta": float(delta) if method in ("flq", "aflq") else None,
        "region_size": data.size,
        "lambda_star": flq_lambda(data.size, delta) if method in ("flq", "aflq") else None,
        "regional_data": data.source,
        "national_measure": data.national_source,
    }
    meta = {
        "description": f"Regional table from '{table.name}' by {method.upper()} location quotients",
        "form": "coefficients",
        "households": None,
        "provenance": provenance,
    }
    return dataclasses.replace(
        table,
        name=name or f"{table.name}-{method}",
        A=R,
        household_consumption=c,
        output=None,
        final_demand=None,
        value_added=None,
        source=f"regionalised from {table.name} ({method})",
        meta=meta,
    )


# ============================================================================ multipliers
def _multiplier_matrix(A: np.ndarray, h: np.ndarray | None, c: np.ndarray | None, a_hh: float, multiplier: str
                       ) -> np.ndarray:
    n = A.shape[0]
    if multiplier == "output_type1":
        return A
    M = np.zeros((n + 1, n + 1))
    M[:n, :n], M[:n, n], M[n, :n], M[n, n] = A, c, h, a_hh
    return M


def _column_sums(M: np.ndarray, n: int) -> np.ndarray:
    """Output multipliers: column sums over the first n rows of ``(I - M)^-1``."""
    w = np.zeros(M.shape[0])
    w[:n] = 1.0
    return np.linalg.solve((np.eye(M.shape[0]) - M).T, w)[:n]


def _check_multiplier(table: IOTable, multiplier: str) -> None:
    if multiplier not in MULTIPLIERS:
        raise RegionalError(f"regional multiplier must be one of {', '.join(MULTIPLIERS)}, got {multiplier!r}.")
    if multiplier == "output_type2":
        table.require_households("the Type II output multiplier")


def regional_output_multipliers(table: IOTable, data: RegionalData, method: str, delta: float = DEFAULT_DELTA,
                                multiplier: str = "output_type1") -> np.ndarray:
    """Output multipliers of the regionalised table (Type I, or Type II with households)."""
    _check_multiplier(table, multiplier)
    R, c = _regional_parts(table, data, method, delta)
    return _column_sums(_multiplier_matrix(R, table.household_income, c, table.household_self, multiplier), table.n)


def _check_range(delta_range: tuple[float, float]) -> tuple[float, float]:
    try:
        lo, hi = (check_delta(d) for d in delta_range)
    except (TypeError, ValueError):
        raise RegionalError(f"delta range must be two numbers (lo, hi), got {delta_range!r}.") from None
    if lo > hi:
        raise RegionalError(f"delta range must be increasing (lo <= hi), got {lo:g} > {hi:g}.")
    return lo, hi


def delta_bounds(table: IOTable, data: RegionalData, method: str, delta_range: tuple[float, float],
                 tol: float = 0.0, multiplier: str = "output_type1") -> pd.DataFrame:
    """Bounds of the regional output multipliers when delta lies in a range and, optionally, every
    regional coefficient in the box ``r_ij (1 +- tol)``.

    Parameters
    ----------
    table : IOTable
    data : RegionalData
    method : {'slq', 'cilq', 'flq', 'aflq'}
        SLQ and CILQ do not depend on delta (the range then only reflects ``tol``).
    delta_range : (float, float)
        ``delta_lo <= delta_hi`` in ``[0, 1)``.
    tol : float
        Relative tolerance of the regional coefficients (0: delta only).
    multiplier : {'output_type1', 'output_type2'}

    Returns
    -------
    DataFrame
        ``sector, lower, upper, exactness, lower_delta, upper_delta``: ``exact`` when every
        coefficient of the matrix is non-negative (bounds at ``(delta_hi, lower box corner)`` and
        ``(delta_lo, upper corner)``, see the module docstring), ``enclosure`` otherwise.

    Raises
    ------
    BoxNotProductiveError, NotProductiveError
        When the upper corner is not productive.
    """
    _check_multiplier(table, multiplier)
    lo_d, hi_d = _check_range(delta_range)
    t = check_tolerance(tol)
    mats = []
    for d in (lo_d, hi_d):
        R, c = _regional_parts(table, data, method, d)
        mats.append(_multiplier_matrix(R, table.household_income, c, table.household_self, multiplier))
    M_a, M_b = mats
    cmin, cmax = np.minimum(M_a, M_b), np.maximum(M_a, M_b)
    lo_box = cmin - t * np.abs(cmin)
    hi_box = cmax + t * np.abs(cmax)
    n = table.n
    if np.all(lo_box >= 0):
        check_productive(hi_box, f"regional table of '{table.name}' at delta = {lo_d:g}, upper corner of the ±{t:g} box")
        lower, upper = _column_sums(lo_box, n), _column_sums(hi_box, n)
        exact = True
    else:
        from .interval import _box_solver, coefficient_box  # same package: the enclosure machinery

        box = dataclasses.replace(coefficient_box(0.5 * (lo_box + hi_box), 0.0), lo=lo_box, hi=hi_box)
        Llo, Lhi = box_inverse_enclosure(box, _box_solver(box, f"regional table of '{table.name}'"))
        lower, upper = Llo[:n, :n].sum(axis=0), Lhi[:n, :n].sum(axis=0)
        exact = False
    return pd.DataFrame({
        "sector": list(table.sectors),
        "lower": lower,
        "upper": upper,
        "exactness": "exact" if exact else "enclosure",
        "lower_delta": hi_d,
        "upper_delta": lo_d,
    })


def delta_grid_range(table: IOTable, data: RegionalData, method: str, delta_range: tuple[float, float],
                     points: int = 201, multiplier: str = "output_type1") -> tuple[np.ndarray, np.ndarray]:
    """Brute-force min and max of the regional multipliers over an even grid of delta values."""
    lo_d, hi_d = _check_range(delta_range)
    vals = np.array([regional_output_multipliers(table, data, method, d, multiplier)
                     for d in np.linspace(lo_d, hi_d, points)])
    return vals.min(axis=0), vals.max(axis=0)


def delta_montecarlo(table: IOTable, data: RegionalData, method: str, delta_range: tuple[float, float],
                     n_samples: int, seed: int | np.random.SeedSequence, tol: float = 0.0,
                     multiplier: str = "output_type1") -> np.ndarray:
    """Monte Carlo draws of the regional multipliers with delta ~ U(delta_lo, delta_hi) and every
    non-zero regional coefficient uniform on ``r_ij (1 +- tol)`` (independent).

    Parameters
    ----------
    n_samples : int
        Number of draws (>= 1).
    seed : int or SeedSequence
        Seed; the draws are a pure function of it (one Generator, drawn in a fixed order).

    Returns
    -------
    ndarray, shape (n_samples, n)
    """
    _check_multiplier(table, multiplier)
    lo_d, hi_d = _check_range(delta_range)
    t = check_tolerance(tol)
    if int(n_samples) < 1:
        raise RegionalError(f"n_samples must be at least 1, got {n_samples!r}.")
    rng = np.random.default_rng(seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed))
    # One certificate for every draw: rho(|M|) < 1 at the largest magnitudes of the hull box.
    def matrix(d: float) -> np.ndarray:
        R, c = _regional_parts(table, data, method, d)
        return _multiplier_matrix(R, table.household_income, c, table.household_self, multiplier)

    hull = [np.abs(matrix(d)) for d in (lo_d, hi_d)]
    certified = _abs_productive(np.maximum(*hull) * (1.0 + t))
    deltas = rng.uniform(lo_d, hi_d, size=int(n_samples))
    out = np.empty((int(n_samples), table.n))
    for k, d in enumerate(deltas):
        M = matrix(float(d))
        if t > 0:
            M = M * (1.0 + t * rng.uniform(-1.0, 1.0, size=M.shape))
        if not certified:
            check_productive(M, f"a Monte Carlo draw of the regional table of '{table.name}' (delta = {d:.4g}, tol = {t:g})")
        out[k] = _column_sums(M, table.n)
    return out


def lq_comparison(table: IOTable, data: RegionalData, delta: float = DEFAULT_DELTA,
                  delta_range: tuple[float, float] | None = None, methods: tuple[str, ...] = LQ_METHODS
                  ) -> pd.DataFrame:
    """Side-by-side regional multipliers under every LQ method.

    Returns
    -------
    DataFrame
        ``sector, multiplier, national, slq, cilq, flq, aflq`` (the methods asked for), and, when
        ``delta_range`` is given, ``flq_lower, flq_upper, aflq_lower, aflq_upper`` (exact
        delta-bounds for non-negative tables, see :func:`delta_bounds`). One row per sector and
        output multiplier (Type II only with households).
    """
    for m in methods:
        check_method(m)
    mults = ["output_type1"] + (["output_type2"] if table.has_households else [])
    frames = []
    for mult in mults:
        M = _multiplier_matrix(table.A, table.household_income, table.household_consumption, table.household_self, mult)
        df = pd.DataFrame({"sector": list(table.sectors), "multiplier": mult, "national": _column_sums(M, table.n)})
        for m in methods:
            df[m] = regional_output_multipliers(table, data, m, delta, mult)
        if delta_range is not None:
            for m in (mm for mm in ("flq", "aflq") if mm in methods):
                b = delta_bounds(table, data, m, delta_range, 0.0, mult)
                df[f"{m}_lower"], df[f"{m}_upper"] = b["lower"].to_numpy(), b["upper"].to_numpy()
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


# ============================================================================ synthetic test bed
@dataclass(frozen=True)
class SyntheticRegion:
    """A synthetic two-region economy (region R, rest of the nation S) with its true regional table.

    Attributes
    ----------
    national : IOTable
        The national table (flows form data: output, coefficients of domestic inputs).
    data : RegionalData
        Regional and national output by sector.
    true_A : ndarray
        The true intraregional coefficients ``a^RR_ij``.
    """

    national: IOTable
    data: RegionalData
    true_A: np.ndarray


def synthetic_two_region(n: int, rng: np.random.Generator, size: float | None = None,
                         home_bias: float = 3.0) -> SyntheticRegion:
    """Draw a two-region economy whose true regional table is known.

    The generator (documented; not tuned to any LQ method):

    1. National technology ``a_ij``: a random sparse-ish non-negative matrix, each coefficient
       ``U(0, 1)^3`` with probability 0.7 (else 0), columns scaled so that the column sums
       (domestic intermediate input shares) are ``U(0.3, 0.6)``.
    2. National outputs ``x^n_i ~ lognormal(0, 1)``; the region's overall size
       ``rho = x^r/x^n`` is ``size`` (default ``U(0.02, 0.4)``); each sector's regional share
       ``q_i = x^r_i / x^n_i = rho * exp(0.6 z_i)`` with ``z_i`` standard normal (regional
       specialisation), capped at 0.95, then rescaled once so that ``sum x^r / sum x^n = rho``
       (capped again).
    3. Trade (an Armington / gravity share with home bias ``theta``): region R buys the share
       ``p_i = theta q_i / (theta q_i + 1 - q_i)`` of its domestic requirement of good ``i``
       from itself, the rest from S. The true regional coefficients are ``a^RR_ij = p_i a_ij``.
       ``theta = home_bias * exp(0.3 u)`` with ``u`` standard normal, per sector.

    The national table is consistent with the regions: both use ``a`` per unit of output, so the
    national domestic coefficients equal ``a``.

    Parameters
    ----------
    n : int
        Number of sectors (>= 2).
    rng : numpy.random.Generator
        Explicit random generator.
    size : float, optional
        Region size ``rho`` in (0, 1).
    home_bias : float
        Median home bias ``theta`` (> 0).
    """
    if n < 2:
        raise RegionalError("synthetic_two_region needs n >= 2 sectors.")
    a = np.where(rng.random((n, n)) < 0.7, rng.random((n, n)) ** 3, 0.0)
    colsum = a.sum(axis=0)
    colsum[colsum == 0] = 1.0
    a = a / colsum[None, :] * rng.uniform(0.3, 0.6, size=n)[None, :]
    xn = rng.lognormal(0.0, 1.0, size=n)
    rho = float(rng.uniform(0.02, 0.4) if size is None else size)
    q = np.minimum(rho * np.exp(0.6 * rng.standard_normal(n)), 0.95)
    q = np.minimum(q * rho * xn.sum() / (q * xn).sum(), 0.95)
    xr = q * xn
    theta = home_bias * np.exp(0.3 * rng.standard_normal(n))
    p = theta * q / (theta * q + 1.0 - q)
    true_A = p[:, None] * a
    sectors = tuple(f"s{i + 1}" for i in range(n))
    national = IOTable(name="synthetic", sectors=sectors, A=a, output=xn)
    data = RegionalData(sectors, xr, xn, "synthetic", "table output")
    return SyntheticRegion(national, data, true_A)


def lq_accuracy(n_regions: int, n: int, seed: int, deltas: tuple[float, ...] = (0.1, 0.2, 0.25, 0.3),
                home_bias: float = 3.0) -> pd.DataFrame:
    """Accuracy of every LQ method on synthetic regions: errors of the Type I output multipliers.

    Returns
    -------
    DataFrame
        ``method, delta, mean_abs_error, mean_rel_error, mean_bias`` averaged over sectors and
        regions (``delta`` empty for SLQ and CILQ); relative error ``|m^est - m^true| / m^true``,
        bias ``mean(m^est - m^true)``.
    """
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    cases = [(m, None) for m in ("slq", "cilq")] + [(m, d) for m in ("flq", "aflq") for d in deltas]
    errs: dict[tuple[str, float | None], list[np.ndarray]] = {c: [] for c in cases}
    for _ in range(int(n_regions)):
        syn = synthetic_two_region(n, rng, home_bias=home_bias)
        true_m = _column_sums(syn.true_A, n)
        for m, d in cases:
            est = regional_output_multipliers(syn.national, syn.data, m, DEFAULT_DELTA if d is None else d)
            errs[(m, d)].append(np.vstack([est - true_m, true_m]))
    rows = []
    for (m, d), lst in errs.items():
        E = np.hstack(lst)
        rows.append({"method": m, "delta": np.nan if d is None else d,
                     "mean_abs_error": float(np.mean(np.abs(E[0]))),
                     "mean_rel_error": float(np.mean(np.abs(E[0]) / E[1])),
                     "mean_bias": float(np.mean(E[0]))})
    return pd.DataFrame(rows)


def delta_uncertainty(table: IOTable, data: RegionalData, methods: tuple[str, ...] | list[str],
                      delta_range: tuple[float, float], tol: float, n_samples: int, seed: int) -> pd.DataFrame:
    """Exact delta-and-box bounds and a Monte Carlo summary of the regional output multipliers.

    For every delta-dependent method in ``methods`` (FLQ, AFLQ) and every output multiplier
    (Type I; Type II with households): :func:`delta_bounds` and :func:`delta_montecarlo`
    (delta uniform on the range, coefficients uniform on ``r (1 +- tol)``).

    Parameters
    ----------
    seed : int
        Entropy of ``numpy.random.SeedSequence``; each (method, multiplier) block gets its own
        child sequence, in a fixed order, so the result depends on the seed only.

    Returns
    -------
    DataFrame
        ``sector, multiplier, method, lower, upper, exactness, lower_delta, upper_delta, mc_mean,
        mc_sd, mc_q025, mc_q975, mc_min, mc_max, n_samples``.
    """
    mults = ["output_type1"] + (["output_type2"] if table.has_households else [])
    cases = [(m, mult) for m in methods if check_method(m) in ("flq", "aflq") for mult in mults]
    children = np.random.SeedSequence(int(seed)).spawn(max(len(cases), 1))
    frames = []
    for (m, mult), child in zip(cases, children):
        b = delta_bounds(table, data, m, delta_range, tol, mult)
        draws = delta_montecarlo(table, data, m, delta_range, n_samples, child, tol, mult)
        q = np.quantile(draws, [0.025, 0.975], axis=0)
        b.insert(1, "multiplier", mult)
        b.insert(2, "method", m)
        b["mc_mean"], b["mc_sd"] = draws.mean(axis=0), draws.std(axis=0, ddof=1) if n_samples > 1 else 0.0
        b["mc_q025"], b["mc_q975"] = q[0], q[1]
        b["mc_min"], b["mc_max"] = draws.min(axis=0), draws.max(axis=0)
        b["n_samples"] = int(n_samples)
        frames.append(b)
    if not frames:
        raise RegionalError("delta_uncertainty needs flq or aflq among the methods (SLQ and CILQ do not depend on delta).")
    return pd.concat(frames, ignore_index=True)
