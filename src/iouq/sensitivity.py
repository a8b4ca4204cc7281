"""Global sensitivity of the output multipliers with SALib, and agreement between rankings.

The uncertain factors are the non-zero coefficients of ``A``, each uniform on
``[a - tol|a|, a + tol|a|]`` (the interval family's box). The model output is the vector of
Type I output multipliers ``m' = 1'(I - A)^-1``, evaluated for a whole sample at once with
stacked linear solves. Factors can be grouped by column or by row of ``A`` (true group indices
exist in SALib only for Morris and Sobol), which keeps the number of factors at ``n`` for large
tables; per-coefficient factors are for small tables.

Seeds are explicit and must be non-zero: SALib treats ``seed=0`` as "no seed" (``if seed:``),
which silently makes results irreproducible.

DGSM needs no sampling here: the derivative ``dm_l/da_ij = m_i l_jl`` is known in closed form
(the field of influence), and at first order ``E[(dm_l/da_ij)^2]`` is its square, so the DGSM
ranking equals :func:`iouq.importance.multiplier_gradient_squares` times the factor variance,
i.e. the first-order variance share of :func:`iouq.importance.variance_shares`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from .importance import ImportanceError, check_p, coefficient_sd, limits_from_q
from .multipliers import leontief_inverse
from .table import IOTable

__all__ = [
    "GROUPINGS",
    "salib_problem",
    "evaluate_multipliers",
    "morris_mu_star",
    "sobol_indices",
    "per_coefficient",
    "ranking_scores",
    "ranking_agreement",
    "salib_columns",
    "factor_count",
    "salib_plan",
]

#: Largest dimension of scipy's Sobol engine (SALib's Saltelli sampler draws 2 x factors).
SOBOL_MAX_DIMENSION: int = 21201
#: Ways to group coefficients into SALib factors.
GROUPINGS: tuple[str, ...] = ("coefficient", "column", "row")


def _check_seed(seed: int) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed <= 0:
        raise ImportanceError(
            f"SALib seed must be a positive integer, got {seed!r} (SALib treats 0 as 'no seed', "
            "which makes results irreproducible)."
        )
    return int(seed)


def _check_tol(tol: float) -> float:
    tol = float(tol)
    if not math.isfinite(tol) or not 0 < tol < 1:
        raise ImportanceError(f"tol must be in (0, 1) for a sensitivity analysis (0.01 means ±1%), got {tol!r}.")
    return tol


def salib_problem(table: IOTable, tol: float, grouping: str = "coefficient") -> tuple[dict, np.ndarray, np.ndarray]:
    """SALib problem of the non-zero coefficients of ``table.A`` on the ±tol box.

    Returns
    -------
    problem : dict
        ``num_vars``, ``names`` (``row|col``), ``bounds`` and, unless per coefficient, ``groups``.
    rows, cols : ndarray of int
        Positions of the factors in ``A`` (row-major order).
    """
    tol = _check_tol(tol)
    if grouping not in GROUPINGS:
        raise ImportanceError(f"unknown grouping '{grouping}'; choose one of {', '.join(GROUPINGS)}.")
    A = table.A
    rows, cols = np.nonzero(A)
    a = A[rows, cols]
    lo = a - tol * np.abs(a)
    hi = a + tol * np.abs(a)
    sec = table.sectors
    problem: dict = {
        "num_vars": int(a.size),
        "names": [f"{sec[i]}|{sec[j]}" for i, j in zip(rows, cols)],
        "bounds": np.column_stack([lo, hi]).tolist(),
    }
    if grouping == "column":
        problem["groups"] = [sec[j] for j in cols]
    elif grouping == "row":
        problem["groups"] = [sec[i] for i in rows]
    return problem, rows, cols


def evaluate_multipliers(
    A: np.ndarray, rows: np.ndarray, cols: np.ndarray, X: np.ndarray, chunk: int = 2048
) -> np.ndarray:
    """Type I output multipliers for every sample row of ``X`` (values of ``A[rows, cols]``).

    Returns
    -------
    ndarray, shape (len(X), n)
    """
    n = A.shape[0]
    out = np.empty((X.shape[0], n))
    ones = np.ones((n, 1))
    eye = np.eye(n)
    step = max(1, min(chunk, int(2e7 // max(n * n, 1))))
    for s in range(0, X.shape[0], step):
        Xs = X[s : s + step]
        As = np.broadcast_to(A, (Xs.shape[0], n, n)).copy()
        As[:, rows, cols] = Xs
        M = eye - As
        # m' (I - A) = 1'  <=>  (I - A)' m = 1
        out[s : s + step] = np.linalg.solve(np.swapaxes(M, 1, 2), np.broadcast_to(ones, (Xs.shape[0], n, 1)))[..., 0]
    return out


def morris_mu_star(
    table: IOTable,
    tol: float,
    seed: int,
    *,
    trajectories: int = 20,
    num_levels: int = 4,
    grouping: str = "coefficient",
    outputs: Sequence[int] | None = None,
) -> tuple[list[str], np.ndarray]:
    """Morris ``mu*`` (mean absolute elementary effect) of every factor for every multiplier.

    Returns
    -------
    names : list of str
        Factor (or group) names in SALib's order.
    mu_star : ndarray, shape (factors, len(outputs))
        ``outputs`` are the indices of the multipliers analysed (default: all ``n``).
    """
    from SALib.analyze import morris as morris_analyze
    from SALib.sample import morris as morris_sample

    seed = _check_seed(seed)
    problem, rows, cols = salib_problem(table, tol, grouping)
    X = morris_sample.sample(problem, N=int(trajectories), num_levels=num_levels, seed=seed)
    Y = evaluate_multipliers(table.A, rows, cols, X)
    cols_out = []
    names: list[str] = []
    for l in range(table.n) if outputs is None else outputs:
        res = morris_analyze.analyze(problem, X, Y[:, l], num_levels=num_levels, seed=seed, num_resamples=10)
        cols_out.append(np.asarray(res["mu_star"], dtype=float))
        names = list(res["names"])
    return names, np.column_stack(cols_out)


def sobol_indices(
    table: IOTable,
    tol: float,
    seed: int,
    *,
    base_samples: int = 128,
    grouping: str = "coefficient",
    outputs: Sequence[int] | None = None,
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Sobol first-order and total indices (Saltelli sampling) of every factor for every multiplier.

    ``base_samples`` must be a power of 2; the model is run ``base_samples * (factors + 2)`` times.

    Returns
    -------
    names : list of str
    S1, ST : ndarray, shape (factors, len(outputs))
        ``outputs`` are the indices of the multipliers analysed (default: all ``n``).
    """
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    seed = _check_seed(seed)
    if base_samples < 2 or base_samples & (base_samples - 1):
        raise ImportanceError(f"Sobol base_samples must be a power of 2 (e.g. 128), got {base_samples!r}.")
    problem, rows, cols = salib_problem(table, tol, grouping)
    if 2 * problem["num_vars"] > SOBOL_MAX_DIMENSION:
        raise ImportanceError(
            f"Sobol sampling of {problem['num_vars']} coefficients needs a {2 * problem['num_vars']}-dimensional "
            f"Sobol sequence, above scipy's limit of {SOBOL_MAX_DIMENSION} (grouping does not reduce the "
            "sampled dimension in SALib); use Morris, the first-order variance shares, or a smaller table."
        )
    X = sobol_sample.sample(problem, base_samples, calc_second_order=False, seed=seed)
    Y = evaluate_multipliers(table.A, rows, cols, X)
    s1, st = [], []
    names = list(dict.fromkeys(problem.get("groups", problem["names"])))
    for l in range(table.n) if outputs is None else outputs:
        res = sobol_analyze.analyze(problem, Y[:, l], calc_second_order=False, num_resamples=10, seed=seed)
        s1.append(np.asarray(res["S1"], dtype=float))
        st.append(np.asarray(res["ST"], dtype=float))
    return names, np.column_stack(s1), np.column_stack(st)


