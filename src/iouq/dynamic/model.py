"""Johnson's dynamic-simulation input-output model (DS/IO) as used by Fuentes & Martínez Pellégrini.

The model (dynamic.md §2; Johnson 1985, 1986; Fuentes & Martínez Pellégrini 2021) has, per sector,
production ``X``, installed capacity ``Xc`` (output per time unit), desired capacity
``Xc* = alpha + beta^ C`` and demand ``C = A X + Y + I``, with gross investment by origin
``I = B GI`` (option A), ``GI = max(0, k (Xc* - Xc) + d^ Xc)`` (non-negative gross investment)
and ``dXc/dt = GI - d^ Xc``. Production follows either

* ``production_rule="inventory"`` (the stock-flow form the paper programmed in STELLA,
  dynamic.md §2.3; unstable on the US tables, whose ``rho(2A)`` is close to 1): ``X = min(C + (h C - E) / tau_E, Xc)``, ``dE/dt = X - deliveries``; with
  ``h = tau_E = 1`` this is ``X = min(2 C - E, Xc)``; or
* ``production_rule="adjustment"`` (default; eq. 1 of the paper): ``dX/dt = Phi (C - X)``, ``X <= Xc``.

The six ambiguities of dynamic.md §2.5 are named options of :class:`DynamicScenario`:

A. ``investment_form``: ``"B_gross"`` (default; ``I = B GI``, new and replacement investment
   distributed by B) or ``"depr_direct"`` (replacement demand on the depreciating sector itself,
   ``I = v^ d^ Xc + B (GI - d^ Xc)`` with ``v`` the column sums of B); ``investment_matrix``:
   ``"calibrated"`` (default, ``B = s v'`` with ``s`` the origin shares of gross fixed capital
   formation and ``v`` one capital-output ratio chosen so that ``B (g + d^) beta^ x0`` equals the
   table's GFCF) or the path of a CSV file.
B. ``accelerator_role``: the paper's accelerator 7 is the capacity-adjustment speed ``k``
   (``"capacity"``, the literal reading of its footnote 10) or the production-adjustment speed
   ``Phi`` (``"production"``, default); the other speed is ``adjustment_speed`` (default 0.5).
   The default is the stable reading: with ``k = 7`` the investment loop gain
   ``rho(B k^ beta^)`` is about 7 on bea2002-3sector and every closure is unstable (refused by
   :func:`iouq.dynamic.stability.check_stability`, which names the eigenvalue).
C. ``time_unit``: ``"year"`` (default; flows per year, DT and every time in years) or
   ``"quarter"`` (flows divided by 4; growth and depreciation converted to quarterly rates;
   accelerator, adjustment speed and inventory cover are then per quarter); ``dt``;
   ``growth_form``: ``"exponential"`` (``Y0 (1 + g)^t``, default) or ``"stella"`` (Euler on
   ``dY/dt = g Y``, annual factor ``(1 + g DT)^(1/DT)``).
D. ``loop_break``: how the simultaneous loop C <-> I <-> Xc* is broken: ``"lag"`` (default;
   STELLA-causal: desired capacity and intermediate demand use the previous step's C and X),
   ``"smooth"`` (desired capacity from an expected-consumption stock, ``dCe/dt = (C - Ce)/tau_c``)
   or ``"simultaneous"`` (a linear solve at every step, refused unless its matrix is an
   M-matrix). The reference engine integrates the DT -> 0 limit of ``"lag"``, i.e.
   ``"simultaneous"``.
E. ``shock.spread``: ``"total"`` (default; ``size`` is the whole shock, spread evenly over the
   duration) or ``"rate"`` (``size`` per time unit for the whole duration); ``shock.unit``:
   ``"share_of_output"`` (default; share of the shocked sector's gross output per year) or
   ``"money"`` (table units per year).
F. ``multiplier_basis``: ``"output"`` (default; gross output) or ``"value_added"`` (value
   added per unit of output times output); ``households``: ``"exogenous"`` (default; household
   consumption stays in final demand, so the dynamic multiplier endogenises *investment*, not
   households, and is not a Type II multiplier — the paper's label) or ``"endogenous"`` (the
   household-closed matrix of the table is used: households are an extra row and column with
   income ``h`` and consumption ``c``, their consumption leaves final demand, they neither
   invest nor supply capital goods (zero rows and columns of B, no depreciation) and have no
   binding capacity (beta 10); multipliers count producing sectors only, so with ``d = 0`` the
   long-run multiplier is the static Type II output multiplier).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import IOUQError
from ..table import IOTable

__all__ = [
    "DynamicError", "UnstableError", "SingularCapitalError", "StabilityWarning",
    "Shock", "DynamicScenario", "DynamicModel", "build_model", "scenario_from_mapping",
    "calibrate_investment_matrix", "long_run_matrix", "long_run_multipliers", "initial_state",
    "OPTION_VALUES", "load_scenario",
]


class DynamicError(IOUQError):
    """A dynamic scenario or model is invalid (the message names the key and the fix)."""


class UnstableError(DynamicError):
    """The linearised dynamic model is unstable (the message gives the eigenvalue)."""


class SingularCapitalError(DynamicError):
    """The capital-coefficient matrix B of Leontief's forward model is singular."""


