"""Sector aggregation of an input-output table in flow form.

Aggregating sums the flows: with ``S`` the 0/1 aggregation matrix (``S[g, i] = 1`` when sector
``i`` belongs to group ``g``), ``Z' = S Z S'``, ``F' = S F``, ``V' = V S'`` and ``x' = S x``
(Miller & Blair 2009, *Input-Output Analysis*, 2nd ed., §4.3, "aggregation matrix"). The
coefficients are recomputed from the aggregated flows, ``a'_gh = z'_gh / x'_h``; the household
closure is recomputed from the aggregated income row and consumption column exactly as
:mod:`iouq.tables` does for any flow table.

The mapping used by the dynamic-model experiment (Fuentes & Martínez Pellégrini 2021: primary,
secondary, tertiary; SCIAN 11 / 21-23, 31-33 / 43-93, dynamic.md §3.3) on the 15 BEA 2002
sectors is :data:`BEA2002_3SECTOR` (the bundled table ``bea2002-3sector`` is built with it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import IOUQError
from ..table import IOTable

__all__ = ["BEA2002_3SECTOR", "THREE_SECTOR_NAMES", "aggregate", "aggregation_matrix"]

#: bea2002-sector code -> group of the 3-sector (primary, secondary, tertiary) aggregate.
#: Primary: agriculture, forestry, fishing and hunting (SCIAN/NAICS 11). Secondary: mining (21),
#: utilities (22), construction (23), manufacturing (31-33). Tertiary: every service sector,
#: including government (NAICS 42-92 and the BEA government industries).
BEA2002_3SECTOR: dict[str, str] = {
    "01": "1", "02": "2", "03": "2", "04": "2", "05": "2",
    **{f"{i:02d}": "3" for i in range(6, 16)},
}

#: Names of the three groups of :data:`BEA2002_3SECTOR`.
THREE_SECTOR_NAMES: dict[str, str] = {"1": "Primary", "2": "Secondary", "3": "Tertiary"}


def aggregation_matrix(sectors: Sequence[str], mapping: Mapping[str, str]) -> tuple[np.ndarray, list[str]]:
    """The 0/1 aggregation matrix of ``mapping`` (sector code -> group code).

    Returns
    -------
    S : ndarray, shape (groups, n)
        ``S[g, i] = 1`` when sector ``i`` belongs to group ``g``.
    groups : list of str
        Group codes in order of first appearance along ``sectors``.

    Raises
    ------
    IOUQError
        If a sector has no group or the mapping names sectors the table does not have.
    """
    sectors = [str(s) for s in sectors]
    missing = [s for s in sectors if s not in mapping]
    if missing:
        raise IOUQError(f"aggregation mapping has no group for sectors {missing}; map every sector code to a group.")
    extra = sorted(set(map(str, mapping)) - set(sectors))
    if extra:
        raise IOUQError(f"aggregation mapping names sectors {extra} that the table does not have; remove them.")
    groups: list[str] = []
    for s in sectors:
        g = str(mapping[s])
        if g not in groups:
            groups.append(g)
    S = np.zeros((len(groups), len(sectors)))
    for i, s in enumerate(sectors):
        S[groups.index(str(mapping[s])), i] = 1.0
    return S, groups


def aggregate(table: IOTable, mapping: Mapping[str, str], name: str | None = None,
              description: str = "") -> IOTable:
    """Aggregate a flow-form table by summing its flows over groups of sectors.

    Parameters
    ----------
    table : IOTable
        A table with gross output (flow form, or coefficient form with ``output.csv``).
    mapping : mapping of str to str
        Group code of every sector code.
    name, description : str
        Name and description of the aggregate (default: ``<name>-agg``).

    Returns
    -------
    IOTable
        Aggregated table: ``A' = (S Z S') diag(S x)^-1`` with ``Z = A diag(x)``; final demand and
        value added summed; households (income row ``w``, consumption column ``f_h``) closed as
        ``h'_g = w'_g / x'_g``, ``c'_g = f'_h,g / sum w``.

    Raises
    ------
    IOUQError
        If the table has no gross output, or the mapping is incomplete.
    """
    if table.output is None:
        raise IOUQError(
            f"table '{table.name}' has no gross output, so its flows cannot be summed; aggregate a "
            "flow-form table (Z.csv, final_demand.csv) or add output.csv."
        )
    S, groups = aggregation_matrix(table.sectors, mapping)
    x = np.asarray(table.output, dtype=float)
    Z = np.asarray(table.A) * x[None, :]
    xg = S @ x
    Ag = (S @ Z @ S.T) / xg[None, :]
    fd = va = None
    if table.final_demand is not None:
        fd = pd.DataFrame(S @ table.final_demand.to_numpy(dtype=float), index=groups,
                          columns=list(table.final_demand.columns))
    if table.value_added is not None:
        va = pd.DataFrame(table.value_added.to_numpy(dtype=float) @ S.T, index=list(table.value_added.index),
                          columns=groups)
    h = c = None
    if table.has_households:
        # income flows w_j = h_j x_j and consumption flows f_h,i = c_i * (sum w) are summed.
        w = np.asarray(table.household_income) * x
        fh = np.asarray(table.household_consumption) * w.sum()
        wg, fhg = S @ w, S @ fh
        h, c = wg / xg, fhg / wg.sum()
    meta = dict(table.meta)
    meta["aggregated_from"] = table.name
    meta["description"] = description or f"{table.name} aggregated to {len(groups)} sectors"
    return IOTable(
        name=name or f"{table.name}-agg", sectors=tuple(groups), A=Ag, household_income=h,
        household_consumption=c, household_self=table.household_self if h is not None else 0.0,
        output=xg, final_demand=fd, value_added=va, units=table.units,
        source=(table.source + f"; aggregated to {len(groups)} sectors").strip("; "),
        household_label=table.household_label, meta=meta,
    )