def per_coefficient(table: IOTable, values: np.ndarray) -> np.ndarray:
    """Scatter per-factor values (non-zero coefficients, row-major) into an n x n matrix (NaN elsewhere)."""
    out = np.full(table.A.shape, np.nan)
    out[np.nonzero(table.A)] = values
    return out


# ============================================================================ ranking agreement
def ranking_scores(
    table: IOTable,
    l: int,
    *,
    p: float,
    sd: np.ndarray,
    L: np.ndarray,
    morris: np.ndarray | None = None,
    sobol_total: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Importance scores (higher = more important) of the non-zero coefficients for multiplier ``m_l``.

    * ``tolerable_limit``: ``1 / min(r+, r-)`` with target ``m_l`` alone;
    * ``field_of_influence``: ``|dm_l/da_ij| = |m_i l_jl|``;
    * ``variance_share``: ``sd_ij^2 (m_i l_jl)^2 / Var(m_l)`` (first order);
    * ``morris`` / ``sobol``: ``mu*`` and ``S_T`` of the factors (when given, same order).
    """
    rows, cols = np.nonzero(table.A)
    m = L.sum(axis=0)
    g = np.outer(m, L[:, l])  # dm_l/da_ij = m_i l_jl
    q = np.abs(g) / abs(m[l])
    up, down = limits_from_q(table.A, q, L.T, p)
    r = np.fmin(up, down)
    with np.errstate(divide="ignore"):
        scores = {"tolerable_limit": 1.0 / r[rows, cols]}
    scores["field_of_influence"] = np.abs(g[rows, cols])
    contrib = (sd**2 * g**2)[rows, cols]
    scores["variance_share"] = contrib / contrib.sum() if contrib.sum() > 0 else contrib
    if morris is not None:
        scores["morris"] = np.asarray(morris, dtype=float)
    if sobol_total is not None:
        scores["sobol"] = np.asarray(sobol_total, dtype=float)
    return scores


def _top_k_overlap(a: np.ndarray, b: np.ndarray, k: int) -> float:
    k = min(k, a.size)
    if k == 0:
        return math.nan
    ta = set(np.argsort(-a, kind="stable")[:k].tolist())
    tb = set(np.argsort(-b, kind="stable")[:k].tolist())
    return len(ta & tb) / k


def ranking_agreement(
    table: IOTable,
    tol: float,
    *,
    p: float = 1.0,
    top_k: int = 10,
    distribution: str = "uniform",
    morris: np.ndarray | None = None,
    sobol_total: np.ndarray | None = None,
) -> pd.DataFrame:
    """Spearman rank correlation and top-k overlap between importance rankings, per multiplier.

    Parameters
    ----------
    table : IOTable
    tol : float
        Relative tolerance of the coefficients (variance shares, SALib).
    p : float
        Target tolerance of the tolerable limits, percent.
    top_k : int
        Size of the top sets compared.
    morris, sobol_total : ndarray, shape (nonzero coefficients, n), optional
        Per-coefficient SALib results (from :func:`morris_mu_star` / :func:`sobol_indices` with
        ``grouping='coefficient'``); methods without results are left out.

    Returns
    -------
    DataFrame
        Columns ``sector, multiplier, method_a, method_b, coefficients, spearman, top_k,
        top_k_overlap``; one row per Type I output multiplier and pair of methods.
    """
    p = check_p(p)
    if isinstance(top_k, bool) or not isinstance(top_k, (int, np.integer)) or top_k < 1:
        raise ImportanceError(f"top_k must be a positive integer, got {top_k!r}.")
    L = leontief_inverse(table.A)
    sd = coefficient_sd(table.A, tol, distribution)
    records = []
    for l, sector in enumerate(table.sectors):
        scores = ranking_scores(
            table,
            l,
            p=p,
            sd=sd,
            L=L,
            morris=None if morris is None else morris[:, l],
            sobol_total=None if sobol_total is None else sobol_total[:, l],
        )
        methods = list(scores)
        for ia, a in enumerate(methods):
            for b in methods[ia + 1 :]:
                x, y = scores[a], scores[b]
                if x.size > 1 and np.ptp(x) > 0 and np.ptp(y) > 0:
                    rho = float(spearmanr(x, y).statistic)
                else:
                    rho = math.nan
                records.append(
                    {
                        "sector": sector,
                        "multiplier": "output_type1",
                        "method_a": a,
                        "method_b": b,
                        "coefficients": int(x.size),
                        "spearman": rho,
                        "top_k": int(min(top_k, x.size)),
                        "top_k_overlap": _top_k_overlap(x, y, int(top_k)),
                    }
                )
    return pd.DataFrame.from_records(records)


def salib_columns(
    table: IOTable,
    tol: float,
    seed: int,
    *,
    trajectories: int = 20,
    base_samples: int = 128,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per-coefficient Morris ``mu*`` and Sobol ``S_T``: per multiplier and averaged over multipliers.

    Returns
    -------
    mu_star_mean, st_mean : ndarray, shape (n, n)
        Mean over the Type I output multipliers (NaN for zero coefficients).
    mu_star, st : ndarray, shape (nonzero coefficients, n)
        Per multiplier (for :func:`ranking_agreement`).
    """
    _, mu = morris_mu_star(table, tol, seed, trajectories=trajectories)
    _, _, st = sobol_indices(table, tol, seed, base_samples=base_samples)
    return per_coefficient(table, mu.mean(axis=1)), per_coefficient(table, st.mean(axis=1)), mu, st


def factor_count(table: IOTable) -> int:
    """Number of per-coefficient SALib factors (non-zero coefficients)."""
    return int(np.count_nonzero(table.A))


def salib_plan(table: IOTable, tol: float, max_factors: int) -> tuple[bool, str]:
    """Whether per-coefficient Morris/Sobol is run, and why (for the log).

    Run when ``tol > 0`` and the number of non-zero coefficients is at most ``max_factors``.
    """
    k = factor_count(table)
    if not tol > 0:
        return False, "tol is 0: there is no uncertainty to analyse"
    if k > max_factors:
        return False, (
            f"{k} non-zero coefficients exceed the per-coefficient limit of {max_factors} factors "
            "(importance/salib/max_factors); Sobol would need base_samples * (factors + 2) model runs"
        )
    return True, f"{k} per-coefficient factors"