class StabilityWarning(UserWarning):
    """The Euler step overshoots or the configuration is close to instability."""


OPTION_VALUES: dict[str, tuple[str, ...]] = {
    "production_rule": ("inventory", "adjustment"),
    "investment_form": ("B_gross", "depr_direct"),
    "accelerator_role": ("capacity", "production"),
    "time_unit": ("year", "quarter"),
    "growth_form": ("exponential", "stella"),
    "loop_break": ("lag", "smooth", "simultaneous"),
    "initial": ("steady", "table"),
    "multiplier_basis": ("output", "value_added"),
    "households": ("exogenous", "endogenous"),
}
SHOCK_VALUES: dict[str, tuple[str, ...]] = {"unit": ("share_of_output", "money"), "spread": ("total", "rate")}


@dataclass(frozen=True)
class Shock:
    """A demand shock: ``size`` (share of the sector's annual gross output, or money per year),
    added to final demand of ``sector`` from ``start`` for ``duration`` (model time units).
    ``sector=None`` means the sector coded ``"2"`` (the secondary sector of the 3-sector
    aggregate)."""

    sector: str | None = None
    size: float = 0.05
    unit: str = "share_of_output"
    spread: str = "total"
    start: float | None = None
    duration: float | None = None


@dataclass(frozen=True)
class DynamicScenario:
    """A dynamic-model experiment with the paper's parameters as defaults.

    Times (``horizon``, ``period``, ``dt``, shock start and duration) are in model time units
    (``time_unit``); ``None`` means the paper's value in that unit: horizon 15 quarters,
    quarterly reporting, shock after one quarter lasting two years, DT = 1/16 year.
    ``growth`` and ``depreciation`` are annual rates (converted for quarters). ``beta``,
    ``depreciation`` and ``growth`` are one number or one per sector.
    """

    growth: float | tuple[float, ...] = 0.03
    growth_form: str = "exponential"
    shock: Shock = field(default_factory=Shock)
    horizon: float | None = None
    period: float | None = None
    dt: float | None = None
    time_unit: str = "year"
    initial: str = "steady"
    accelerator: float = 7.0
    accelerator_role: str = "production"
    adjustment_speed: float = 0.5
    depreciation: float | tuple[float, ...] = 0.1
    beta: float | tuple[float, ...] = (1.0, 1.3, 1.25)
    alpha: float = 0.0
    inventory_cover: float = 1.0
    inventory_time: float = 1.0
    smoothing_time: float = 0.25
    production_rule: str = "adjustment"
    investment_form: str = "B_gross"
    investment_matrix: str = "calibrated"
    investment_column: str = "F020"
    loop_break: str = "lag"
    multiplier_basis: str = "output"
    households: str = "exogenous"
    allow_unstable: bool = False

    def __post_init__(self) -> None:
        for key, allowed in OPTION_VALUES.items():
            if getattr(self, key) not in allowed:
                raise DynamicError(f"scenario key '{key}' is {getattr(self, key)!r}; use one of {', '.join(allowed)}.")
        for key, allowed in SHOCK_VALUES.items():
            if getattr(self.shock, key) not in allowed:
                raise DynamicError(
                    f"scenario key 'shock.{key}' is {getattr(self.shock, key)!r}; use one of {', '.join(allowed)}."
                )
        for key in ("accelerator", "adjustment_speed", "inventory_time", "smoothing_time"):
            v = getattr(self, key)
            if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
                raise DynamicError(f"scenario key '{key}' must be a finite number > 0, got {v!r}.")
        for key in ("inventory_cover",):
            v = getattr(self, key)
            if not (math.isfinite(v) and v >= 0):
                raise DynamicError(f"scenario key '{key}' must be a finite number >= 0, got {v!r}.")
        for key in ("dt", "period", "horizon"):
            v = getattr(self, key)
            if v is not None and not (math.isfinite(v) and v > 0):
                raise DynamicError(f"scenario key '{key}' must be a number > 0 (model time units), got {v!r}.")
        if self.shock.start is not None and not (math.isfinite(self.shock.start) and self.shock.start >= 0):
            raise DynamicError(f"scenario key 'shock.start' must be >= 0, got {self.shock.start!r}.")
        if self.shock.duration is not None and not (math.isfinite(self.shock.duration) and self.shock.duration > 0):
            raise DynamicError(f"scenario key 'shock.duration' must be > 0, got {self.shock.duration!r}.")
        if not math.isfinite(self.shock.size):
            raise DynamicError(f"scenario key 'shock.size' must be a finite number, got {self.shock.size!r}.")

    # ------------------------------------------------------------------ time resolution
    @property
    def units_per_year(self) -> float:
        """Model time units per year (1 or 4)."""
        return 1.0 if self.time_unit == "year" else 4.0

    def resolved(self) -> "DynamicScenario":
        """The scenario with every ``None`` time replaced by the paper's value in the time unit."""
        u = self.units_per_year
        shock = replace(
            self.shock,
            start=0.25 * u if self.shock.start is None else self.shock.start,
            duration=2.0 * u if self.shock.duration is None else self.shock.duration,
        )
        out = replace(
            self, shock=shock,
            horizon=3.75 * u if self.horizon is None else self.horizon,
            period=0.25 * u if self.period is None else self.period,
            dt=u / 16.0 if self.dt is None else self.dt,
        )
        steps = out.period / out.dt
        if abs(steps - round(steps)) > 1e-9 * steps:
            raise DynamicError(
                f"scenario key 'dt' = {out.dt:g} does not divide the reporting period {out.period:g}; "
                "choose dt = period / m for a whole number m."
            )
        q = out.horizon / out.period
        if abs(q - round(q)) > 1e-9 * q:
            raise DynamicError(
                f"scenario key 'horizon' = {out.horizon:g} is not a whole number of reporting periods "
                f"({out.period:g}); make it a multiple."
            )
        end = shock.start + shock.duration
        if end > out.horizon * (1 + 1e-12):
            raise DynamicError(
                f"scenario key 'horizon' = {out.horizon:g} is shorter than the shock, which ends at "
                f"{end:g} (start {shock.start:g} + duration {shock.duration:g}); lengthen the horizon."
            )
        return out


