"""Simulation engines of the DS/IO model: STELLA-style fixed-step Euler and a solve_ivp reference.

Euler (dynamic.md §5.2; isee systems, "How model equations are solved"): at every step all
auxiliaries are computed from the stocks at ``t`` (final demand, desired capacity, gross
investment ``GI = max(0, IN + DEP)`` — a STELLA uniflow —, investment demand, demand,
production ``X = min(., Xc)``, deliveries ``min(C, X + E/DT)`` so that inventories stay
non-negative), then every stock is updated ``S(t + DT) = S(t) + DT (inflow - outflow)``. The whole
batch (parameter draws, shocked and baseline runs) advances together.

Reference (dynamic.md §5.3): ``scipy.integrate.solve_ivp`` (LSODA, tight tolerances) on the DT -> 0
limit of the same equations, split at the shock dates, with terminal event functions for the
regime switches (capacity bound ``X = Xc``, gross investment 0, empty inventories) and a
restart in the new regime. Period totals are integrated as extra states.
"""

from __future__ import annotations

import numpy as np

from .model import DynamicError, DynamicModel, initial_state

__all__ = ["shock_rates", "demand_path_factor", "simulate", "simulate_euler", "simulate_ivp", "solve_demand"]


def shock_rates(model: DynamicModel, sectors: list[str] | None = None, scale: float = 1.0) -> np.ndarray:
    """Shock added to final demand while it is active, per model time unit, shape (S, n).

    ``sectors`` (one per batch member; default the scenario's shocked sector for all) selects
    the shocked sector; ``scale`` multiplies the size (0 gives the baseline).
    """
    sc = model.scenario
    sh = sc.shock
    u = sc.units_per_year
    S, n = model.size, model.n
    secs = sectors if sectors is not None else [sh.sector] * S
    out = np.zeros((S, n))
    for s, code in enumerate(secs):
        if code is None:
            continue
        j = model.sectors.index(code)
        amount = sh.size * (model.x0[j] * u if sh.unit == "share_of_output" else 1.0)  # per year
        if sh.spread == "total":
            out[s, j] = amount / sh.duration
        else:
            out[s, j] = amount / u
    return out * scale


def demand_path_factor(model: DynamicModel, t: np.ndarray | float, engine: str) -> np.ndarray:
    """Growth factor of exogenous final demand at time ``t`` (shape (S, n) or (S, T, n))."""
    sc = model.scenario
    t = np.asarray(t, dtype=float)
    if sc.growth_form == "exponential":
        rate = np.log1p(model.growth)
    elif engine == "euler":
        rate = np.log1p(model.growth * sc.dt) / sc.dt
    else:
        rate = model.growth
    if t.ndim == 0:
        return np.exp(rate * t)
    return np.exp(rate[:, None, :] * t[None, :, None])


def _check_shock(model: DynamicModel, shocks: np.ndarray) -> None:
    sc = model.scenario
    start, end = sc.shock.start, sc.shock.start + sc.shock.duration
    fac = np.minimum(demand_path_factor(model, start, "euler"), demand_path_factor(model, end, "euler"))
    low = model.Y0 * fac + shocks
    bad = (shocks < 0) & (low < 0)
    if np.any(bad):
        s, j = np.argwhere(bad)[0]
        raise DynamicError(
            f"scenario key 'shock.size': the negative shock to sector {model.sectors[j]} "
            f"({shocks[s, j]:.6g} per time unit) is larger than its final demand ({model.Y0[s, j] * fac[s, j]:.6g}); "
            "final demand would become negative. Make the shock smaller."
        )


