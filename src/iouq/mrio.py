"""Multi-region input-output systems (pymrio) and consumption-based footprints, with uncertainty.

Conversion
----------
:func:`from_pymrio` turns a :class:`pymrio.IOSystem` into an :class:`~iouq.table.IOTable`:

* sector codes ``REGION/SECTOR`` (pymrio's ``(region, sector)`` index, in its order); the
  region of every sector is kept in ``meta['mrio']['regions']`` (so names containing ``/`` are
  no problem);
* ``A = Z diag(x)^-1`` (or pymrio's ``A`` when ``Z`` is absent), output ``x``;
* final demand ``Y`` with columns ``REGION/CATEGORY`` (region of each column in
  ``meta['mrio']['fd_regions']``);
* every extension row as a satellite account named ``EXTENSION/ROW`` (row levels joined with
  ``/``), e.g. ``Emissions/emission_type1/air``; intensities ``S = F diag(x)^-1`` and units from
  the extension's ``unit``; direct final-demand emissions ``F_Y`` (flows) in
  ``meta['mrio']['F_Y']`` (accounts x final-demand columns).

:func:`to_pymrio` is the inverse (it needs output and final demand).

Footprints
----------
For account ``a`` and region ``r`` with final demand ``y_r`` (sum over the region's
final-demand categories) the consumption-based account is
``f_ar = s_a L y_r + F_Y[a, r]`` (embodied plus direct), pymrio's ``D_cba_reg``; the footprint
multipliers are ``M = S L`` (pymrio's ``M``). A single-region table is one region named by the
table, with its total final demand.

Uncertainty
-----------
* Interval: ``A`` in ``[A - t|A|, A + t|A|]``, ``S`` and ``F_Y`` in their ``sat_tol`` boxes, every
  final-demand cell in its ``fd_tol`` box. When the ``A`` box, ``S`` and ``y_r`` are non-negative,
  ``f`` is increasing in every entry, so ``[f(lo), f(hi)]`` is the exact range (both corners are
  points of the box); otherwise an enclosure from an interval enclosure of ``L`` over the box
  (:func:`iouq.interval.box_inverse_enclosure`) and interval products, labelled ``enclosure``.
* Monte Carlo: every non-zero entry of ``A``, ``S``, ``Y`` and ``F_Y`` multiplied independently
  by a mean-one log-normal factor ``exp(sigma z - sigma^2/2)`` with
  ``sigma^2 = ln(1 + cv^2)`` (Lenzen et al. 2010: log-normal because MRIO entries are positive
  and their relative errors skewed), or uniform on the boxes (``distribution='uniform'``).
  Draws that make ``A`` non-productive are rejected and counted.
* Importance: the exact elasticity of a footprint to every coefficient,
  ``e_ij = m_i a_ij x_j / f`` with ``m = s L`` and ``x = L y_r`` (``df/da_ij = m_i x_j``), and
  the exact tolerable limits (Sherman-Morrison: ``f(a_ij + d) - f = d m_i x_j / (1 - d l_ji)``).

References
----------
Lenzen, M., Wood, R. & Wiedmann, T. (2010). Uncertainty analysis for multi-region input-output
models - a case study of the UK's carbon footprint. Economic Systems Research 22(1), 43-63.
Stadler, K. (2021). Pymrio - a Python based multi-regional input-output analysis toolbox.
Journal of Open Research Software 9(1), 8.
Miller, R.E. & Blair, P.D. (2009). Input-Output Analysis, 2nd ed., ch. 3 and 10.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from .errors import IOUQError
from .interval import _iv_matmul, box_inverse_enclosure, check_tolerance, coefficient_box
from .table import IOTable, _abs_productive, check_productive, spectral_radius
from .quantities import footprint_elasticities as quantity_elasticities

__all__ = [
    "MRIOError",
    "from_pymrio",
    "to_pymrio",
    "regions_of",
    "region_final_demand",
    "footprint_multipliers",
    "footprints",
    "footprint_interval",
    "footprint_montecarlo",
    "footprint_elasticities",
    "FOOTPRINT_COLUMNS",
    "footprint_summary",
    "elasticity_table",
]

FOOTPRINT_COLUMNS = ["region", "account", "footprint", "embodied", "direct"]
MC_DISTRIBUTIONS = ("lognormal", "uniform")


class MRIOError(IOUQError):
    """A pymrio system or a footprint request that iouq cannot use (the message says why)."""


# ============================================================================ conversion
def _frame(obj: Any, what: str) -> pd.DataFrame | None:
    if obj is None:
        return None
    if isinstance(obj, pd.Series):
        obj = obj.to_frame()
    if not isinstance(obj, pd.DataFrame):
        raise MRIOError(f"pymrio system: {what} is a {type(obj).__name__}, not a DataFrame.")
    return obj


def _label(key: Any) -> str:
    return "/".join(str(k) for k in key) if isinstance(key, tuple) else str(key)


def _finite(df: pd.DataFrame, what: str) -> np.ndarray:
    try:
        v = df.to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise MRIOError(f"pymrio system: {what} has cells that are not numbers.") from None
    if not np.all(np.isfinite(v)):
        i, j = np.argwhere(~np.isfinite(v))[0]
        raise MRIOError(
            f"pymrio system: {what} has a NaN or infinite cell at row {_label(df.index[i])!r}, "
            f"column {_label(df.columns[j])!r}; fill it (0 for none)."
        )
    return v


def from_pymrio(io_system: Any, name: str | None = None) -> IOTable:
    """Convert a pymrio ``IOSystem`` into an :class:`IOTable` (see the module docstring).

    Parameters
    ----------
    io_system : pymrio.IOSystem
        Needs ``Y`` and either ``Z`` or ``A`` with ``x``; ``x`` is computed as ``Z 1 + Y 1`` when
        absent. Extensions need ``F`` (or ``S``).
    name : str, optional
        Table name (default: the system's ``name``, else ``mrio``).

    Raises
    ------
    MRIOError
        Not an IOSystem, missing ``Y`` / ``Z``, mismatched indices, NaN cells, zero or negative
        output (sectors named), extensions without ``F`` or ``S``.
    """
    if not hasattr(io_system, "get_extensions") or not hasattr(io_system, "Z"):
        raise MRIOError(f"from_pymrio needs a pymrio.IOSystem, got a {type(io_system).__name__}.")
    Z, Y = _frame(io_system.Z, "Z"), _frame(io_system.Y, "Y")
    A0, x0 = _frame(getattr(io_system, "A", None), "A"), getattr(io_system, "x", None)
    if Y is None:
        raise MRIOError("pymrio system has no final demand Y; load or compute it before converting.")
    if Z is None and (A0 is None or x0 is None):
        raise MRIOError("pymrio system has neither Z nor both A and x; call calc_all() or load the flows first.")
    index = Z.index if Z is not None else A0.index
    if not isinstance(index, pd.MultiIndex) or index.nlevels != 2:
        raise MRIOError("pymrio system: the index of Z must be (region, sector), a two-level MultiIndex.")
    cols = Z.columns if Z is not None else A0.columns
    if not cols.equals(index):
        raise MRIOError("pymrio system: the columns of Z (or A) are not its rows (region, sector) in the same order.")
    if not Y.index.equals(index):
        raise MRIOError("pymrio system: the rows of Y are not the (region, sector) rows of Z in the same order.")
    regions = [str(r) for r in index.get_level_values(0)]
    sectors = [f"{r}/{s}" for r, s in index]
    if len(set(sectors)) != len(sectors):
        raise MRIOError("pymrio system: duplicate (region, sector) labels once joined as REGION/SECTOR; rename them.")
    Yv = _finite(Y, "Y")
    if x0 is not None:
        x = _finite(_frame(x0, "x"), "x").reshape(-1)
    else:
        x = _finite(Z, "Z").sum(axis=1) + Yv.sum(axis=1)
    if x.shape != (len(sectors),):
        raise MRIOError(f"pymrio system: x has {x.size} values for {len(sectors)} sectors.")
    bad = np.flatnonzero(~(x > 0))
    if bad.size:
        raise MRIOError(
            f"pymrio system: gross output is zero or negative for {bad.size} sectors "
            f"({', '.join(sectors[i] for i in bad[:5])}{', ...' if bad.size > 5 else ''}); iouq needs positive output. "
            "Aggregate or drop those sectors (pymrio's aggregate()) before converting."
        )
    A = _finite(Z, "Z") / x[None, :] if Z is not None else _finite(A0, "A")
    if not isinstance(Y.columns, pd.MultiIndex) or Y.columns.nlevels != 2:
        raise MRIOError("pymrio system: the columns of Y must be (region, category), a two-level MultiIndex.")
    fd_cols = [f"{r}/{c}" for r, c in Y.columns]
    fd_regions = [str(r) for r in Y.columns.get_level_values(0)]
    final_demand = pd.DataFrame(Yv, index=sectors, columns=fd_cols)

    rows_S, names, units, fy_rows = [], [], {}, []
    for ext in io_system.get_extensions(data=True):
        F, S = _frame(getattr(ext, "F", None), f"extension {ext.name} F"), _frame(getattr(ext, "S", None), f"extension {ext.name} S")
        if F is None and S is None:
            raise MRIOError(f"pymrio extension '{ext.name}' has neither F nor S; load or compute it first.")
        src = F if F is not None else S
        if not src.columns.equals(index):
            raise MRIOError(f"pymrio extension '{ext.name}': its columns are not the (region, sector) rows of Z.")
        vals = _finite(src, f"extension {ext.name}")
        Sv = vals / x[None, :] if F is not None else vals
        FY = _frame(getattr(ext, "F_Y", None), f"extension {ext.name} F_Y")
        unit = _frame(getattr(ext, "unit", None), f"extension {ext.name} unit")
        for k, key in enumerate(src.index):
            acc = f"{ext.name}/{_label(key)}"
            names.append(acc)
            rows_S.append(Sv[k])
            if unit is not None and key in unit.index:
                units[acc] = str(unit.loc[key].iloc[0])
            if FY is not None and key in FY.index:
                fy = FY.loc[key].reindex(Y.columns).fillna(0.0).to_numpy(dtype=float)
            else:
                fy = np.zeros(len(fd_cols))
            fy_rows.append(fy)
    if len(set(names)) != len(names):
        raise MRIOError("pymrio system: two extension rows give the same account name EXTENSION/ROW; rename one.")
    satellites = None
    F_Y = None
    if names:
        satellites = pd.DataFrame(np.array(rows_S), index=pd.Index(names, name="account"), columns=sectors)
        F_Y = pd.DataFrame(np.array(fy_rows), index=pd.Index(names, name="account"), columns=fd_cols)
    check_productive(A, "pymrio system: A")
    sys_name = name or (str(io_system.name) if getattr(io_system, "name", None) else "mrio")
    unit_df = _frame(getattr(io_system, "unit", None), "unit")
    return IOTable(
        name=sys_name,
        sectors=tuple(sectors),
        A=A,
        output=x,
        final_demand=final_demand,
        units=str(unit_df.iloc[0, 0]) if unit_df is not None and unit_df.size else "",
        source="pymrio IOSystem",
        meta={
            "description": f"multi-region system '{sys_name}' from pymrio",
            "form": "flows",
            "households": None,
            "mrio": {
                "regions": regions,
                "sector_names": [str(s) for s in index.get_level_values(1)],
                "fd_regions": fd_regions,
                "fd_categories": [str(c) for c in Y.columns.get_level_values(1)],
                "F_Y": F_Y,
            },
        },
        satellites=satellites,
        satellite_units=units,
    )


def _mrio_meta(table: IOTable) -> dict:
    """Regions of sectors and final-demand columns (a single-region table: one region, its name)."""
    mrio = table.meta.get("mrio")
    if mrio:
        return mrio
    fd_cols = [] if table.final_demand is None else [str(c) for c in table.final_demand.columns]
    return {
        "regions": [table.name] * table.n,
        "sector_names": list(table.sectors),
        "fd_regions": [table.name] * len(fd_cols),
        "fd_categories": fd_cols,
        "F_Y": None,
    }


def to_pymrio(table: IOTable) -> Any:
    """Convert an :class:`IOTable` into a pymrio ``IOSystem`` (Z, Y, x and one extension per
    satellite prefix ``EXTENSION/``, with ``F = S diag(x)`` and ``F_Y`` when known).

    Raises
    ------
    MRIOError
        When the table has no output or final demand (pymrio needs flows).
    """
    import pymrio

    if table.output is None or table.final_demand is None:
        raise MRIOError(
            f"table '{table.name}' has no output or final demand; pymrio needs flows (Z, Y). "
            "Use a flows-form table or one converted from pymrio."
        )
    mrio = _mrio_meta(table)
    idx = pd.MultiIndex.from_arrays([mrio["regions"], mrio["sector_names"]], names=["region", "sector"])
    cols = pd.MultiIndex.from_arrays([mrio["fd_regions"], mrio["fd_categories"]], names=["region", "category"])
    x = np.asarray(table.output, dtype=float)
    Z = pd.DataFrame(table.A * x[None, :], index=idx, columns=idx)
    Y = pd.DataFrame(table.final_demand.to_numpy(dtype=float), index=idx, columns=cols)
    exts: dict[str, Any] = {}
    if table.satellites is not None:
        F_Y = mrio.get("F_Y")
        groups: dict[str, list[str]] = {}
        for acc in table.accounts:
            head, _, _ = acc.partition("/")
            groups.setdefault(head if "/" in acc else "satellites", []).append(acc)
        for ext_name, accs in groups.items():
            rows = [a.partition("/")[2] if "/" in a else a for a in accs]
            row_idx = pd.MultiIndex.from_tuples([tuple(r.split("/")) for r in rows]) if all(
                r.count("/") == rows[0].count("/") and "/" in r for r in rows) else pd.Index(rows)
            F = pd.DataFrame(table.satellites.loc[accs].to_numpy() * x[None, :], index=row_idx, columns=idx)
            kw: dict[str, Any] = {"F": F}
            if F_Y is not None:
                kw["F_Y"] = pd.DataFrame(F_Y.loc[accs].to_numpy(), index=row_idx, columns=cols)
            kw["unit"] = pd.DataFrame({"unit": [table.satellite_units.get(a, "") for a in accs]}, index=row_idx)
            attr = "".join(ch if ch.isalnum() else "_" for ch in ext_name).lower() or "satellites"
            exts[attr] = {"name": ext_name, **kw}
    return pymrio.IOSystem(Z=Z, Y=Y, x=pd.DataFrame({"indout": x}, index=idx), name=table.name, **exts)


# ============================================================================ footprints
def regions_of(table: IOTable) -> list[str]:
    """The regions of a table in order of first appearance among the final-demand columns."""
    mrio = _mrio_meta(table)
    return list(dict.fromkeys(mrio["fd_regions"] or [table.name]))


def region_final_demand(table: IOTable) -> pd.DataFrame:
    """Final demand per region (sectors x regions): sum over each region's categories.

    A table without final demand but with output uses ``y = (I - A) x`` as one region.
    """
    mrio = _mrio_meta(table)
    if table.final_demand is None:
        return pd.DataFrame({table.name: table.total_final_demand()}, index=list(table.sectors))
    Y = table.final_demand.to_numpy(dtype=float)
    regs = regions_of(table)
    fd_regions = np.array(mrio["fd_regions"])
    return pd.DataFrame({r: Y[:, fd_regions == r].sum(axis=1) for r in regs}, index=list(table.sectors))


def _direct(table: IOTable, accounts: list[str]) -> pd.DataFrame:
    """Direct final-demand flows F_Y summed per region (accounts x regions; zeros if unknown)."""
    mrio = _mrio_meta(table)
    regs = regions_of(table)
    F_Y = mrio.get("F_Y")
    if F_Y is None:
        return pd.DataFrame(0.0, index=accounts, columns=regs)
    fd_regions = np.array(mrio["fd_regions"])
    V = F_Y.loc[accounts].to_numpy(dtype=float)
    return pd.DataFrame({r: V[:, fd_regions == r].sum(axis=1) for r in regs}, index=accounts)


def _accounts(table: IOTable, account: str | None) -> list[str]:
    if not table.accounts:
        raise MRIOError(
            f"table '{table.name}' has no satellite accounts, so it has no footprints; add satellites.csv "
            "(or convert a pymrio system with extensions)."
        )
    if account is None:
        return list(table.accounts)
    table.intensity(account)  # raises the clear error for an unknown account
    return [account]


def _inverse(A: np.ndarray) -> np.ndarray:
    return np.linalg.solve(np.eye(A.shape[0]) - A, np.eye(A.shape[0]))


def footprint_multipliers(table: IOTable, account: str | None = None) -> pd.DataFrame:
    """Footprint multipliers ``M = S L`` (accounts x sectors), pymrio's ``M``."""
    accs = _accounts(table, account)
    S = table.satellites.loc[accs].to_numpy(dtype=float)
    return pd.DataFrame(S @ _inverse(table.A), index=pd.Index(accs, name="account"), columns=list(table.sectors))


def footprints(table: IOTable, account: str | None = None) -> pd.DataFrame:
    """Consumption-based accounts per region, ``f = s L y_r + F_Y`` (pymrio's ``D_cba_reg``).

    Returns
    -------
    DataFrame
        ``region, account, footprint, embodied, direct`` (footprint = embodied + direct), region
        by region, accounts in table order.
    """
    accs = _accounts(table, account)
    M = footprint_multipliers(table, account).to_numpy()
    Yr = region_final_demand(table)
    emb = M @ Yr.to_numpy()
    direct = _direct(table, accs).to_numpy()
    rows = []
    for k, r in enumerate(Yr.columns):
        for a, acc in enumerate(accs):
            rows.append({"region": r, "account": acc, "footprint": emb[a, k] + direct[a, k],
                         "embodied": emb[a, k], "direct": direct[a, k]})
    return pd.DataFrame(rows, columns=FOOTPRINT_COLUMNS)


def _fd_box(table: IOTable, fd_tol: float) -> tuple[np.ndarray, np.ndarray]:
    """Bounds of each region's final demand when every final-demand cell is in its box."""
    mrio = _mrio_meta(table)
    if table.final_demand is None:
        y = region_final_demand(table).to_numpy()
        return y - fd_tol * np.abs(y), y + fd_tol * np.abs(y)
    Y = table.final_demand.to_numpy(dtype=float)
    fd_regions = np.array(mrio["fd_regions"])
    lo = np.column_stack([(Y[:, fd_regions == r] - fd_tol * np.abs(Y[:, fd_regions == r])).sum(axis=1) for r in regions_of(table)])
    hi = np.column_stack([(Y[:, fd_regions == r] + fd_tol * np.abs(Y[:, fd_regions == r])).sum(axis=1) for r in regions_of(table)])
    return lo, hi


def footprint_interval(table: IOTable, tol: float, sat_tol: float | None = None, fd_tol: float | None = None,
                       account: str | None = None) -> pd.DataFrame:
    """Bounds of every region's footprint with ``A``, ``S`` (and ``F_Y``) and ``Y`` in boxes.

    Parameters
    ----------
    tol : float
        Relative tolerance of the coefficients ``A``.
    sat_tol, fd_tol : float, optional
        Relative tolerances of the intensities (and direct flows) and of final demand
        (default: ``tol``).

    Returns
    -------
    DataFrame
        ``region, account, footprint, lower, upper, exactness`` (``exact``: attained bounds, the
        monotone case; ``enclosure``: an outer bound).
    """
    t = check_tolerance(tol)
    ts = t if sat_tol is None else check_tolerance(sat_tol)
    tf = t if fd_tol is None else check_tolerance(fd_tol)
    accs = _accounts(table, account)
    S = table.satellites.loc[accs].to_numpy(dtype=float)
    Slo, Shi = S - ts * np.abs(S), S + ts * np.abs(S)
    ylo, yhi = _fd_box(table, tf)
    D = _direct(table, accs).to_numpy()
    Dlo, Dhi = D - ts * np.abs(D), D + ts * np.abs(D)
    box = coefficient_box(table.A, t)
    point = footprints(table, account)
    if box.nonnegative and np.all(Slo >= 0) and np.all(ylo >= 0):
        check_productive(box.hi, f"table '{table.name}': upper corner of the ±{t:g} box")
        flo = Slo @ np.linalg.solve(np.eye(table.n) - box.lo, ylo) + Dlo
        fhi = Shi @ np.linalg.solve(np.eye(table.n) - box.hi, yhi) + Dhi
        exact = True
    else:
        from .interval import _box_solver

        Llo, Lhi = box_inverse_enclosure(box, _box_solver(box, f"table '{table.name}'"))
        Mlo, Mhi = _iv_matmul(Slo, Shi, Llo, Lhi)
        flo, fhi = _iv_matmul(Mlo, Mhi, ylo, yhi)
        flo, fhi = flo + Dlo, fhi + Dhi
        exact = False
    R = len(regions_of(table))
    out = point.loc[:, ["region", "account", "footprint"]].copy()
    out["lower"] = [flo[a, k] for k in range(R) for a in range(len(accs))]
    out["upper"] = [fhi[a, k] for k in range(R) for a in range(len(accs))]
    out["exactness"] = "exact" if exact else "enclosure"
    return out


def _factor(rng: np.random.Generator, shape: tuple[int, ...], spread: float, distribution: str) -> np.ndarray:
    if spread == 0:
        return np.ones(shape)
    if distribution == "uniform":
        return 1.0 + spread * rng.uniform(-1.0, 1.0, size=shape)
    sigma = math.sqrt(math.log1p(spread * spread))
    return np.exp(sigma * rng.standard_normal(shape) - 0.5 * sigma * sigma)


def footprint_montecarlo(table: IOTable, spread: float, n_samples: int, seed: int | np.random.SeedSequence,
                         distribution: str = "lognormal", sat_spread: float | None = None,
                         fd_spread: float | None = None, account: str | None = None
                         ) -> tuple[np.ndarray, pd.DataFrame, float]:
    """Monte Carlo draws of every region's footprint under random ``A``, ``S``, ``Y``, ``F_Y``.

    Parameters
    ----------
    spread : float
        ``lognormal``: coefficient of variation of the mean-one factors (Lenzen et al. 2010);
        ``uniform``: the relative half-width of the box (as ``tol`` of :func:`footprint_interval`).
    n_samples : int
        Accepted draws wanted (>= 1).
    seed : int or SeedSequence
        The draws are a pure function of the seed (one Generator, fixed drawing order).
    distribution : {'lognormal', 'uniform'}
    sat_spread, fd_spread : float, optional
        Spreads of the intensities and of final demand (default ``spread``).

    Returns
    -------
    draws : ndarray, shape (n_samples, regions, accounts)
    summary : DataFrame
        ``region, account, footprint, mean, sd, q025, q500, q975``.
    rejection_rate : float
        Share of draws rejected as non-productive.
    """
    if distribution not in MC_DISTRIBUTIONS:
        raise MRIOError(f"unknown footprint distribution {distribution!r}; choose one of {', '.join(MC_DISTRIBUTIONS)}.")
    s = check_tolerance(spread) if distribution == "uniform" else float(spread)
    if not (math.isfinite(s) and s >= 0):
        raise MRIOError(f"spread must be a finite number >= 0, got {spread!r}.")
    ss = s if sat_spread is None else float(sat_spread)
    sf = s if fd_spread is None else float(fd_spread)
    if int(n_samples) < 1:
        raise MRIOError(f"n_samples must be at least 1, got {n_samples!r}.")
    accs = _accounts(table, account)
    S = table.satellites.loc[accs].to_numpy(dtype=float)
    mrio = _mrio_meta(table)
    Y = table.final_demand.to_numpy(dtype=float) if table.final_demand is not None else region_final_demand(table).to_numpy()
    fd_regions = np.array(mrio["fd_regions"]) if table.final_demand is not None else np.array([table.name])
    regs = regions_of(table)
    G = np.column_stack([(fd_regions == r).astype(float) for r in regs])  # categories -> regions
    F_Y = mrio.get("F_Y")
    FY = F_Y.loc[accs].to_numpy(dtype=float) if F_Y is not None else np.zeros((len(accs), Y.shape[1]))
    rng = np.random.default_rng(seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed))
    n = table.n
    draws = np.empty((int(n_samples), len(regs), len(accs)))
    k = tried = 0
    while k < int(n_samples):
        tried += 1
        if tried > 2 * int(n_samples) + 100:
            raise MRIOError(
                f"more than half of the Monte Carlo draws of '{table.name}' are non-productive at spread {s:g}; "
                "use a smaller spread."
            )
        A = table.A * _factor(rng, (n, n), s, distribution)
        Sd = S * _factor(rng, S.shape, ss, distribution)
        Yd = Y * _factor(rng, Y.shape, sf, distribution)
        Fd = FY * _factor(rng, FY.shape, ss, distribution)
        if not _abs_productive(A) and spectral_radius(A) >= 1:
            continue
        X = np.linalg.solve(np.eye(n) - A, Yd @ G)
        draws[k] = (Sd @ X + Fd @ G).T
        k += 1
    point = footprints(table, account)
    flat = draws.reshape(int(n_samples), -1)
    q = np.quantile(flat, [0.025, 0.5, 0.975], axis=0)
    summary = point.loc[:, ["region", "account", "footprint"]].copy()
    summary["mean"], summary["sd"] = flat.mean(axis=0), flat.std(axis=0, ddof=1) if n_samples > 1 else 0.0
    summary["q025"], summary["q500"], summary["q975"] = q[0], q[1], q[2]
    return draws, summary, (tried - int(n_samples)) / tried


