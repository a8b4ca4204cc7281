"""Dynamic multipliers, long-run multipliers and their uncertainty (dynamic.md §2.4, §5.5, §5.6).

* Dynamic multiplier of a shock to sector ``j`` (paper style, cumulative):
  ``m_i(Q) = sum_{q<=Q} dX_i,q / sum_{q<=Q} dY_j,q`` between a shocked and a baseline run with
  identical settings; the total ``m(Q) = sum_i m_i(Q)``. Undefined (NaN) before the shock.
* Long-run multiplier: column sums of ``(I - A - B d^ beta^)^-1``.
* Interval hull of the long-run multipliers over a box on A, B, d and beta: ``G = A + B d^ beta^``
  is entrywise non-decreasing in every parameter when all are non-negative, and
  ``(I - G)^-1 = sum G^k`` is then non-decreasing in ``G`` (Neumann series, ``rho(G) < 1``), so the
  hull is given exactly by the two corners (the argument of Jerrell's hull for ``I - A``, seed 000;
  Rohn 1980). With negative coefficients the corner values are not proven bounds and the
  rigorous box enclosure of :func:`iouq.interval.box_inverse_enclosure` is used (``enclosure``).
* Monte Carlo bands: coefficient draws from :mod:`iouq.distributions` (A and B) and uniform
  ranges on the behavioural parameters, simulated together in one batched Euler run.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..distributions import coefficient_model, sample_coefficients
from ..interval import check_tolerance
from ..multipliers import point_multipliers
from ..table import IOTable
from .engines import shock_rates, simulate
from .model import DynamicError, DynamicModel, long_run_matrix, long_run_multipliers
from .stability import check_stability

__all__ = [
    "PATH_COLUMNS", "MULTIPLIER_COLUMNS", "run_paths", "dynamic_multiplier_paths", "sector_multipliers",
    "long_run_interval", "monte_carlo_paths", "multiplier_table", "importance_long_run",
]

PATH_COLUMNS = ["period", "sector", "output", "capacity", "dynamic_multiplier", "total_dynamic_multiplier",
                "baseline_output", "delta_output", "delta_final_demand", "investment", "inventory", "time"]
MULTIPLIER_COLUMNS = ["sector", "static_type1", "static_type2", "long_run", "long_run_lower", "long_run_upper",
                      "peak_dynamic", "mc_q025", "mc_q975", "exactness", "final_dynamic", "mc_long_run_q025",
                      "mc_long_run_q975", "mc_draws"]


def _weights(model: DynamicModel) -> np.ndarray:
    """Weights of the multipliers: 1 (output) or value added per unit of output, 0 for households."""
    w = model.va_share.copy() if model.scenario.multiplier_basis == "value_added" else np.ones(model.n)
    w[model.n_producing:] = 0.0
    return w


def _pair_runs(model: DynamicModel, sectors: list[str], engine: str) -> tuple[dict, dict]:
    """Baseline and shocked runs for every batch member (shock sector per member)."""
    base = simulate(model, engine, shocks=np.zeros((model.size, model.n)))
    shocked = simulate(model, engine, shocks=shock_rates(model, sectors))
    return base, shocked


def dynamic_multiplier_paths(base: dict, shocked: dict, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative dynamic multipliers: per sector ``(S, Q, n)`` and total ``(S, Q)``."""
    dX = (shocked["output"] - base["output"]) * weights
    dY = (shocked["final_demand"] - base["final_demand"]).sum(axis=-1)
    cX, cY = np.cumsum(dX, axis=1), np.cumsum(dY, axis=1)
    tiny = 1e-12 * np.max(np.abs(cY), axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        per = np.where(np.abs(cY)[..., None] > tiny[..., None], cX / cY[..., None], np.nan)
    return per, np.nansum(per, axis=-1) * np.where(np.isnan(per[..., 0]), np.nan, 1.0)


def run_paths(model: DynamicModel, engine: str = "euler") -> pd.DataFrame:
    """Paths of the scenario (shock to the scenario's sector): one row per period and sector.

    Columns :data:`PATH_COLUMNS`: ``output`` (shocked run, ∑ X dt over the period), ``capacity``
    (end of period), ``dynamic_multiplier`` (sector's cumulative ``m_i(Q)``),
    ``total_dynamic_multiplier`` (``m(Q)``), ``baseline_output``, ``delta_output``,
    ``delta_final_demand`` (the shock in the period, all sectors), ``investment`` (shocked run),
    ``inventory`` (end of period; 0 for the adjustment rule), ``time`` (end of period).
    """
    check_stability(model)
    base, shocked = _pair_runs(model, [model.scenario.shock.sector] * model.size, engine)
    per, tot = dynamic_multiplier_paths(base, shocked, _weights(model))
    Q, n = per.shape[1], per.shape[2]
    dY = (shocked["final_demand"] - base["final_demand"]).sum(axis=-1)
    rows = {
        "period": np.repeat(np.arange(1, Q + 1), n),
        "sector": np.tile(np.array(model.sectors, dtype=object), Q),
        "output": shocked["output"][0].ravel(),
        "capacity": shocked["capacity"][0].ravel(),
        "dynamic_multiplier": per[0].ravel(),
        "total_dynamic_multiplier": np.repeat(tot[0], n),
        "baseline_output": base["output"][0].ravel(),
        "delta_output": (shocked["output"] - base["output"])[0].ravel(),
        "delta_final_demand": np.repeat(dY[0], n),
        "investment": shocked["investment"][0].ravel(),
        "inventory": shocked["inventory"][0].ravel(),
        "time": np.repeat(shocked["time"], n),
    }
    return pd.DataFrame(rows, columns=PATH_COLUMNS)


def sector_multipliers(model: DynamicModel, engine: str = "euler") -> tuple[np.ndarray, np.ndarray]:
    """Total dynamic multiplier paths for a shock to each sector in turn (one batched run).

    Returns ``(paths, peak)``: ``paths`` shape (n, Q) (row j: shock to sector j), ``peak``
    shape (n,) the largest value over the periods.
    """
    if model.size != 1:
        raise DynamicError("sector_multipliers needs a model of batch size 1.")
    n = model.n_producing
    big = model.repeat(n)
    if engine == "ivp":
        paths = []
        for j in range(n):
            b, s = _pair_runs(model, [model.sectors[j]], engine)
            paths.append(dynamic_multiplier_paths(b, s, _weights(model))[1][0])
        paths = np.array(paths)
    else:
        b, s = _pair_runs(big, list(model.sectors[:n]), engine)
        paths = dynamic_multiplier_paths(b, s, _weights(model))[1]
    return paths, np.nanmax(paths, axis=1)


def _boxes(model: DynamicModel, tol: float, d_range, beta_rel: float):
    t = check_tolerance(tol)
    A, B = model.A[0], model.B[0]
    d, beta = model.d[0], model.beta[0]
    prod = np.arange(model.n) < model.n_producing  # households (if endogenous) keep d = 0
    u = model.scenario.units_per_year
    dl, dh = (d, d) if d_range is None else (np.where(prod, d_range[0] / u, d), np.where(prod, d_range[1] / u, d))
    bl, bh = beta * (1 - beta_rel), beta * (1 + beta_rel)
    return (A - t * np.abs(A), A + t * np.abs(A)), (B - t * np.abs(B), B + t * np.abs(B)), (dl, dh), (bl, bh)


def long_run_interval(model: DynamicModel, tol: float, d_range: tuple[float, float] | None = None,
                      beta_rel: float = 0.0) -> pd.DataFrame:
    """Hull of the long-run multipliers over the box: A and B within ``±tol`` (relative),
    depreciation in ``d_range`` (per year), beta within ``±beta_rel`` (relative).

    Returns columns ``sector, lower, upper, exactness``: ``exact`` when every parameter's lower
    corner is non-negative (monotone, corners attained), ``enclosure`` otherwise (rigorous
    enclosure of ``(I - G)^-1`` over the interval matrix ``[G_lo, G_hi]``).
    """
    (Al, Ah), (Bl, Bh), (dl, dh), (bl, bh) = _boxes(model, tol, d_range, beta_rel)
    form = model.scenario.investment_form
    w = _weights(model)
    nonneg = bool(np.all(Al >= 0) and np.all(Bl >= 0) and np.all(dl >= 0) and np.all(bl >= 0))
    if nonneg and np.all(w >= 0):
        lo = long_run_multipliers(Al, Bl, dl, bl, form, weights=w)
        hi = long_run_multipliers(Ah, Bh, dh, bh, form, weights=w)
        exact = "exact"
    else:
        from ..interval import CoefficientBox, box_inverse_enclosure
        from ..verified import VerifiedSolver

        # entrywise bounds of G = A + B d^ beta^: each entry is monotone in each parameter
        # (B, d, beta >= 0), so the corners give them exactly
        cands = [long_run_matrix(a, b, dd, bb, form) for a in (Al, Ah) for b in (Bl, Bh) for dd in (dl, dh)
                 for bb in (bl, bh)]
        G_lo, G_hi = np.min(cands, axis=0), np.max(cands, axis=0)
        G_c = long_run_matrix(model.A[0], model.B[0], model.d[0], model.beta[0], form)
        box = CoefficientBox(center=G_c, lo=G_lo, hi=G_hi, tol=float(tol), rigorous=False)
        Llo, Lhi = box_inverse_enclosure(box, VerifiedSolver.leontief(G_c))
        wp, wn = np.maximum(w, 0), np.minimum(w, 0)
        lo = wp @ Llo + wn @ Lhi
        hi = wp @ Lhi + wn @ Llo
        exact = "enclosure"
    return pd.DataFrame({"sector": list(model.sectors), "lower": lo, "upper": hi, "exactness": exact})


def draw_models(model: DynamicModel, tol: float, draws: int, seed: int, distribution: str = "uniform",
                d_range: tuple[float, float] | None = None, beta_rel: float = 0.0,
                accelerator_range: tuple[float, float] | None = None) -> DynamicModel:
    """A batch of ``draws`` models: A and B from :func:`iouq.distributions.coefficient_model`
    (``distribution`` on the ``±tol`` box), depreciation, beta and the accelerator uniform on
    their ranges. One ``SeedSequence(seed)`` spawns one stream per parameter group, so the draws
    do not depend on batching."""
    t = check_tolerance(tol)
    ss = np.random.SeedSequence(seed)
    rA, rB, rd, rb, rk = (np.random.default_rng(s) for s in ss.spawn(5))
    n = model.n
    base = model.repeat(draws)
    A = sample_coefficients(coefficient_model(model.A[0], t, distribution), rA, draws) if t > 0 else base.A
    Bdist = "uniform" if distribution == "dirichlet" else distribution
    B = sample_coefficients(coefficient_model(model.B[0], t, Bdist), rB, draws) if t > 0 else base.B
    d = base.d
    if d_range is not None:
        u = model.scenario.units_per_year
        prod = np.arange(n) < model.n_producing  # households (if endogenous) keep d = 0
        d = np.where(prod, np.repeat(rd.uniform(d_range[0] / u, d_range[1] / u, size=(draws, 1)), n, axis=1), base.d)
    beta = base.beta * (1 + beta_rel * rb.uniform(-1, 1, size=(draws, n))) if beta_rel > 0 else base.beta
    out = base.with_params(A=A, B=B, d=d, beta=beta)
    if accelerator_range is not None:
        acc = np.repeat(rk.uniform(*accelerator_range, size=(draws, 1)), n, axis=1)
        if model.scenario.accelerator_role == "capacity":
            out = out.with_params(k=acc)
        else:
            out = out.with_params(phi=acc)
    return out


def monte_carlo_paths(model: DynamicModel, tol: float, draws: int, seed: int, chunk_size: int = 250,
                      sectors: list[str] | None = None, **kwargs) -> tuple[np.ndarray, np.ndarray]:
    """Total dynamic-multiplier paths of ``draws`` parameter draws (Euler, batched in chunks).

    ``sectors`` (default: the scenario's shocked sector) gives one set of paths per shocked
    sector. Returns ``(paths, long_run)`` with shapes (len(sectors), draws, Q) and
    (draws, n) (long-run multipliers of each draw). Results do not depend on ``chunk_size``:
    all draws are made first, then simulated chunk by chunk.
    """
    big = draw_models(model, tol, draws, seed, **kwargs)
    sectors = sectors or [model.scenario.shock.sector]
    w = _weights(model)
    lr = long_run_multipliers(big.A, big.B, big.d, big.beta, model.scenario.investment_form, weights=w)
    out = [[] for _ in sectors]
    for a in range(0, draws, chunk_size):
        sub = big.with_params(**{f: getattr(big, f)[a:a + chunk_size] for f in
                                 ("A", "B", "Y0", "d", "beta", "k", "phi", "growth")})
        base = simulate(sub, "euler", shocks=np.zeros((sub.size, sub.n)))  # shared by every shocked sector
        for i, code in enumerate(sectors):
            shocked = simulate(sub, "euler", shocks=shock_rates(sub, [code] * sub.size))
            out[i].append(dynamic_multiplier_paths(base, shocked, w)[1])
    return np.array([np.concatenate(c, axis=0) for c in out]), lr


def multiplier_table(table: IOTable, model: DynamicModel, tol: float, draws: int, seed: int,
                     distribution: str = "uniform", d_range=None, beta_rel: float = 0.0,
                     accelerator_range=None, engine: str = "euler", chunk_size: int = 250) -> tuple[pd.DataFrame, dict]:
    """The multipliers table (columns :data:`MULTIPLIER_COLUMNS`), one row per shocked sector.

    ``static_type1``/``static_type2``: :func:`iouq.multipliers.point_multipliers` (Type II empty
    without households); ``long_run`` and its hull; ``peak_dynamic``/``final_dynamic``: largest
    and last value of the total cumulative dynamic multiplier for a shock to the sector;
    ``mc_q025``/``mc_q975``: Monte Carlo 2.5%/97.5% quantiles of the peak dynamic multiplier;
    ``mc_long_run_q025``/``_q975`` those of the long-run multiplier. Also returns the paths
    (``{"point": (n, Q), "mc": (n, draws, Q), "time": (Q,)}``) for the figure.
    """
    check_stability(model)
    pm = point_multipliers(table)
    w = _weights(model)
    npr = model.n_producing
    lr = long_run_multipliers(model.A[0], model.B[0], model.d[0], model.beta[0], model.scenario.investment_form,
                              weights=w)[:npr]
    hull = long_run_interval(model, tol, d_range, beta_rel).iloc[:npr]
    paths, peak = sector_multipliers(model, engine)
    kw = dict(distribution=distribution, d_range=d_range, beta_rel=beta_rel, accelerator_range=accelerator_range)
    if draws > 0:
        mc, mc_lr = monte_carlo_paths(model, tol, draws, seed, chunk_size, sectors=list(model.sectors[:npr]), **kw)
        mc_lr = mc_lr[:, :npr]
        mc_peak = np.nanmax(mc, axis=2)
        q = np.quantile(mc_peak, [0.025, 0.975], axis=1)
        qlr = np.quantile(mc_lr, [0.025, 0.975], axis=0)
    else:
        mc = np.zeros((npr, 0, paths.shape[1]))
        q = qlr = np.full((2, npr), np.nan)
    df = pd.DataFrame({
        "sector": list(model.sectors[:npr]),
        "static_type1": pm["output_type1"].to_numpy(),
        "static_type2": pm["output_type2"].to_numpy() if "output_type2" in pm else np.nan,
        "long_run": lr, "long_run_lower": hull["lower"].to_numpy(), "long_run_upper": hull["upper"].to_numpy(),
        "peak_dynamic": peak, "mc_q025": q[0], "mc_q975": q[1], "exactness": hull["exactness"].to_numpy(),
        "final_dynamic": paths[:, -1], "mc_long_run_q025": qlr[0], "mc_long_run_q975": qlr[1], "mc_draws": draws,
    }, columns=MULTIPLIER_COLUMNS)
    time = model.scenario.period * np.arange(1, paths.shape[1] + 1)
    sh = model.scenario.shock
    return df, {"point": paths, "mc": mc, "time": time, "shock_start": sh.start, "shock_end": sh.start + sh.duration}


def importance_long_run(model: DynamicModel) -> pd.DataFrame:
    """Elasticities of the long-run multipliers (closed form ``dL = L dG L``).

    For ``m' = w' L`` with ``L = (I - G)^-1``: ``dm_j / dg_ik = (w' L)_i L_kj``. Coefficients of A
    enter G directly; ``d_k`` and ``beta_k`` through ``G_ik = a_ik + b_ik d_k beta_k``
    (``B_gross``). Returns rows ``parameter, row, col, elasticity_max`` (largest elasticity
    ``p / m_j dm_j/dp`` over the sectors j), sorted by it.
    """
    if model.scenario.investment_form != "B_gross":
        raise DynamicError("importance_long_run is implemented for investment_form B_gross only.")
    A, B, d, beta = model.A[0], model.B[0], model.d[0], model.beta[0]
    G = long_run_matrix(A, B, d, beta)
    n = G.shape[0]
    L = np.linalg.inv(np.eye(n) - G)
    w = _weights(model)
    u = w @ L
    m = u
    rows = []
    dm_dG = u[:, None, None] * L[None, :, :]  # [i, k, j] = u_i L_kj
    el_a = A[:, :, None] * dm_dG / m[None, None, :]
    for i in range(n):
        for k in range(n):
            if A[i, k] != 0:
                rows.append(("a", model.sectors[i], model.sectors[k], float(np.max(np.abs(el_a[i, k])))))
    dd = np.einsum("ik,ikj->kj", B * beta[None, :], dm_dG)  # dm_j/dd_k
    for k in range(n):
        rows.append(("depreciation", "", model.sectors[k], float(np.max(np.abs(d[k] * dd[k] / m)))))
        rows.append(("beta", "", model.sectors[k], float(np.max(np.abs(beta[k] * dd[k] * d[k] / beta[k] / m)))))
    df = pd.DataFrame(rows, columns=["parameter", "row", "col", "elasticity_max"])
    return df.sort_values("elasticity_max", ascending=False, kind="stable").reset_index(drop=True)


#: Scalar behavioural parameters of the one-at-a-time screening (model attribute, label).
BEHAVIOURAL = (("k", "capacity speed k"), ("phi", "production speed Phi"), ("d", "depreciation d"),
               ("beta", "desired-capacity slopes beta"), ("B", "investment matrix B (scale)"),
               ("A", "technical coefficients A (scale)"))


def importance_parameters(model: DynamicModel, rel: float = 0.1) -> pd.DataFrame:
    """One-at-a-time elasticities of the long-run and the peak dynamic multiplier (scenario's
    shocked sector) with respect to scalar scalings of the behavioural parameters.

    Every parameter group (all sectors' ``k``, ``Phi``, ``d``, ``beta``, the whole of B or A) is
    scaled by ``1 ± rel``; the elasticity is the central difference
    ``(m(1 + rel) - m(1 - rel)) / (2 rel m)``. All ``2 x 6`` perturbed models run in one batch.
    The long-run multiplier does not depend on ``k`` and ``Phi`` (its elasticity is exactly 0).

    Returns columns ``parameter, target, value_minus, value, value_plus, elasticity``.
    """
    if model.size != 1:
        raise DynamicError("importance_parameters needs a model of batch size 1.")
    j = model.sectors.index(model.scenario.shock.sector)
    P = 2 * len(BEHAVIOURAL)
    big = model.repeat(P + 1)
    arrays = {f: getattr(big, f).copy() for f in ("A", "B", "d", "beta", "k", "phi")}
    for i, (name, _) in enumerate(BEHAVIOURAL):
        for s, sign in enumerate((-1.0, 1.0)):
            arrays[name][2 * i + s] *= 1.0 + sign * rel
    big = big.with_params(**arrays)
    w = _weights(model)
    lr = long_run_multipliers(big.A, big.B, big.d, big.beta, model.scenario.investment_form, weights=w)[:, j]
    b, s = _pair_runs(big, [model.scenario.shock.sector] * big.size, "euler")
    peak = np.nanmax(dynamic_multiplier_paths(b, s, w)[1], axis=1)
    rows = []
    for i, (name, label) in enumerate(BEHAVIOURAL):
        for target, v in (("long_run", lr), ("peak_dynamic", peak)):
            lo, mid, hi = v[2 * i], v[P], v[2 * i + 1]
            rows.append((label, target, lo, mid, hi, (hi - lo) / (2 * rel * mid)))
    return pd.DataFrame(rows, columns=["parameter", "target", "value_minus", "value", "value_plus", "elasticity"])


IMPORTANCE_COLUMNS = ["parameter", "row", "col", "target", "elasticity", "value_minus", "value", "value_plus"]


def importance_table(model: DynamicModel, rel: float = 0.1, top: int = 20) -> pd.DataFrame:
    """Importance of the dynamic model's inputs: the one-at-a-time behavioural rows of
    :func:`importance_parameters` (long-run and peak dynamic multiplier of the shocked sector),
    then the ``top`` coefficients of A by closed-form elasticity of the long-run multipliers
    (:func:`importance_long_run`, largest over sectors; ``value_*`` empty)."""
    par = importance_parameters(model, rel).assign(row="", col="")
    coef = importance_long_run(model).head(top)
    coef = pd.DataFrame({"parameter": coef.parameter, "row": coef.row, "col": coef.col, "target": "long_run",
                         "elasticity": coef.elasticity_max})
    return pd.concat([par, coef], ignore_index=True)[IMPORTANCE_COLUMNS]


def sobol_parameters(model: DynamicModel, rel: float = 0.2, base_samples: int = 64, seed: int = 1) -> pd.DataFrame:
    """Sobol indices (SALib) of the long-run and peak dynamic multiplier (scenario's shocked
    sector) over the scalar scalings of :data:`BEHAVIOURAL`, each uniform on ``[1 - rel, 1 + rel]``.

    The Saltelli design (``base_samples (P + 2)`` model runs, ``P = 6``) is simulated in one
    batched Euler run; estimators: ``SALib.analyze.sobol`` (first order ``S1``, total ``ST``).
    ``seed`` must be > 0 (SALib treats 0 as "no seed"). The long-run multiplier does not depend
    on ``k`` and ``Phi``: their indices are 0 up to the estimator's noise.

    Returns columns ``parameter, target, S1, S1_conf, ST, ST_conf``.
    """
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    if not (isinstance(seed, int) and seed > 0):
        raise DynamicError(f"the Sobol seed must be an integer > 0 (SALib ignores 0), got {seed!r}.")
    if model.size != 1:
        raise DynamicError("sobol_parameters needs a model of batch size 1.")
    names = [label for _, label in BEHAVIOURAL]
    problem = {"num_vars": len(names), "names": names, "bounds": [[1 - rel, 1 + rel]] * len(names)}
    X = sobol_sample.sample(problem, base_samples, calc_second_order=False, seed=seed)
    big = model.repeat(X.shape[0])
    arrays = {f: getattr(big, f) * X[:, i].reshape((-1,) + (1,) * (getattr(big, f).ndim - 1))
              for i, (f, _) in enumerate(BEHAVIOURAL)}
    big = big.with_params(**arrays)
    j = model.sectors.index(model.scenario.shock.sector)
    w = _weights(model)
    lr = long_run_multipliers(big.A, big.B, big.d, big.beta, model.scenario.investment_form, weights=w)[:, j]
    b, s = _pair_runs(big, [model.scenario.shock.sector] * big.size, "euler")
    peak = np.nanmax(dynamic_multiplier_paths(b, s, w)[1], axis=1)
    rows = []
    for target, Y in (("long_run", lr), ("peak_dynamic", peak)):
        res = sobol_analyze.analyze(problem, Y, calc_second_order=False, num_resamples=50, seed=seed)
        for i, name in enumerate(names):
            rows.append((name, target, res["S1"][i], res["S1_conf"][i], res["ST"][i], res["ST_conf"][i]))
    return pd.DataFrame(rows, columns=["parameter", "target", "S1", "S1_conf", "ST", "ST_conf"])