def solve_demand(model: DynamicModel, Xc: np.ndarray, P: np.ndarray, Chat: np.ndarray | None,
                 Y: np.ndarray, max_iter: int = 50) -> tuple[np.ndarray, ...]:
    """Solve the simultaneous algebraic part at one instant (batched), with an active-set loop.

    ``P`` is the inventory ``E`` (inventory rule, production depends on C) or production ``X``
    (adjustment rule). ``Chat`` is the consumption that drives desired capacity (``None``:
    simultaneous, i.e. ``C`` itself). Returns ``C, X, GI, I, GIraw, Xdesired``.
    """
    sc = model.scenario
    S, n = Y.shape
    A, B, k, beta, d = model.A, model.B, model.k, model.beta, model.d
    inventory = sc.production_rule == "inventory"
    c1 = 1.0 + model.h / model.tau_e
    sim = Chat is None
    free_cap = np.ones((S, n), dtype=bool)
    free_gi = np.ones((S, n), dtype=bool)
    eye = np.eye(n)
    v = B.sum(axis=1)
    for _ in range(max_iter):
        mF = free_cap.astype(float) if inventory else np.zeros((S, n))
        mG = free_gi.astype(float)
        # GI = mG * (kb * C [sim] + rG)
        rG = k * model.alpha + (d - k) * Xc + (0.0 if sim else k * beta * Chat)
        kb = k * beta if sim else np.zeros((S, n))
        if inventory:
            xconst = mF * (-P / model.tau_e) + (1 - mF) * Xc
        else:
            xconst = P
        rhs = np.einsum("sij,sj->si", A, xconst) + Y + np.einsum("sij,sj->si", B, mG * rG)
        M = eye - A * (mF * c1)[:, None, :] - B * (mG * kb)[:, None, :]
        if sc.investment_form == "depr_direct":
            rhs = rhs + v * d * Xc - np.einsum("sij,sj->si", B, d * Xc)
        C = np.linalg.solve(M, rhs[..., None])[..., 0]
        GIraw = rG + kb * C
        Xdes = c1 * C - P / model.tau_e if inventory else P
        new_cap = Xdes <= Xc if inventory else free_cap
        new_gi = GIraw >= 0
        if np.array_equal(new_cap, free_cap) and np.array_equal(new_gi, free_gi):
            break
        free_cap, free_gi = new_cap, new_gi
    else:
        raise DynamicError("the simultaneous demand loop found no consistent regime (active set cycles); "
                           "use loop_break: lag.")
    GI = np.maximum(GIraw, 0.0)
    X = np.minimum(Xdes, Xc) if inventory else P
    I = np.einsum("sij,sj->si", B, GI)
    if sc.investment_form == "depr_direct":
        I = I + v * d * Xc - np.einsum("sij,sj->si", B, d * Xc)
    return C, X, GI, I, GIraw, Xdes