def footprint_elasticities(table: IOTable, region: str, account: str, p: float = 1.0) -> pd.DataFrame:
    """Importance of every coefficient for one region's footprint (embodied part).

    Parameters
    ----------
    region, account : str
        Which footprint ``f = s L y_r``.
    p : float
        Tolerated change of the footprint, percent (> 0), for the tolerable limits.

    Returns
    -------
    DataFrame
        ``row, col, coefficient, elasticity, variance_share, tolerable_limit_up_pct,
        tolerable_limit_down_pct`` for every non-zero coefficient: ``elasticity = m_i a_ij x_j / f``
        (exact derivative of ``ln f`` by ``ln a_ij``); ``variance_share`` = the coefficient's share
        of the first-order variance of ``f`` when every entry of ``A``, ``s`` and ``y_r`` is
        independent with the same relative sd (``e_ij^2`` over the sum of all squared
        elasticities, those of ``s_j`` and ``y_j`` included); the limits are the largest relative increase / decrease of
        ``a_ij`` (percent of ``|a_ij|``) that moves ``f`` by at most ``p`` percent (exact,
        Sherman-Morrison; empty when no change of that sign reaches ``p``%).
    """
    if not (isinstance(p, (int, float)) and math.isfinite(p) and p > 0):
        raise MRIOError(f"p must be a positive number of percent, got {p!r}.")
    regs = regions_of(table)
    if region not in regs:
        raise MRIOError(f"table '{table.name}' has no region '{region}'; regions: {', '.join(regs)}.")
    _accounts(table, account)
    s = table.intensity(account)
    L = _inverse(table.A)
    y = region_final_demand(table)[region].to_numpy()
    m, x = s @ L, L @ y
    f = float(s @ x)
    if f == 0:
        raise MRIOError(f"the footprint of region '{region}' for '{account}' is 0; elasticities are undefined.")
    # the elasticities themselves: the one implementation in iouq.quantities
    el = quantity_elasticities(table, account, final_demand=y)
    el = el[el["kind"] == "A"]
    I, J = np.nonzero(table.A)  # the same row-major order as el
    a = el["coefficient"].to_numpy(dtype=float)
    k = el["elasticity"].to_numpy(dtype=float) / a  # relative change of f per unit change of a_ij
    lji = L[J, I]
    pf = p / 100.0
    sig = np.sign(k)
    with np.errstate(divide="ignore", invalid="ignore"):
        d_up = sig * pf / (k + sig * pf * lji)
        d_dn = -sig * pf / (k - sig * pf * lji)
    ok_up = (k != 0) & (d_up > 0) & (1 - d_up * lji > 0)
    ok_dn = (k != 0) & (d_dn < 0) & (1 - d_dn * lji > 0)
    # First-order variance shares with independent coefficients of sd proportional to |a_ij|
    # (any box or log-normal spread with one relative size for A, S and Y): contributions
    # e_ij^2 of the coefficients against those of the intensities (s_j x_j / f)^2 and of final
    # demand (m_j y_j / f)^2.
    e = el["elasticity"].to_numpy(dtype=float)
    total = float(np.sum(e**2) + np.sum((s * x / f) ** 2) + np.sum((m * y / f) ** 2))
    return pd.DataFrame({
        "row": [table.sectors[i] for i in I],
        "col": [table.sectors[j] for j in J],
        "coefficient": a,
        "elasticity": e,
        "variance_share": e**2 / total if total > 0 else np.nan,
        "tolerable_limit_up_pct": np.where(ok_up, 100 * d_up / np.abs(a), np.nan),
        "tolerable_limit_down_pct": np.where(ok_dn, -100 * d_dn / np.abs(a), np.nan),
    })


