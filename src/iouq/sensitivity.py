"""Global sensitivity of the output multipliers with SALib, and agreement between rankings.

The uncertain factors are the non-zero coefficients of ``A``, each uniform on
``[a - tol|a|, a + tol|a|]`` (the interval family's box). The model output is the vector of
Type I output multipliers ``m' = 1'(I - A)^-1``, evaluated for a whole sample at once with
stacked linear solves. Factors can be grouped by column or by row of ``A`` (true group indices
exist in SALib only for Morris and Sobol), which keeps the number of factors at ``n`` for large
tables; per-coefficient factors are for small tables.

Seeds are explicit and must be non-zero: SALib treats ``seed=0`` as "no seed" (``if seed:``),
which silently makes results irreproducible.

Large tables (grouped analysis, :func:`group_sobol`, :func:`group_morris`): SALib's samplers
work in the space of all coefficients (17,689 at n = 133: beyond the 21,201 dimensions of scipy's
Sobol engine for Saltelli sampling, and about 20 s per ten Morris trajectories), and its
analysers would process that many columns per output. Grouped by column (or row), the designs
are built here instead and every design point is evaluated with a rank-one (Sherman–Morrison)
update, because moving one group changes one column (row) of ``A``:

* Sobol (Saltelli's A, B, AB_g scheme, ``calc_second_order=False``): pseudo-random base matrices
  ``A`` and ``B`` (one ``numpy.random.Generator`` from the seed; a Sobol sequence would need
  2 x 17,689 dimensions), ``AB_g`` = ``A`` with group ``g`` taken from ``B``; two inverses per
  base sample, then ``m_AB_g = m_A + (m_A'δ_g)/(1 - (L_A δ_g)_g) L_A[g, :]`` for all ``g``.
  The indices are SALib's estimators (``SALib.analyze.sobol``) applied to these outputs, with
  a group-level problem (the AB_g layout is all that the estimators use), evaluated for all
  multipliers at once by :func:`saltelli_indices` (equal to SALib's, tested; SALib's per-output
  call with its bootstrap intervals was most of the run time on large tables).
* Morris (groups in the sense of Campolongo et al. 2007): trajectories on a ``num_levels`` grid;
  every coefficient has its own base level and direction, and all coefficients of a group
  move together by ``Δ = num_levels / (2 (num_levels - 1))`` (in units of the box); ``L`` is
  updated along the trajectory by rank-one steps. ``mu*`` of a group is SALib's
  (``SALib.analyze.morris``) on the group-level steps: SALib's grouped ``mu*`` is the mean over
  the group's members of the same ``|Δy| / Δ``, so the two coincide.

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
    "group_sobol",
    "group_morris",
    "group_variance_shares",
    "group_agreement",
    "group_salib_columns",
    "group_ranking_agreement",
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
    from .interval import check_box_productive

    tol = _check_tol(tol)
    if grouping not in GROUPINGS:
        raise ImportanceError(f"unknown grouping '{grouping}'; choose one of {', '.join(GROUPINGS)}.")
    check_box_productive(table.A, tol, f"table '{table.name}'")  # every SALib sample is productive
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


def saltelli_indices(Y: np.ndarray, factors: int) -> tuple[np.ndarray, np.ndarray]:
    """First-order and total Sobol indices of every output column from Saltelli-ordered runs.

    The estimators of ``SALib.analyze.sobol.analyze(..., calc_second_order=False)`` (Saltelli
    et al. 2010, first order; Jansen 1999, total, as in SALib), on the outputs standardised as
    SALib does, evaluated for all columns at once and without SALib's bootstrap confidence
    intervals (not used here). The tests check equality with SALib.

    Parameters
    ----------
    Y : ndarray, shape (N * (factors + 2), outputs)
        Runs in SALib's order: per base sample ``A``, ``AB_1 .. AB_factors``, ``B``.
    factors : int

    Returns
    -------
    S1, ST : ndarray, shape (factors, outputs)
        Zero where an output does not vary (SALib's convention).

    References
    ----------
    Saltelli, A. et al. (2010), Variance based sensitivity analysis of model output. Design and
    estimator for the total sensitivity index, *Computer Physics Communications* 181, 259-270.
    """
    Y = np.asarray(Y, dtype=float)
    if Y.ndim == 1:
        Y = Y[:, None]
    step = factors + 2
    if Y.shape[0] % step:
        raise ImportanceError(f"{Y.shape[0]} runs are not a multiple of factors + 2 = {step}.")
    with np.errstate(divide="ignore", invalid="ignore"):  # a constant output: 0/0, reported as 0
        Y = (Y - Y.mean(axis=0)) / Y.std(axis=0)
    Yr = Y.reshape(-1, step, Y.shape[1])  # (N, factors + 2, outputs)
    A, B, AB = Yr[:, 0, :], Yr[:, -1, :], Yr[:, 1:-1, :]
    y = np.concatenate([A, B])
    var = np.var(y, axis=0)
    eps = np.finfo(float).eps
    varies = (np.ptp(y, axis=0) > eps) & (var > eps)
    with np.errstate(divide="ignore", invalid="ignore"):
        s1 = np.mean(B[:, None, :] * (AB - A[:, None, :]), axis=0) / var
        st = 0.5 * np.mean((A[:, None, :] - AB) ** 2, axis=0) / var
    return np.where(varies, s1, 0.0), np.where(varies, st, 0.0)


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
    names = list(dict.fromkeys(problem.get("groups", problem["names"])))
    cols_out = np.arange(table.n) if outputs is None else np.asarray(list(outputs), dtype=int)
    s1, st = saltelli_indices(Y[:, cols_out], len(names))
    return names, s1, st


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


# ============================================================================ grouped analysis (large tables)
def _groups(
    table: IOTable, tol: float, grouping: str
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Group names, positions ``rows, cols`` of the non-zero coefficients, the group index of each
    and the column (row) of ``A`` of each group."""
    from .interval import check_box_productive

    tol = _check_tol(tol)
    if grouping not in ("column", "row"):
        raise ImportanceError(f"grouped analysis needs grouping 'column' or 'row', got {grouping!r}.")
    check_box_productive(table.A, tol, f"table '{table.name}'")  # every draw is productive
    rows, cols = np.nonzero(table.A)
    key = cols if grouping == "column" else rows
    present = np.unique(key)
    gid = np.searchsorted(present, key)
    names = [table.sectors[k] for k in present]
    return names, rows, cols, gid, present


def _draw(table: IOTable, rows: np.ndarray, cols: np.ndarray, r: np.ndarray, U: np.ndarray) -> np.ndarray:
    """Matrices ``A`` with ``a_k = a - r + 2 r u_k`` at the non-zero positions, for each row of ``U``."""
    A = np.broadcast_to(table.A, (U.shape[0],) + table.A.shape).copy()
    A[:, rows, cols] = table.A[rows, cols] - r + 2.0 * r * U
    return A


def _outputs(outputs: Sequence[int] | None, n: int) -> np.ndarray:
    out = np.arange(n) if outputs is None else np.asarray(list(outputs), dtype=int)
    if out.size and (out.min() < 0 or out.max() >= n):
        raise ImportanceError(f"output indices must lie in 0..{n - 1}, got {list(out)}.")
    return out


def group_sobol(
    table: IOTable,
    tol: float,
    seed: int,
    *,
    base_samples: int = 256,
    grouping: str = "column",
    outputs: Sequence[int] | None = None,
    batch: int = 32,
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Sobol first-order and total indices of coefficient groups (columns or rows) for the Type I
    output multipliers, at any table size (see the module docstring).

    The coefficients are independent and uniform on the ±tol box; the model is evaluated
    ``base_samples * (groups + 2)`` times at the cost of ``2 * base_samples`` inverses.

    Returns
    -------
    names : list of str
        Group names (sector codes of the columns or rows that have non-zero coefficients).
    S1, ST : ndarray, shape (groups, len(outputs))
    """
    seed = _check_seed(seed)
    if isinstance(base_samples, bool) or not isinstance(base_samples, (int, np.integer)) or base_samples < 2:
        raise ImportanceError(f"base_samples must be an integer >= 2, got {base_samples!r}.")
    if isinstance(batch, bool) or not isinstance(batch, (int, np.integer)) or batch < 1:
        raise ImportanceError(f"batch must be a positive integer, got {batch!r}.")
    names, rows, cols, _, present = _groups(table, tol, grouping)
    out = _outputs(outputs, table.n)
    G, n = len(names), table.n
    r = tol * np.abs(table.A[rows, cols])
    rng = np.random.default_rng(seed)
    Y = np.empty((base_samples, G + 2, out.size))
    eye = np.eye(n)
    for s0 in range(0, base_samples, batch):
        b = min(batch, base_samples - s0)
        UA, UB = rng.random((b, rows.size)), rng.random((b, rows.size))
        MA, MB = _draw(table, rows, cols, r, UA), _draw(table, rows, cols, r, UB)
        LA = np.linalg.inv(eye - MA)
        mA, mB = LA.sum(axis=1), np.linalg.inv(eye - MB).sum(axis=1)
        D = MB - MA
        if grouping == "column":  # column g changes by delta_g = D[:, g]
            num = np.einsum("bk,bkg->bg", mA, D)[:, present]
            den = 1.0 - np.einsum("bgk,bkg->bg", LA, D)[:, present]
            mAB = mA[:, None, :] + (num / den)[:, :, None] * LA[:, present, :]
        else:  # row g changes by delta_g' = D[g, :]
            DL = D @ LA
            den = 1.0 - np.einsum("bgg->bg", DL)[:, present]
            mAB = mA[:, None, :] + (mA[:, present] / den)[:, :, None] * DL[:, present, :]
        Y[s0 : s0 + b, 0] = mA[:, out]
        Y[s0 : s0 + b, 1 : G + 1] = mAB[:, :, out]
        Y[s0 : s0 + b, G + 1] = mB[:, out]
    Yf = Y.reshape(-1, out.size)
    with np.errstate(invalid="ignore", divide="ignore"):
        s1, st = saltelli_indices(Yf, G)
    # a multiplier that does not vary (e.g. a sector without inputs) has no indices
    const = ~(np.ptp(Yf, axis=0) > 0)
    s1[:, const] = np.nan
    st[:, const] = np.nan
    return names, s1, st


def _morris_trajectory(
    table: IOTable,
    rows: np.ndarray,
    cols: np.ndarray,
    r: np.ndarray,
    gid: np.ndarray,
    present: np.ndarray,
    grouping: str,
    start: np.ndarray,
    step: np.ndarray,
    order: np.ndarray,
) -> np.ndarray:
    """Type I output multipliers along one group trajectory, shape (groups + 1, n).

    The coefficients start at ``a - r + 2 r start`` (``start`` in units of the box); at step
    ``j`` every coefficient of group ``order[j]`` moves by ``2 r step``: one column (row) of ``A``
    changes, and ``L`` is updated by Sherman–Morrison instead of re-inverted.
    """
    n = table.n
    L = np.linalg.inv(np.eye(n) - _draw(table, rows, cols, r, start[None, :])[0])
    Y = np.empty((len(order) + 1, n))
    Y[0] = L.sum(axis=0)
    for j, g in enumerate(order):
        k = np.flatnonzero(gid == g)
        d = np.zeros(n)
        if grouping == "column":  # A + d e_c'
            d[rows[k]] = 2.0 * r[k] * step[k]
            Ld = L @ d
            L = L + np.outer(Ld, L[present[g], :]) / (1.0 - Ld[present[g]])
        else:  # A + e_r d'
            d[cols[k]] = 2.0 * r[k] * step[k]
            dL = d @ L
            L = L + np.outer(L[:, present[g]], dL) / (1.0 - dL[present[g]])
        Y[j + 1] = L.sum(axis=0)
    return Y


def group_morris(
    table: IOTable,
    tol: float,
    seed: int,
    *,
    trajectories: int = 20,
    num_levels: int = 4,
    grouping: str = "column",
    outputs: Sequence[int] | None = None,
) -> tuple[list[str], np.ndarray]:
    """Morris ``mu*`` of coefficient groups (columns or rows) for the Type I output multipliers,
    at any table size (see the module docstring).

    Returns
    -------
    names : list of str
    mu_star : ndarray, shape (groups, len(outputs))
    """
    seed = _check_seed(seed)
    if isinstance(trajectories, bool) or not isinstance(trajectories, (int, np.integer)) or trajectories < 2:
        raise ImportanceError(f"trajectories must be an integer >= 2, got {trajectories!r}.")
    if isinstance(num_levels, bool) or not isinstance(num_levels, (int, np.integer)) or num_levels < 2 or num_levels % 2:
        raise ImportanceError(f"num_levels must be an even integer >= 2 (e.g. 4), got {num_levels!r}.")
    names, rows, cols, gid, present = _groups(table, tol, grouping)
    out = _outputs(outputs, table.n)
    G = len(names)
    r = tol * np.abs(table.A[rows, cols])
    delta = num_levels / (2.0 * (num_levels - 1))
    base_levels = np.arange(num_levels // 2) / (num_levels - 1)  # base + delta stays in [0, 1]
    rng = np.random.default_rng(seed)
    Y = np.empty((trajectories, G + 1, out.size))
    orders = np.empty((trajectories, G), dtype=np.int64)
    for t in range(trajectories):
        base = rng.choice(base_levels, size=rows.size)
        up = rng.random(rows.size) < 0.5
        orders[t] = order = rng.permutation(G)
        start = np.where(up, base, base + delta)
        step = np.where(up, delta, -delta)
        Y[t] = _morris_trajectory(table, rows, cols, r, gid, present, grouping, start, step, order)[:, out]
    return names, morris_steps_mu_star(Y, orders, num_levels)


def morris_steps_mu_star(Y: np.ndarray, orders: np.ndarray, num_levels: int = 4) -> np.ndarray:
    """Morris ``mu*`` of every factor and output from one-factor-at-a-time trajectories whose
    factor ``orders[t, j]`` rises by ``Δ = num_levels / (2 (num_levels - 1))`` at step ``j``.

    What ``SALib.analyze.morris.analyze`` returns as ``mu_star`` for the design
    ``X[t, j + 1:, orders[t, j]] = Δ`` (the elementary effect of the factor moved at step ``j``
    is ``(Y[t, j + 1] - Y[t, j]) / Δ``; ``mu*`` is the mean of its absolute value over the
    trajectories), for all outputs at once and without SALib's bootstrap confidence interval
    (not used here). The tests check equality with SALib.

    Parameters
    ----------
    Y : ndarray, shape (trajectories, factors + 1, outputs)
    orders : ndarray of int, shape (trajectories, factors)
        A permutation of the factors per trajectory.

    Returns
    -------
    ndarray, shape (factors, outputs)

    References
    ----------
    Campolongo, F., Cariboni, J. & Saltelli, A. (2007), An effective screening design for
    sensitivity analysis of large models, *Environmental Modelling & Software* 22, 1509-1518.
    """
    Y = np.asarray(Y, dtype=float)
    T, G = orders.shape
    delta = num_levels / (2.0 * (num_levels - 1))
    ee = np.empty((G, T, Y.shape[2]))
    steps = (Y[:, 1:, :] - Y[:, :-1, :]) / delta  # (T, G, outputs): effect of the j-th step
    for t in range(T):
        ee[orders[t], t, :] = steps[t]
    return np.abs(ee).mean(axis=1)


def group_variance_shares(table: IOTable, tol: float, grouping: str = "column",
                          distribution: str = "uniform") -> tuple[list[str], np.ndarray]:
    """First-order variance shares of coefficient groups, per Type I output multiplier.

    ``share_g,l = sum_(i,j in g) sd_ij^2 (m_i l_jl)^2 / Var(m_l)`` (analytic; at small
    tolerances the Sobol indices of the groups tend to these, which the tests use).

    Returns
    -------
    names : list of str
    shares : ndarray, shape (groups, n)
    """
    names, rows, cols, gid, _ = _groups(table, tol, grouping)
    L = leontief_inverse(table.A)
    m = L.sum(axis=0)
    sd = coefficient_sd(table.A, tol, distribution)[rows, cols]
    contrib = (sd * m[rows])[:, None] ** 2 * L[cols, :] ** 2  # (factors, n): sd^2 (m_i l_jl)^2
    G = len(names)
    shares = np.zeros((G, table.n))
    np.add.at(shares, gid, contrib)
    total = shares.sum(axis=0)
    return names, np.divide(shares, total, out=np.zeros_like(shares), where=total > 0)


def group_agreement(
    table: IOTable,
    scores: dict[str, np.ndarray],
    *,
    top_k: int = 10,
) -> pd.DataFrame:
    """Spearman correlation and top-k overlap between group-level rankings, per multiplier.

    ``scores`` maps a method name (e.g. ``variance_share_column``) to an array (groups, n).
    Columns as :func:`ranking_agreement` (``coefficients`` is the number of groups).
    """
    records = []
    methods = list(scores)
    for l, sector in enumerate(table.sectors):
        for ia, a in enumerate(methods):
            for b in methods[ia + 1 :]:
                x, y = scores[a][:, l], scores[b][:, l]
                ok = np.isfinite(x) & np.isfinite(y)
                x, y = x[ok], y[ok]
                rho = float(spearmanr(x, y).statistic) if x.size > 1 and np.ptp(x) > 0 and np.ptp(y) > 0 else math.nan
                records.append({
                    "sector": sector, "multiplier": "output_type1", "method_a": a, "method_b": b,
                    "coefficients": int(x.size), "spearman": rho, "top_k": int(min(top_k, x.size)),
                    "top_k_overlap": _top_k_overlap(x, y, int(top_k)),
                })
    return pd.DataFrame.from_records(records)


def group_salib_columns(
    table: IOTable,
    tol: float,
    seed: int,
    *,
    grouping: str = "column",
    trajectories: int = 20,
    base_samples: int = 256,
) -> tuple[np.ndarray, np.ndarray, list[str], np.ndarray, np.ndarray]:
    """Grouped Morris ``mu*`` and Sobol ``S_T`` for large tables, also spread over the coefficients.

    Returns
    -------
    mu_coef, st_coef : ndarray, shape (n, n)
        Every non-zero coefficient carries its group's value, averaged over the Type I output
        multipliers (outputs with zero variance, e.g. a sector without inputs, are skipped);
        NaN for zero coefficients.
    names : list of str
        Group names.
    mu, st : ndarray, shape (groups, n)
        Per group and multiplier (for :func:`group_agreement`).
    """
    names, mu = group_morris(table, tol, seed, trajectories=trajectories, grouping=grouping)
    _, _, st = group_sobol(table, tol, seed, base_samples=base_samples, grouping=grouping)
    _, rows, cols, gid, _ = _groups(table, tol, grouping)
    with np.errstate(invalid="ignore"):
        mu_mean = np.nanmean(np.where(np.isfinite(mu), mu, np.nan), axis=1)
        st_mean = np.nanmean(np.where(np.isfinite(st), st, np.nan), axis=1)
    mu_coef = np.full(table.A.shape, np.nan)
    st_coef = np.full(table.A.shape, np.nan)
    mu_coef[rows, cols] = mu_mean[gid]
    st_coef[rows, cols] = st_mean[gid]
    return mu_coef, st_coef, names, mu, st


def group_ranking_agreement(
    table: IOTable,
    tol: float,
    seed: int,
    *,
    grouping: str = "column",
    trajectories: int = 20,
    base_samples: int = 256,
    top_k: int = 10,
    distribution: str = "uniform",
) -> pd.DataFrame:
    """Group-level agreement of the first-order variance shares, Morris ``mu*`` and Sobol ``S_T``
    (rows ``variance_share_<grouping>``, ``morris_<grouping>``, ``sobol_<grouping>`` in the
    layout of :func:`ranking_agreement`)."""
    _, mu = group_morris(table, tol, seed, trajectories=trajectories, grouping=grouping)
    _, _, st = group_sobol(table, tol, seed, base_samples=base_samples, grouping=grouping)
    _, shares = group_variance_shares(table, tol, grouping, distribution)
    scores = {f"variance_share_{grouping}": shares, f"morris_{grouping}": mu, f"sobol_{grouping}": st}
    return group_agreement(table, scores, top_k=top_k)