def _mv(M: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Batched matrix-vector product ``M[s] @ x[s]`` (BLAS through matmul)."""
    return np.matmul(M, x[..., None])[..., 0]


def _investment(model: DynamicModel, GI: np.ndarray, Xc: np.ndarray) -> np.ndarray:
    I = _mv(model.B, GI)
    if model.scenario.investment_form == "depr_direct":
        dep = model.d * Xc
        I = I + model.B.sum(axis=1) * dep - _mv(model.B, dep)
    return I


def simulate_euler(model: DynamicModel, shocks: np.ndarray | None = None, record_steps: bool = False,
                   state0: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Fixed-step Euler run (STELLA evaluation order), batched over the model's draws.

    Parameters
    ----------
    model : DynamicModel
    shocks : ndarray, shape (S, n), optional
        Shock rates (:func:`shock_rates`); default: the scenario's shock.
    record_steps : bool
        Also return every step's flows and stocks (for constraint checks).

    Returns
    -------
    dict
        Per reporting period q (shape (S, Q, n)): ``output`` (∑ X DT), ``final_demand``
        (∑ Y DT), ``investment`` (∑ I DT), ``capacity`` and ``inventory`` at the end of the
        period; ``time`` (period ends, shape (Q,)); with ``record_steps`` also ``steps_*``.
    """
    sc = model.scenario
    if shocks is None:
        shocks = shock_rates(model)
    _check_shock(model, shocks)
    dt, per, T = sc.dt, sc.period, sc.horizon
    m = int(round(per / dt))
    Q = int(round(T / per))
    N = m * Q
    st = state0 or initial_state(model, "euler")
    Xc, E, X = st["Xc"].copy(), st["E"].copy(), st["X"].copy()
    Ce, Cm, Xm = st["Ce"].copy(), st["Cm"].copy(), st["Xm"].copy()
    S, n = model.size, model.n
    A, B, k, beta, d = model.A, model.B, model.k, model.beta, model.d
    inventory = sc.production_rule == "inventory"
    lag = sc.loop_break == "lag"
    c1 = 1.0 + model.h / model.tau_e
    start, end = sc.shock.start, sc.shock.start + sc.shock.duration
    out = {key: np.zeros((S, Q, n)) for key in ("output", "final_demand", "investment", "capacity", "inventory",
                                               "shortage")}
    steps = {key: np.zeros((S, N, n)) for key in ("X", "Xc", "E", "GI", "C", "S")} if record_steps else None
    if sc.growth_form == "exponential":
        rate = np.log1p(model.growth)
    else:
        rate = np.log1p(model.growth * dt) / dt
    for i in range(N):
        t = i * dt
        Y = model.Y0 * np.exp(rate * t)
        if start - 1e-12 * dt <= t < end - 1e-9 * dt:
            Y = Y + shocks
        if lag:
            GIraw = k * (model.alpha + beta * Cm - Xc) + d * Xc
            GI = np.maximum(GIraw, 0.0)
            I = _investment(model, GI, Xc)
            if inventory:
                C = _mv(A, Xm) + Y + I
                X = np.minimum(C + (model.h * C - E) / model.tau_e, Xc)
            else:
                C = _mv(A, X) + Y + I
        else:
            C, Xn, GI, I, _, _ = solve_demand(model, Xc, E if inventory else X,
                                             Ce if sc.loop_break == "smooth" else None, Y)
            if inventory:
                X = Xn
        X = np.maximum(X, 0.0)
        if inventory:
            deliv = np.minimum(C, X + E / dt)
        else:
            deliv = np.minimum(C, X)
        q = i // m
        out["output"][:, q] += X * dt
        out["final_demand"][:, q] += Y * dt
        out["investment"][:, q] += I * dt
        out["shortage"][:, q] += (C - deliv) * dt
        if steps is not None:
            for key, val in (("X", X), ("Xc", Xc), ("E", E), ("GI", GI), ("C", C), ("S", deliv)):
                steps[key][:, i] = val
        # ---- stock updates
        Xc_new = Xc + dt * (GI - d * Xc)
        if inventory:
            E = np.maximum(E + dt * (X - deliv), 0.0)
        else:
            X = np.clip(X + dt * model.phi * (C - X), 0.0, Xc_new)
        Ce = Ce + dt * (C - Ce) / model.tau_c
        Cm, Xm, Xc = C, X, Xc_new
        if (i + 1) % m == 0:
            out["capacity"][:, q] = Xc
            out["inventory"][:, q] = E if inventory else 0.0
    out["time"] = per * np.arange(1, Q + 1)
    if steps is not None:
        for key, val in steps.items():
            out["steps_" + key] = val
        out["steps_time"] = dt * np.arange(N)
    return out


def simulate_ivp(model: DynamicModel, shocks: np.ndarray | None = None, rtol: float = 1e-10,
                 atol_scale: float = 1e-12, max_events: int = 2000) -> dict[str, np.ndarray]:
    """Reference run with ``scipy.integrate.solve_ivp`` (batch size 1, the DT -> 0 limit).

    The loop closure ``lag`` becomes ``simultaneous`` (its continuous limit); ``smooth`` keeps its
    expected-consumption stock. Integration is split at the shock start and end; terminal
    events stop it at every regime switch (a sector reaching or leaving capacity, gross
    investment reaching 0, inventories running out) and it restarts from there.

    Returns the same period quantities as :func:`simulate_euler` (batch axis of size 1).
    """
    from scipy.integrate import solve_ivp

    sc = model.scenario
    if model.size != 1:
        raise DynamicError("the reference engine runs one parameter set at a time (batch size 1).")
    if shocks is None:
        shocks = shock_rates(model)
    _check_shock(model, shocks)
    n = model.n
    inventory = sc.production_rule == "inventory"
    smooth = sc.loop_break == "smooth"
    st = initial_state(model, "ivp")
    start, end, T, per = sc.shock.start, sc.shock.start + sc.shock.duration, sc.horizon, sc.period
    if sc.growth_form == "exponential":
        rate = np.log1p(model.growth[0])
    else:
        rate = model.growth[0]
    # state: Xc, P (E or X), Ce, cumX, cumY, cumI
    iXc, iP, iCe, icX, icY, icI = (slice(j * n, (j + 1) * n) for j in range(6))

    def algebra(t: float, y: np.ndarray, on: bool):
        Y = model.Y0[0] * np.exp(rate * t) + (shocks[0] if on else 0.0)
        Xc, P, Ce = y[iXc], y[iP], y[iCe]
        C, X, GI, I, GIraw, Xdes = solve_demand(model, Xc[None], P[None], Ce[None] if smooth else None, Y[None])
        return Y, C[0], X[0], GI[0], I[0], GIraw[0], Xdes[0]

    def rhs(t: float, y: np.ndarray, on: bool) -> np.ndarray:
        Y, C, X, GI, I, _, _ = algebra(t, y, on)
        Xc, P = y[iXc], y[iP]
        dXc = GI - model.d[0] * Xc
        if inventory:
            dP = np.where((P <= 0) & (X < C), 0.0, X - C)
        else:
            dP = model.phi[0] * (C - P)
            dP = np.where((P >= Xc) & (dP > dXc), dXc, dP)
        dCe = (C - y[iCe]) / model.tau_c if smooth else np.zeros(n)
        return np.concatenate([dXc, dP, dCe, X, Y, I])

    def switch_values(t: float, y: np.ndarray, on: bool) -> np.ndarray:
        Y, C, X, GI, I, GIraw, Xdes = algebra(t, y, on)
        Xc, P = y[iXc], y[iP]
        cap = Xdes - Xc if inventory else P - Xc
        return np.concatenate([cap, GIraw, P if inventory else np.ones(n)])

    y = np.concatenate([st["Xc"][0], (st["E"] if inventory else st["X"])[0], st["Ce"][0], np.zeros(3 * n)])
    scale = np.maximum(np.abs(y), np.concatenate([model.x0] * 6))
    atol = atol_scale * scale
    t_report = per * np.arange(1, int(round(T / per)) + 1)
    cuts = sorted({0.0, start, min(end, T), T})
    ys_at = {}
    events_used = 0
    for a, b in zip(cuts[:-1], cuts[1:]):
        if b - a <= 0:
            continue
        on = start <= a < end
        t0 = a
        while t0 < b - 1e-13 * max(1.0, b):
            v0 = switch_values(t0, y, on)
            tiny = 1e-9 * np.concatenate([scale[:n], scale[:n], scale[:n]])
            active = np.flatnonzero(np.abs(v0) > tiny)
            evs = []
            for idx in active:
                def ev(t, yy, on_arg, idx=idx):  # solve_ivp passes args to events too
                    return switch_values(t, yy, on_arg)[idx]
                ev.terminal = True
                evs.append(ev)
            te = [tr for tr in t_report if t0 < tr <= b + 1e-12]
            sol = solve_ivp(rhs, (t0, b), y, method="LSODA", rtol=rtol, atol=atol, args=(on,),
                            events=evs or None, dense_output=True)
            if not sol.success:
                raise DynamicError(f"the reference engine failed at t = {sol.t[-1]:g}: {sol.message}")
            t1 = sol.t[-1]
            for tr in te:
                if tr <= t1 + 1e-12:
                    ys_at[round(tr / per)] = sol.sol(min(tr, t1)) if tr < t1 else sol.y[:, -1]
            y = sol.y[:, -1].copy()
            if sol.status == 1:
                events_used += 1
                if events_used > max_events:
                    raise DynamicError("the reference engine switched regime more than "
                                       f"{max_events} times (chattering); use the Euler engine.")
            t0 = t1
    Q = len(t_report)
    out = {key: np.zeros((1, Q, n)) for key in ("output", "final_demand", "investment", "capacity", "inventory",
                                               "shortage")}
    prev = np.zeros(3 * n)
    for q in range(Q):
        yq = ys_at[q + 1]
        cum = yq[icX.start:]
        diff = cum - prev
        prev = cum
        out["output"][0, q] = diff[:n]
        out["final_demand"][0, q] = diff[n:2 * n]
        out["investment"][0, q] = diff[2 * n:]
        out["capacity"][0, q] = yq[iXc]
        out["inventory"][0, q] = yq[iP] if inventory else 0.0
    out["time"] = t_report
    return out


def simulate(model: DynamicModel, engine: str = "euler", shocks: np.ndarray | None = None,
             **kwargs) -> dict[str, np.ndarray]:
    """Run ``engine`` (``"euler"`` or ``"ivp"``)."""
    if engine == "euler":
        return simulate_euler(model, shocks, **kwargs)
    if engine == "ivp":
        return simulate_ivp(model, shocks, **kwargs)
    raise DynamicError(f"unknown engine {engine!r}; use euler or ivp.")
