"""Point multipliers against published tables and textbook numbers."""

from __future__ import annotations

from importlib.resources import files

import numpy as np
import pandas as pd
import pytest

from iouq.errors import NotProductiveError
from iouq.multipliers import leontief_inverse, multiplier_values, point_multipliers
from iouq.table import IOTable
from iouq.tables import load_table

MB_A = np.array([[0.15, 0.25], [0.2, 0.05]])


def test_bea_output_multipliers_match_published_total_requirements() -> None:
    """Column sums of BEA's published industry-by-industry total requirements (sector level,
    no suppressed cells): 15 cells of 6-7 decimals, so 15 * 5e-7 at most."""
    T = load_table("bea2002-sector")
    pub = pd.read_csv(files("iouq") / "data/bea2002-sector/published_L.csv", dtype={"code": str}).set_index("code")
    assert list(pub.columns) == list(T.sectors)
    pm = point_multipliers(T)
    np.testing.assert_allclose(pm.output_type1, pub.to_numpy().sum(axis=0), atol=15 * 5e-7)
    np.testing.assert_allclose(leontief_inverse(T.A), pub.to_numpy(), atol=5e-7)


def test_bea_summary_inverse_with_suppressed_cells() -> None:
    T = load_table("bea2002-summary")
    pub = pd.read_csv(files("iouq") / "data/bea2002-summary/published_L.csv", dtype={"code": str}).set_index("code")
    L = leontief_inverse(T.A)
    mask = pub.notna().to_numpy()
    assert np.max(np.abs(L[mask] - pub.to_numpy()[mask])) <= 5e-7
    full = mask.all(axis=0)
    pm = point_multipliers(T)
    np.testing.assert_allclose(pm.output_type1[full], pub.to_numpy()[:, full].sum(axis=0), atol=133 * 5e-7)


def test_miller_blair_output_and_income_multipliers() -> None:
    """methods.md 1.3: h = (.3, .25), c = (.05, .40), a_hh = .05; Miyazawa: Y2/Y1 = lbar_hh."""
    T = IOTable(
        name="mb", sectors=("1", "2"), A=MB_A,
        household_income=[0.3, 0.25], household_consumption=[0.05, 0.40], household_self=0.05,
    )
    pm = point_multipliers(T)
    np.testing.assert_allclose(pm.output_type1, [1.518152, 1.452145], atol=1e-6)
    np.testing.assert_allclose(pm.income_type1, [1.4741, 1.5182], atol=1e-4)
    np.testing.assert_allclose(pm.income_type2, [1.8995, 1.9562], atol=1e-4)
    np.testing.assert_allclose(pm.income_type2 / pm.income_type1, 1.2885, atol=1e-4)
    Lbar = np.linalg.inv(np.eye(3) - T.closed_matrix())
    np.testing.assert_allclose(Lbar[:, 0], [1.3651, 0.5273, 0.5698], atol=1e-4)
    np.testing.assert_allclose(pm.output_type2, Lbar[:2, :2].sum(axis=0), rtol=1e-14)


def test_germany_income_multiplier_from_published_structure() -> None:
    """(h'L)_j = income_type1_j * h_j, with h = D1/P1 computed here from the bundled flows."""
    T = load_table("germany1995")
    L = np.linalg.inv(np.eye(6) - T.A)
    h = T.value_added.loc["D1"].to_numpy(dtype=float) / T.output
    np.testing.assert_allclose(multiplier_values(T, "income_type1") * h, h @ L, rtol=1e-13)


def test_undefined_income_multiplier_is_nan_not_error() -> None:
    T = load_table("bea2002-summary")
    pm = point_multipliers(T)
    zero = T.household_income == 0
    assert zero.any()
    assert pm.income_type1[zero].isna().all() and pm.income_type2[zero].isna().all()
    assert pm.output_type1.notna().all()


def test_non_productive_matrix_is_rejected() -> None:
    with pytest.raises(NotProductiveError, match="spectral radius"):
        leontief_inverse(np.array([[0.6, 0.6], [0.6, 0.6]]))
