"""Command-line interface: output contract, error handling, agreement with the library."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iouq import cli
from iouq.interval import METHODS
from iouq.multipliers import MULTIPLIERS

MULTIPLIER_HEADER = "sector,output_type1,output_type2,income_type1,income_type2"
INTERVAL_HEADER = "sector,lower,upper,exactness"


def run(argv, capsys):
    """Call ``iouq.cli.main(argv)``; return (status, stdout, stderr)."""
    status = cli.main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def read_csv(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), dtype={"sector": str})


def run_module(*args: str) -> subprocess.CompletedProcess:
    """The CLI in a fresh interpreter (what a user's shell sees, tracebacks included)."""
    return subprocess.run(
        [sys.executable, "-m", "iouq.cli", *args], capture_output=True, text=True, timeout=120
    )


# ---------------------------------------------------------------------------- tables
def test_tables_lists_bundled_tables(capsys):
    status, out, err = run(["tables"], capsys)
    assert status == 0 and err == ""
    df = read_csv(out)
    assert list(df.columns) == ["name", "n", "households", "form", "description"]
    assert {"miernyk", "bea2002-sector", "bea2002-summary", "germany1995"} <= set(df["name"])


# ---------------------------------------------------------------------------- multipliers
def test_multipliers_header_and_values(capsys):
    status, out, err = run(["multipliers", "miernyk"], capsys)
    assert status == 0 and err == ""
    assert out.splitlines()[0] == MULTIPLIER_HEADER
    df = read_csv(out)
    assert list(df["sector"]) == ["1", "2", "3", "4", "5", "6"]
    # Type II output multipliers exceed Type I ones (household spending adds rounds).
    assert (df["output_type2"] > df["output_type1"]).all()
    assert (df["output_type1"] > 1).all()


def test_multipliers_print_round_trip_precision(capsys):
    from iouq.multipliers import point_multipliers
    from iouq.tables import load_table

    _, out, _ = run(["multipliers", "miernyk"], capsys)
    expected = point_multipliers(load_table("miernyk"))
    got = read_csv(out)
    for m in MULTIPLIERS:  # %.17g round-trips every double exactly
        assert np.array_equal(got[m].to_numpy(float), expected[m].to_numpy(float), equal_nan=True)


def test_multipliers_of_table_directory(tmp_path, capsys):
    from iouq.tables import load_table, write_table_dir

    directory = write_table_dir(load_table("miernyk"), tmp_path / "mytable")
    _, by_path, _ = run(["multipliers", str(directory)], capsys)
    _, by_name, _ = run(["multipliers", "miernyk"], capsys)
    assert by_path == by_name


def test_undefined_multipliers_are_empty_cells(tmp_path, capsys):
    from iouq.table import IOTable
    from iouq.tables import write_table_dir

    table = IOTable(name="nohh", sectors=("a", "b"), A=np.array([[0.1, 0.2], [0.3, 0.1]]))
    directory = write_table_dir(table, tmp_path / "nohh")
    status, out, _ = run(["multipliers", str(directory)], capsys)
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == MULTIPLIER_HEADER
    for line in lines[1:]:  # no households: only output_type1 is defined
        code, o1, o2, i1, i2 = line.split(",")
        assert float(o1) > 1 and o2 == i1 == i2 == ""


# ---------------------------------------------------------------------------- interval
@pytest.mark.parametrize("method", METHODS)
def test_interval_header_and_order(method, capsys):
    status, out, err = run(
        ["interval", "miernyk", "--tol", "0.01", "--multiplier", "output_type1", "--method", method], capsys
    )
    assert status == 0 and err == ""
    assert out.splitlines()[0] == INTERVAL_HEADER
    df = read_csv(out)
    assert (df["lower"] <= df["upper"]).all()
    assert set(df["exactness"]) <= {"exact", "enclosure"}


@pytest.mark.parametrize("multiplier", MULTIPLIERS)
def test_tol_zero_gives_point_multipliers(multiplier, capsys):
    """A zero-width box gives the point multiplier: lower == upper == point, up to rounding.

    Exact equality is not asserted: the sharp method evaluates the two bounds by different
    floating-point routes (they can differ by an ulp or two) and the verified method returns
    a rigorous enclosure a few ulps wide.
    """
    _, out, _ = run(["multipliers", "miernyk"], capsys)
    point = read_csv(out).set_index("sector")[multiplier]
    for method in METHODS:
        status, out, err = run(
            ["interval", "miernyk", "--tol", "0", "--multiplier", multiplier, "--method", method], capsys
        )
        assert status == 0, err
        df = read_csv(out).set_index("sector")
        assert list(df.index) == list(point.index)
        assert (df["lower"] <= df["upper"]).all()
        np.testing.assert_allclose(df["lower"], point, rtol=1e-13, atol=0, err_msg=method)
        np.testing.assert_allclose(df["upper"], point, rtol=1e-13, atol=0, err_msg=method)
        if method == "verified":  # rigorous: contains the (float) point value
            assert (df["lower"] <= point).all() and (point <= df["upper"]).all()


def test_interval_sharp_inside_naive(capsys):
    def bounds(method):
        _, out, _ = run(
            ["interval", "miernyk", "--tol", "0.05", "--multiplier", "income_type2", "--method", method], capsys
        )
        return read_csv(out)

    naive, sharp = bounds("naive"), bounds("sharp")
    assert (naive["lower"] <= sharp["lower"] + 1e-12).all()
    assert (sharp["upper"] <= naive["upper"] + 1e-12).all()


# ---------------------------------------------------------------------------- errors
@pytest.mark.parametrize("tol", ["-1", "-0.01", "nan", "inf"])
def test_bad_tolerance_is_an_error(tol, capsys):
    status, out, err = run(
        ["interval", "miernyk", "--tol", tol, "--multiplier", "output_type1", "--method", "sharp"], capsys
    )
    assert status == 2 and out == ""
    assert err.startswith("iouq: error: ") and "--tol" in err
    assert "Traceback" not in err


def test_non_number_tolerance_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["interval", "miernyk", "--tol", "abc", "--multiplier", "output_type1", "--method", "sharp"])
    assert exc.value.code == 2
    assert "invalid tolerance value" in capsys.readouterr().err


