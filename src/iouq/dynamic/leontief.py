"""Leontief's forward-looking dynamic model (dynamic.md §4; seed 001, "Dynamic Extensions").

``x_t = A x_t + B (x_{t+1} - x_t) + B_delta x_t + d_t``, i.e.
``B x_{t+1} = (I - A - B_delta + B) x_t - d_t`` with ``B_delta = B d^`` (replacement at rate
``delta_j``). The forward recursion needs ``B^-1``; real capital matrices have zero rows (sectors
that supply no capital goods), so a singular B is refused with the known remedies.
"""

from __future__ import annotations

import numpy as np

from .model import SingularCapitalError

__all__ = ["leontief_forward", "balanced_growth"]


def _check_B(B: np.ndarray, cond_max: float) -> None:
    n = B.shape[0]
    rank = int(np.linalg.matrix_rank(B))
    cond = float(np.linalg.cond(B)) if rank == n else float("inf")
    if rank < n or cond > cond_max:
        zero_rows = [i for i in range(n) if not np.any(B[i])]
        raise SingularCapitalError(
            f"the capital-coefficient matrix B is singular (rank {rank} of {n}, condition number {cond:.3g}"
            f"{'; all-zero rows ' + str(zero_rows) if zero_rows else ''}), so Leontief's forward model "
            "x_{t+1} = x_t + B^-1((I - A - B_delta) x_t - d_t) cannot be written. Remedies (dynamic.md §4): "
            "consolidate sectors until B is non-singular (Jorgenson 1961), treat it as a descriptor system "
            "(matrix pencil (I - A - B_delta + B, B)), solve in least squares, or use Johnson's DS/IO model "
            "(iouq dynamic), which never inverts B."
        )


def leontief_forward(A: np.ndarray, B: np.ndarray, x0: np.ndarray, demand: np.ndarray,
                     delta: np.ndarray | float = 0.0, cond_max: float = 1e12) -> np.ndarray:
    """Forward solution of Leontief's dynamic model.

    Parameters
    ----------
    A, B : ndarray, shape (n, n)
        Technical and capital coefficients.
    x0 : ndarray, shape (n,)
        Output at t = 0.
    demand : ndarray, shape (T, n)
        Final demand other than investment ``d_t``, t = 0..T-1.
    delta : float or ndarray, shape (n,)
        Replacement (depreciation) rates.

    Returns
    -------
    ndarray, shape (T + 1, n)
        ``x_0 .. x_T``.

    Raises
    ------
    SingularCapitalError
        If B is singular or its condition number exceeds ``cond_max``.
    """
    A, B = np.asarray(A, float), np.asarray(B, float)
    n = A.shape[0]
    _check_B(B, cond_max)
    Bd = B * np.broadcast_to(np.asarray(delta, float), (n,))[None, :]
    lu_rhs = np.eye(n) - A - Bd + B
    demand = np.asarray(demand, float)
    x = np.zeros((demand.shape[0] + 1, n))
    x[0] = x0
    for t in range(demand.shape[0]):
        x[t + 1] = np.linalg.solve(B, lu_rhs @ x[t] - demand[t])
    return x


def balanced_growth(A: np.ndarray, B: np.ndarray, delta: np.ndarray | float = 0.0) -> tuple[float, np.ndarray]:
    """Balanced growth rate ``r`` and ray ``x*`` of the closed model: ``r B x* = (I - A - B_delta) x*``.

    ``x*`` is the Perron vector of ``(I - A - B_delta)^-1 B`` with eigenvalue ``1/r``.
    """
    A, B = np.asarray(A, float), np.asarray(B, float)
    n = A.shape[0]
    Bd = B * np.broadcast_to(np.asarray(delta, float), (n,))[None, :]
    K = np.linalg.solve(np.eye(n) - A - Bd, B)
    ev, V = np.linalg.eig(K)
    i = int(np.argmax(ev.real))
    v = np.real(V[:, i])
    v = v / v.sum()
    return float(1.0 / ev[i].real), v