def footprint_summary(table: IOTable, tol: float, n_samples: int, seed: int) -> pd.DataFrame:
    """Footprints of every region and account with interval bounds (``A``, ``S``, ``Y`` boxes of
    half-width ``tol``) and a log-normal Monte Carlo summary (coefficient of variation ``tol``).

    Returns
    -------
    DataFrame
        ``region, account, footprint, embodied, direct, lower, upper, exactness, mc_mean, mc_sd,
        mc_q025, mc_q500, mc_q975, rejection_rate, n_samples``. At ``tol = 0`` the Monte Carlo
        columns equal the point footprint.
    """
    point = footprints(table)
    iv = footprint_interval(table, tol).drop(columns="footprint")
    out = point.merge(iv, on=["region", "account"], sort=False)
    _, mc, rej = footprint_montecarlo(table, tol, n_samples, np.random.SeedSequence(int(seed)))
    mc = mc.drop(columns="footprint").rename(columns={c: f"mc_{c}" for c in ("mean", "sd", "q025", "q500", "q975")})
    out = out.merge(mc, on=["region", "account"], sort=False)
    out["rejection_rate"] = rej
    out["n_samples"] = int(n_samples)
    return out


def elasticity_table(table: IOTable, p: float = 1.0, top: int | None = None) -> pd.DataFrame:
    """:func:`footprint_elasticities` for every region and account, long format.

    Returns
    -------
    DataFrame
        ``region, account, row, col, coefficient, elasticity, variance_share,
        tolerable_limit_up_pct, tolerable_limit_down_pct``; with ``top``, only the ``top`` coefficients of largest
        ``|elasticity|`` per region and account (ties in table order).
    """
    frames = []
    for region in regions_of(table):
        for account in _accounts(table, None):
            e = footprint_elasticities(table, region, account, p)
            if top is not None:
                e = e.iloc[np.argsort(-np.abs(e["elasticity"].to_numpy()), kind="stable")[: int(top)]]
            e.insert(0, "account", account)
            e.insert(0, "region", region)
            frames.append(e)
    return pd.concat(frames, ignore_index=True)