def test_too_large_tolerance_is_an_error(capsys):
    status, _, err = run(
        ["interval", "miernyk", "--tol", "1.5", "--multiplier", "output_type1", "--method", "sharp"], capsys
    )
    assert status == 2 and err.startswith("iouq: error: ")


@pytest.mark.parametrize("command", [["multipliers"], ["interval", "--tol", "0.01", "--multiplier",
                                                        "output_type1", "--method", "sharp"]])
def test_bad_table_path_exits_2_without_traceback(command, tmp_path):
    missing = tmp_path / "no_such_table"
    proc = run_module(*command[:1], str(missing), *command[1:])
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith("iouq: error: ")
    assert str(missing) in proc.stderr
    assert "Traceback" not in proc.stderr


def test_malformed_table_directory_exits_2(tmp_path):
    directory = tmp_path / "broken"
    directory.mkdir()
    (directory / "table.yaml").write_text("form: coefficients\n")
    (directory / "A.csv").write_text("code,a,b\na,0.1,x\nb,0.2,0.1\n")
    proc = run_module("multipliers", str(directory))
    assert proc.returncode == 2
    assert proc.stderr.startswith("iouq: error: ") and "A.csv" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_type2_without_households_is_an_error(tmp_path, capsys):
    from iouq.table import IOTable
    from iouq.tables import write_table_dir

    table = IOTable(name="nohh", sectors=("a", "b"), A=np.array([[0.1, 0.2], [0.3, 0.1]]))
    directory = write_table_dir(table, tmp_path / "nohh")
    status, out, err = run(
        ["interval", str(directory), "--tol", "0.01", "--multiplier", "income_type2", "--method", "naive"], capsys
    )
    assert status == 2 and out == ""
    assert err.startswith("iouq: error: ") and "household" in err


def test_unknown_choices_are_usage_errors(capsys):
    for argv in (
        ["interval", "miernyk", "--tol", "0.01", "--multiplier", "output", "--method", "sharp"],
        ["interval", "miernyk", "--tol", "0.01", "--multiplier", "output_type1", "--method", "exact"],
        [],
    ):
        with pytest.raises(SystemExit) as exc:
            cli.main(argv)
        assert exc.value.code == 2
    capsys.readouterr()


def test_console_script_is_installed():
    script = Path(sys.executable).with_name("iouq")
    if not script.exists():
        script = shutil.which("iouq")
    if script is None:
        pytest.skip("console script 'iouq' not installed next to this interpreter")
    proc = subprocess.run([str(script), "multipliers", "miernyk"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == MULTIPLIER_HEADER
