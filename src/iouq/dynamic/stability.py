"""Stability diagnostics of the DS/IO model, run before every simulation (dynamic.md §5.4).

The unconstrained model is linear, so its Jacobian is read off exactly by applying the
homogeneous right-hand side (zero final demand, ``alpha = 0``, no ``max``/``min``) to unit
vectors: the continuous system ``ds/dt = J s`` (``s = (Xc, E or X, Ce)``; the ``lag`` closure
in its DT -> 0 limit ``simultaneous``) and the Euler step map ``z' = G z`` (``lag``: ``z`` also
holds the previous step's C and X; otherwise ``G = I + DT J``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from .model import DynamicError, DynamicModel, StabilityWarning, UnstableError

__all__ = ["Diagnostics", "jacobian", "euler_step_matrix", "diagnose", "check_stability"]


@dataclass(frozen=True)
class Diagnostics:
    """Result of :func:`diagnose` (first parameter set of the batch).

    ``max_real`` is the largest real part of the continuous Jacobian's eigenvalues and
    ``max_real_eig`` that eigenvalue; ``euler_radius`` the spectral radius of the Euler step map
    and ``euler_eig`` the eigenvalue attaining it; ``loop_mmatrix`` whether the simultaneous
    loop's matrix is a non-singular M-matrix (``None`` when the loop is not solved
    simultaneously); ``overshoot`` the largest of ``k DT``, ``Phi DT``, ``DT/tau_E``, ``DT/tau_c``.
    """

    max_real: float
    max_real_eig: complex
    euler_radius: float
    euler_eig: complex
    loop_mmatrix: bool | None
    loop_radius: float
    overshoot: float


def _params(model: DynamicModel):
    return (model.A[0], model.B[0], model.k[0], model.beta[0], model.d[0], model.phi[0])


def _col(v: np.ndarray) -> np.ndarray:
    return v[:, None]


def _invest(model, GI, Xc):
    A, B, k, beta, d, phi = _params(model)
    I = B @ GI
    if model.scenario.investment_form == "depr_direct":
        I = I + _col(B.sum(axis=0) * d) * Xc - B @ (_col(d) * Xc)
    return I


def loop_matrix(model: DynamicModel) -> np.ndarray:
    """Matrix of the simultaneous demand loop, all constraints slack: ``I - c1 A - B k^ beta^``
    (inventory rule, ``c1 = 1 + h/tau_E``) or ``I - B k^ beta^`` (adjustment rule); the
    ``B k beta`` term only for ``loop_break="simultaneous"``/``"lag"`` (its limit)."""
    A, B, k, beta, d, phi = _params(model)
    n = A.shape[0]
    M = np.eye(n)
    if model.scenario.production_rule == "inventory":
        M = M - (1.0 + model.h / model.tau_e) * A
    if model.scenario.loop_break != "smooth":
        M = M - B * (k * beta)[None, :]
    return M


def _is_mmatrix(M: np.ndarray) -> tuple[bool, float]:
    """Whether ``M = I - N`` with ``N >= 0`` off the diagonal is a non-singular M-matrix,
    i.e. ``rho(I - M) < 1`` for the non-negative ``I - M`` (returns the radius too)."""
    N = np.eye(M.shape[0]) - M
    rho = float(np.max(np.abs(np.linalg.eigvals(N))))
    return bool(np.all(N >= -1e-15) and rho < 1.0), rho


def _rhs_linear(model: DynamicModel, s: np.ndarray) -> np.ndarray:
    """The homogeneous unconstrained right-hand side applied to the columns of ``s`` (3n x m)."""
    A, B, k, beta, d, phi = _params(model)
    n = A.shape[0]
    sc = model.scenario
    Xc, P, Ce = s[:n], s[n:2 * n], s[2 * n:]
    smooth = sc.loop_break == "smooth"
    M = loop_matrix(model)
    r = B @ (_col(d - k) * Xc + (_col(k * beta) * Ce if smooth else 0.0))
    if sc.investment_form == "depr_direct":
        r = r + _col(B.sum(axis=0) * d) * Xc - B @ (_col(d) * Xc)
    if sc.production_rule == "inventory":
        rhs = A @ (-P / model.tau_e) + r
    else:
        rhs = A @ P + r
    C = np.linalg.solve(M, rhs)
    Chat = Ce if smooth else C
    dXc = _col(k) * (_col(beta) * Chat - Xc)
    dP = (model.h * C - P) / model.tau_e if sc.production_rule == "inventory" else _col(phi) * (C - P)
    dCe = (C - Ce) / model.tau_c if smooth else np.zeros_like(Xc)
    return np.concatenate([dXc, dP, dCe])


def jacobian(model: DynamicModel) -> np.ndarray:
    """Jacobian of the unconstrained continuous system (state ``(Xc, E or X, Ce)``; the ``Ce``
    block is dropped unless ``loop_break="smooth"``)."""
    n = model.n
    m = 3 * n if model.scenario.loop_break == "smooth" else 2 * n
    E = np.zeros((3 * n, m))
    E[np.arange(m), np.arange(m)] = 1.0
    return _rhs_linear(model, E)[:m]


def euler_step_matrix(model: DynamicModel) -> np.ndarray:
    """The unconstrained homogeneous Euler step map (``lag``: state ``(Xc, P, C_prev, X_prev)``)."""
    sc = model.scenario
    dt = sc.dt
    if sc.loop_break != "lag":
        J = jacobian(model)
        return np.eye(J.shape[0]) + dt * J
    A, B, k, beta, d, phi = _params(model)
    n = A.shape[0]
    c1 = 1.0 + model.h / model.tau_e
    z = np.eye(4 * n)
    Xc, P, Cm, Xm = z[:n], z[n:2 * n], z[2 * n:3 * n], z[3 * n:]
    GI = _col(k) * (_col(beta) * Cm - Xc) + _col(d) * Xc
    I = _invest(model, GI, Xc)
    if sc.production_rule == "inventory":
        C = A @ Xm + I
        X = c1 * C - P / model.tau_e
        Pn = P + dt * (X - C)
    else:
        C = A @ P + I
        X = P
        Pn = P + dt * _col(phi) * (C - P)
    return np.concatenate([Xc + dt * (GI - _col(d) * Xc), Pn, C, X])


def diagnose(model: DynamicModel) -> Diagnostics:
    """Eigenvalue diagnostics of the first parameter set of ``model``."""
    sc = model.scenario
    M = loop_matrix(model)
    mm, loop_rho = _is_mmatrix(M)
    try:
        ev = np.linalg.eigvals(jacobian(model))
        i = int(np.argmax(ev.real))
        max_real, max_eig = float(ev.real[i]), complex(ev[i])
    except np.linalg.LinAlgError:
        max_real, max_eig = float("inf"), complex("inf")
    evd = np.linalg.eigvals(euler_step_matrix(model))
    j = int(np.argmax(np.abs(evd)))
    dt = sc.dt
    over = max(float(np.max(model.k[0])) * dt, float(np.max(model.phi[0])) * dt if sc.production_rule == "adjustment"
               else dt / model.tau_e, dt / model.tau_c if sc.loop_break == "smooth" else 0.0)
    loop = None if sc.loop_break == "lag" else mm
    return Diagnostics(max_real, max_eig, float(np.abs(evd[j])), complex(evd[j]), loop, loop_rho, over)


def check_stability(model: DynamicModel) -> Diagnostics:
    """Run :func:`diagnose` and refuse unstable configurations.

    Raises
    ------
    DynamicError
        ``loop_break="simultaneous"`` whose loop matrix is not an M-matrix (option D(ii)).
    UnstableError
        The Euler step map has an eigenvalue of modulus > 1, or the continuous Jacobian (for the
        ``lag`` closure: of its DT -> 0 limit) one with positive real part — unless
        ``allow_unstable`` (then a warning).
    Warns ``StabilityWarning`` when an adjustment speed times DT is 1 or more (Euler overshoot).
    """
    sc = model.scenario
    dg = diagnose(model)
    if sc.loop_break == "simultaneous" and not dg.loop_mmatrix:
        raise DynamicError(
            f"loop_break 'simultaneous' needs the loop matrix (I - {'(1 + h/tau_E) A - ' if sc.production_rule == 'inventory' else ''}"
            f"B k^ beta^) to be an M-matrix, but the spectral radius of its non-negative part is {dg.loop_radius:.6g} >= 1 "
            "(the simultaneous solution flips signs); use loop_break: lag or smooth, or a smaller accelerator."
        )
    problems = []
    if dg.euler_radius > 1.0 + 1e-9:
        problems.append(
            f"the Euler step map has eigenvalue {dg.euler_eig:.6g} (modulus {dg.euler_radius:.6g} > 1) at dt = {sc.dt:g}"
        )
    if dg.max_real > 1e-9:
        problems.append(
            f"the linearised model has eigenvalue {dg.max_real_eig:.6g} with positive real part"
            + (" (in the DT -> 0 limit of the lag closure, so Euler results would depend on DT)"
               if sc.loop_break == "lag" else "")
        )
    if problems:
        msg = (
            "unstable configuration: " + "; ".join(problems) + f" (accelerator {sc.accelerator:g} as "
            f"{'capacity' if sc.accelerator_role == 'capacity' else 'production'} speed, loop gain rho(B k^ beta^) = "
            f"{float(np.max(np.abs(np.linalg.eigvals(model.B[0] * (model.k[0] * model.beta[0])[None, :])))):.3g}). "
            "Lower the accelerator or DT, set accelerator_role: production, or allow_unstable: true."
        )
        if not sc.allow_unstable:
            raise UnstableError(msg)
        warnings.warn(msg, StabilityWarning, stacklevel=2)
    if dg.overshoot >= 1.0:
        warnings.warn(
            f"an adjustment speed times dt is {dg.overshoot:.3g} >= 1: each Euler step overshoots "
            "(alternating paths, dynamic.md §2.5 B); reduce dt.", StabilityWarning, stacklevel=2)
    return dg