def _as_tuple(v: Any) -> Any:
    return tuple(float(x) for x in v) if isinstance(v, (list, tuple)) else v


def scenario_from_mapping(data: Mapping[str, Any] | None, where: str = "scenario") -> DynamicScenario:
    """Build a :class:`DynamicScenario` from a YAML mapping (unknown keys are refused)."""
    data = dict(data or {})
    names = {f.name for f in fields(DynamicScenario)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise DynamicError(f"{where}: unknown key(s) {unknown}; allowed keys: {', '.join(sorted(names))}.")
    shock = data.pop("shock", None) or {}
    if not isinstance(shock, Mapping):
        raise DynamicError(f"{where}: key 'shock' must be a mapping (sector, size, unit, spread, start, duration).")
    snames = {f.name for f in fields(Shock)}
    bad = sorted(set(shock) - snames)
    if bad:
        raise DynamicError(f"{where}: unknown key(s) {['shock.' + b for b in bad]}; allowed: {', '.join(sorted(snames))}.")
    shock = dict(shock)
    if shock.get("sector") is not None:
        shock["sector"] = str(shock["sector"])
    for key in ("growth", "depreciation", "beta"):
        if key in data:
            data[key] = _as_tuple(data[key])
    try:
        return DynamicScenario(shock=Shock(**shock), **data)
    except TypeError as exc:  # a wrong type for a key
        raise DynamicError(f"{where}: {exc}") from None


def load_scenario(path: str | None) -> DynamicScenario:
    """Read a scenario YAML file (a mapping of :class:`DynamicScenario` keys); ``None``: defaults."""
    if path is None:
        return DynamicScenario()
    import yaml

    p = Path(path)
    if not p.is_file():
        raise DynamicError(f"scenario file {path!r} does not exist; give the path of a YAML file.")
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise DynamicError(f"{path}: not valid YAML ({' '.join(str(exc).split())}).") from None
    if data is not None and not isinstance(data, Mapping):
        raise DynamicError(f"{path}: a scenario file must be a mapping of scenario keys.")
    return scenario_from_mapping(data, where=str(path))


# ============================================================================ the numeric model
@dataclass
class DynamicModel:
    """Numeric DS/IO model, batched over ``S`` parameter draws (leading axis of every array).

    Attributes
    ----------
    A, B : ndarray, shape (S, n, n)
        Technical coefficients and investment distribution (capital-coefficient) matrix.
    Y0 : ndarray, shape (S, n)
        Final demand excluding gross investment at t = 0, per model time unit.
    x0 : ndarray, shape (n,)
        The table's gross output per model time unit (shock scaling, value-added shares).
    d, beta, k, phi, growth : ndarray, shape (S, n)
        Depreciation, desired-capacity slopes, capacity- and production-adjustment speeds, and
        growth rates, all per model time unit.
    alpha, h, tau_e, tau_c : float
        Desired-capacity intercept, inventory cover, inventory and smoothing times.
    va_share : ndarray, shape (n,)
        Value added per unit of output (``multiplier_basis="value_added"``).
    scenario : DynamicScenario
        The resolved scenario (options, times).
    sectors : tuple of str
    """

    A: np.ndarray
    B: np.ndarray
    Y0: np.ndarray
    x0: np.ndarray
    d: np.ndarray
    beta: np.ndarray
    k: np.ndarray
    phi: np.ndarray
    growth: np.ndarray
    alpha: float
    h: float
    tau_e: float
    tau_c: float
    va_share: np.ndarray
    scenario: DynamicScenario
    sectors: tuple[str, ...]
    producing: int = 0

    @property
    def n_producing(self) -> int:
        """Number of producing sectors (the household row is last when households are endogenous)."""
        return self.producing or self.n

    @property
    def n(self) -> int:
        return self.A.shape[-1]

    @property
    def size(self) -> int:
        return self.A.shape[0]

    def with_params(self, **arrays: np.ndarray) -> "DynamicModel":
        """A copy with some arrays replaced (broadcast to the batch)."""
        return replace(self, **arrays)

    def repeat(self, S: int) -> "DynamicModel":
        """The model (batch size 1) repeated ``S`` times along the batch axis."""
        if self.size != 1:
            raise ValueError("repeat needs a model of batch size 1")
        out = {}
        for f in ("A", "B", "Y0", "d", "beta", "k", "phi", "growth"):
            a = getattr(self, f)
            out[f] = np.repeat(a, S, axis=0)
        return replace(self, **out)


def _per_sector(value: Any, n: int, key: str, sectors: tuple[str, ...]) -> np.ndarray:
    v = np.atleast_1d(np.asarray(value, dtype=float))
    if v.size == 1:
        v = np.full(n, float(v[0]))
    if v.size != n:
        raise DynamicError(
            f"scenario key '{key}' has {v.size} values but the table has {n} sectors "
            f"({', '.join(sectors[:6])}{', ...' if n > 6 else ''}); give one number or one per sector."
        )
    if not np.all(np.isfinite(v)):
        raise DynamicError(f"scenario key '{key}' has a value that is not a finite number.")
    return v


def _read_matrix_csv(path: str, sectors: tuple[str, ...]) -> np.ndarray:
    from ..tables import read_labelled_csv

    m = read_labelled_csv(path)
    if list(m.rows) != list(sectors) or list(m.cols) != list(sectors):
        raise DynamicError(
            f"{path}: the investment matrix must be labelled by the table's sectors {list(sectors)} "
            "(rows: origin, columns: destination), in order."
        )
    return np.asarray(m.values, dtype=float)


def calibrate_investment_matrix(table: IOTable, scenario: DynamicScenario) -> tuple[np.ndarray, np.ndarray]:
    """The default investment matrix ``B = s v'`` (dynamic.md §2.5 A) and the GFCF vector.

    ``s_i`` is sector ``i``'s share of gross fixed capital formation (the final-demand column
    ``investment_column``; negative entries are set to 0), and the capital-output ratio ``v``
    (one number) makes gross investment on the initial path equal to total GFCF:
    ``v sum_j (g + d_j) beta_j x_j = sum_i GFCF_i`` (per year, before any time-unit conversion).

    Returns
    -------
    B : ndarray, shape (n, n)
    gfcf : ndarray, shape (n,)
        The GFCF column (annual flows), removed from final demand in the model.
    """
    n, col = table.n, scenario.investment_column
    fd = table.final_demand
    if fd is None or col not in [str(c) for c in fd.columns]:
        have = "none" if fd is None else ", ".join(map(str, fd.columns))
        raise DynamicError(
            f"table '{table.name}' has no final-demand column {col!r} (gross fixed capital formation) to "
            f"calibrate B (final-demand columns: {have}); set scenario key 'investment_column' or give "
            "'investment_matrix' as a CSV file."
        )
    gfcf = fd[[c for c in fd.columns if str(c) == col][0]].to_numpy(dtype=float)
    pos = np.maximum(gfcf, 0.0)
    if pos.sum() <= 0:
        raise DynamicError(f"table '{table.name}': column {col!r} has no positive investment; B cannot be calibrated.")
    s = pos / pos.sum()
    g = _per_sector(scenario.growth, n, "growth", table.sectors)
    d = _per_sector(scenario.depreciation, n, "depreciation", table.sectors)
    beta = _per_sector(scenario.beta, n, "beta", table.sectors)
    x = np.asarray(table.output, dtype=float)
    if not np.sum((np.log1p(g) + d) * beta * x) > 0:
        raise DynamicError(
            "B cannot be calibrated at zero growth and zero depreciation (no investment on the initial "
            "path); give scenario key 'investment_matrix' as a CSV file."
        )
    v = gfcf.sum() / float(np.sum((np.log1p(g) + d) * beta * x))
    if not v > 0:
        raise DynamicError(f"table '{table.name}': total GFCF is not positive; B cannot be calibrated.")
    return np.outer(s, np.full(n, v)), gfcf


def build_model(table: IOTable, scenario: DynamicScenario | None = None) -> DynamicModel:
    """The numeric model of ``table`` under ``scenario`` (batch size 1).

    Final demand ``Y0`` is the table's total final demand minus the GFCF column (investment is
    endogenous); both are converted to flows per model time unit. Rates per year (growth,
    depreciation) are converted to the time unit; ``accelerator``/``adjustment_speed`` are taken
    per time unit as given (dynamic.md §2.5 B, C).
    """
    sc = (scenario or DynamicScenario()).resolved()
    if table.output is None:
        raise DynamicError(
            f"table '{table.name}' has no gross output; the dynamic model needs a flow-form table "
            "(Z.csv, final_demand.csv, value_added.csv)."
        )
    n, sectors = table.n, table.sectors
    u = sc.units_per_year
    if sc.investment_matrix == "calibrated":
        B, gfcf = calibrate_investment_matrix(table, sc)
    else:
        if not Path(sc.investment_matrix).is_file():
            raise DynamicError(
                f"scenario key 'investment_matrix' = {sc.investment_matrix!r} is neither 'calibrated' nor a CSV file."
            )
        B = _read_matrix_csv(sc.investment_matrix, sectors)
        fd = table.final_demand
        cols = [] if fd is None else [c for c in fd.columns if str(c) == sc.investment_column]
        gfcf = fd[cols[0]].to_numpy(dtype=float) if cols else np.zeros(n)
    if np.any(B < 0) or not np.all(np.isfinite(B)):
        raise DynamicError("the investment matrix B must be finite and non-negative (investment goods by origin).")
    Ytot = table.total_final_demand()
    Y0 = (Ytot - gfcf) / u
    g_year = _per_sector(sc.growth, n, "growth", sectors)
    if np.any(g_year <= -1):
        raise DynamicError("scenario key 'growth' must be above -1 (a rate per year, 0.03 for 3%).")
    growth = (1.0 + g_year) ** (1.0 / u) - 1.0
    d_year = _per_sector(sc.depreciation, n, "depreciation", sectors)
    if np.any(d_year < 0):
        raise DynamicError("scenario key 'depreciation' must be >= 0 (a rate per year).")
    d = d_year / u
    beta = _per_sector(sc.beta, n, "beta", sectors)
    if np.any(beta <= 0):
        raise DynamicError("scenario key 'beta' (desired capacity per unit of demand) must be > 0.")
    if sc.accelerator_role == "capacity":
        k, phi = sc.accelerator, sc.adjustment_speed
    else:
        k, phi = sc.adjustment_speed, sc.accelerator
    x0 = np.asarray(table.output, dtype=float) / u
    va = table.value_added
    if va is not None:
        va_share = va.to_numpy(dtype=float).sum(axis=0) / np.asarray(table.output, dtype=float)
    else:
        va_share = 1.0 - np.asarray(table.A).sum(axis=0)
    if sc.alpha != 0 and sc.initial == "steady" and np.any(growth != 0):
        raise DynamicError(
            "scenario key 'alpha' is not 0 while final demand grows: no balanced initial path exists; "
            "set alpha: 0, growth: 0 or initial: table."
        )
    sec = sc.shock.sector if sc.shock.sector is not None else "2"
    if sec not in sectors:
        raise DynamicError(
            f"scenario key 'shock.sector' = {sec!r} is not a sector code of table '{table.name}' "
            f"(codes: {', '.join(sectors[:10])}{', ...' if n > 10 else ''}); name the shocked sector."
        )
    sc = replace(sc, shock=replace(sc.shock, sector=sec))
    A = np.asarray(table.A, dtype=float)
    producing = n
    if sc.households == "endogenous":
        if not table.has_households:
            raise DynamicError(
                f"scenario key 'households' is 'endogenous' but table '{table.name}' has no household row "
                "and column; name them in table.yaml (households: consumption, income) or use exogenous."
            )
        hh = (table.meta.get("households") or {}).get("consumption")
        fd = table.final_demand
        if fd is None or hh not in [str(c) for c in fd.columns]:
            raise DynamicError(
                f"households 'endogenous' needs the household consumption column of final_demand.csv "
                f"(table.yaml households.consumption) in table '{table.name}'."
            )
        cons = fd[[c for c in fd.columns if str(c) == hh][0]].to_numpy(dtype=float) / u
        label = table.household_label
        if label in sectors:
            raise DynamicError(f"the household label {label!r} is also a sector code of table '{table.name}'.")
        A = table.closed_matrix()
        pad = lambda v, val: np.append(v, val)  # noqa: E731
        Y0 = pad(Y0 - cons, 0.0)
        Bp = np.zeros((n + 1, n + 1))
        Bp[:n, :n] = B
        B = Bp
        x0 = pad(x0, float(np.sum(np.asarray(table.household_income) * np.asarray(table.output))) / u)
        d, beta, growth = pad(d, 0.0), pad(beta, 10.0), pad(growth, 0.0)
        va_share = pad(va_share, 0.0)
        sectors = (*sectors, label)
        n = n + 1
    one = lambda a: np.asarray(a, dtype=float)[None, ...]  # noqa: E731
    model = DynamicModel(
        A=one(A), B=one(B / 1.0), Y0=one(Y0), x0=x0, d=one(d), beta=one(beta),
        k=one(np.full(n, float(k))), phi=one(np.full(n, float(phi))), growth=one(growth),
        alpha=float(sc.alpha) / u, h=float(sc.inventory_cover), tau_e=float(sc.inventory_time),
        tau_c=float(sc.smoothing_time), va_share=va_share, scenario=sc, sectors=sectors,
        producing=producing,
    )
    # B maps gross investment (capacity per time unit, per time unit) to investment goods (money
    # per time unit): with quarterly time units capacity is quarterly output, so B is per year x u.
    model.B = model.B * u
    return model


# ============================================================================ closed forms
def investment_operator(model: DynamicModel, gamma: np.ndarray | float = 0.0) -> np.ndarray:
    """Matrix ``W`` with investment demand ``I = W Xc`` on a path growing at rate ``gamma``.

    ``B_gross``: ``W = B (gamma + d^)``; ``depr_direct``: ``W = v^ d^ + B gamma`` with ``v`` the
    column sums of B. Shape (S, n, n).
    """
    gam = np.broadcast_to(np.asarray(gamma, dtype=float), model.d.shape)
    if model.scenario.investment_form == "B_gross":
        return model.B * (gam + model.d)[:, None, :]
    v = model.B.sum(axis=1)
    S, n = model.d.shape
    W = model.B * gam[:, None, :]
    W[:, np.arange(n), np.arange(n)] += v * model.d
    return W


def long_run_matrix(A: np.ndarray, B: np.ndarray, d: np.ndarray, beta: np.ndarray,
                    investment_form: str = "B_gross") -> np.ndarray:
    """``G = A + B d^ beta^`` (or ``A + v^ d^ beta^`` for ``depr_direct``), batched.

    The stationary state of the DS/IO model is ``X* = (I - G)^-1 Y`` (dynamic.md §2.4).
    """
    A, B = np.asarray(A, dtype=float), np.asarray(B, dtype=float)
    d, beta = np.asarray(d, dtype=float), np.asarray(beta, dtype=float)
    if investment_form == "B_gross":
        return A + B * (d * beta)[..., None, :]
    v = B.sum(axis=-2)
    G = A.copy()
    n = A.shape[-1]
    G[..., np.arange(n), np.arange(n)] += v * d * beta
    return G


def long_run_multipliers(A: np.ndarray, B: np.ndarray, d: np.ndarray, beta: np.ndarray,
                         investment_form: str = "B_gross", weights: np.ndarray | None = None) -> np.ndarray:
    """Long-run (steady-state) output multipliers ``1' (I - G)^-1`` (dynamic.md §2.4), batched.

    ``weights`` (value added per unit of output) gives value-added multipliers ``w' (I - G)^-1``.
    Raises :class:`DynamicError` when ``rho(G) >= 1`` (no steady state).
    """
    G = long_run_matrix(A, B, d, beta, investment_form)
    n = G.shape[-1]
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    M = np.eye(n) - G
    # w' M^-1 = solve(M', w)'; with the ones vector as a second right-hand side, v = M'^-1 1 > 0
    # certifies rho(G) < 1 for non-negative G (v = sum (G')^k 1; Perron vector argument otherwise).
    rhs = np.stack(np.broadcast_arrays(np.broadcast_to(w, G.shape[:-1]), np.ones(G.shape[:-1])), axis=-1)
    try:
        sol = np.linalg.solve(np.swapaxes(M, -1, -2), rhs)
        ok = np.all(sol[..., 1] > 0, axis=-1) if np.all(G >= 0) else None
    except np.linalg.LinAlgError:
        sol, ok = None, np.zeros(G.shape[:-2], dtype=bool)
    if ok is None:  # mixed signs: rho(G) <= rho(|G|) < 1 when (I - |G|)^-1 1 > 0
        try:
            v = np.linalg.solve(np.eye(n) - np.abs(G), np.ones(G.shape[:-1])[..., None])[..., 0]
            ok = np.all(v > 0, axis=-1)
        except np.linalg.LinAlgError:
            ok = np.zeros(G.shape[:-2], dtype=bool)
    if not np.all(ok):
        rho = np.max(np.abs(np.linalg.eigvals(G)), axis=-1)
        if np.any(rho >= 1):
            raise DynamicError(
                f"A + B d^ beta^ has spectral radius {float(np.max(rho)):.6g} >= 1: the dynamic model has no "
                "steady state (Hawkins-Simon fails on the augmented matrix); lower depreciation, beta or B."
            )
    return sol[..., 0]


# ============================================================================ initial state
def step_growth(model: DynamicModel, engine: str) -> np.ndarray:
    """Growth of the exogenous final demand as a rate per model time unit (shape (S, n)).

    Euler: ``gamma_d = (rho - 1) / DT`` with ``rho`` the growth factor of one step; reference
    engine: the continuous rate ``log(1 + g)`` (``g`` for ``growth_form="stella"``).
    """
    dt = model.scenario.dt
    if model.scenario.growth_form == "exponential":
        rate = np.log1p(model.growth)
        rho = np.exp(rate * dt)
    else:
        rate = model.growth
        rho = 1.0 + model.growth * dt
    return (rho - 1.0) / dt if engine == "euler" else rate


def initial_state(model: DynamicModel, engine: str = "euler") -> dict[str, np.ndarray]:
    """Consistent initial stocks: the balanced (or, at zero growth, stationary) path.

    With every flow growing by the same factor per step, the stock-flow equations give (rate
    ``gamma``: ``(rho - 1)/DT`` for Euler, ``log(1 + g)`` for the reference engine):
    ``E = h C / (1 + gamma tau_E)``, ``X = p C`` with ``p = 1 + gamma h / (1 + gamma tau_E)``
    (inventory rule) or ``p = Phi / (Phi + gamma)`` (adjustment rule),
    ``Xc = k beta^ lambda C / (k + gamma)`` with ``lambda`` = ``1/rho`` (lag), ``1/(1 + gamma
    tau_c)`` (smooth) or 1, and ``C = (I - A q^ p^ - W k beta^ lambda/(k + gamma))^-1 (Y0 + W alpha)``
    with ``q = 1/rho`` for the lagged intermediate demand of the Euler lag closure, ``W`` the
    investment operator. At zero growth this is ``X = C = (I - A - B d^ beta^)^-1 Y0``
    (dynamic.md §2.4). With sector-specific growth there is no balanced path and the stationary
    state of ``Y0`` is used (a transient follows).

    Returns a dict with ``C, X, Xc, E, Ce, Cm, Xm`` (shape (S, n)).
    """
    sc = model.scenario
    g = model.growth
    uniform = np.all(np.abs(g - g[:, :1]) <= 1e-15)
    if sc.initial == "table" or not uniform:
        gamma = np.zeros_like(g)
    else:
        gamma = step_growth(model, engine)
    dt = sc.dt
    rho = 1.0 + gamma * dt if engine == "euler" else np.exp(gamma)  # only used for lag factors
    lag = sc.loop_break == "lag" and engine == "euler"
    if sc.production_rule == "inventory":
        p = 1.0 + gamma * model.h / (1.0 + gamma * model.tau_e)
    else:
        p = model.phi / (model.phi + gamma)
    q = 1.0 / rho if (lag and sc.production_rule == "inventory") else np.ones_like(gamma)
    if sc.loop_break == "smooth":
        lam = 1.0 / (1.0 + gamma * model.tau_c)
    elif lag:
        lam = 1.0 / rho
    else:
        lam = np.ones_like(gamma)
    kf = model.k / (model.k + gamma)
    W = investment_operator(model, gamma)
    n = model.n
    M = np.eye(n) - model.A * (q * p)[:, None, :] - W * (kf * model.beta * lam)[:, None, :]
    rhs = model.Y0 + np.einsum("sij,sj->si", W, kf * model.alpha * np.ones_like(gamma))
    if sc.initial == "table":
        C = np.broadcast_to(model.x0, model.Y0.shape).copy()
    else:
        try:
            C = np.linalg.solve(M, rhs[..., None])[..., 0]
        except np.linalg.LinAlgError:
            raise DynamicError("the initial balanced path is singular (I - A - B d^ beta^ is singular).") from None
    X = p * C
    Xc = kf * (model.alpha + model.beta * lam * C)
    over = X > Xc
    if np.any(over):
        j = int(np.argwhere(over)[0][1])
        warnings.warn(
            f"no consistent balanced path: sector {model.sectors[j]}'s capacity on the path "
            f"(beta = {model.beta[0, j]:g}) is below its production at this growth rate, so the "
            "baseline starts capacity-bound and has its own transient (production clipped to capacity).",
            StabilityWarning, stacklevel=2)
        X = np.minimum(X, Xc)
    E = model.h * C / (1.0 + gamma * model.tau_e)
    Ce = C / (1.0 + gamma * model.tau_c) if sc.loop_break == "smooth" else C.copy()
    Cm = C / rho if lag else C.copy()
    Xm = X / rho if lag else X.copy()
    if sc.initial == "steady" and np.any(C <= 0):
        raise DynamicError(
            "the steady initial path has zero or negative demand in some sector; final demand net of "
            "investment must be positive (check investment_column and B)."
        )
    return {"C": C, "X": X, "Xc": Xc, "E": E, "Ce": Ce, "Cm": Cm, "Xm": Xm, "gamma": gamma}
