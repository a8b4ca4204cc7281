"""A corpus of bad and hostile inputs: tables, CLI options and configurations.

Every case must end with exit status 2, nothing on standard output, no traceback, and one
message that names the problem (checked by a substring). CLI cases run ``iouq.cli.main``
in-process; configuration cases run ``snakemake -n`` (the checks happen before any job).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from iouq import cli
from iouq.table import IOTable
from iouq.tables import bundled_path, write_table_dir

REPO = Path(__file__).resolve().parents[1]
GERMANY = bundled_path("germany1995")


def run_cli(argv: list[str], capsys) -> tuple[int, str, str]:
    try:
        status = cli.main(argv)
    except SystemExit as exc:  # argparse usage errors
        status = exc.code
    out, err = capsys.readouterr()
    return status, out, err


def assert_refused(status: int, out: str, err: str, message: str) -> None:
    assert status == 2, (status, out, err)
    assert out == "", out
    assert "Traceback" not in err and "File \"" not in err, err
    assert message in err, err
    assert "iouq: error:" in err, err


# ============================================================================ tables
def _copy_germany(tmp_path: Path) -> Path:
    d = tmp_path / "tab"
    shutil.copytree(GERMANY, d)
    return d


def _set_cell(path: Path, row: int, col: int, text: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    cells = lines[row].split(",")
    cells[col] = text
    lines[row] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


CELL_CASES = [
    ("1_0", "not plain decimal numbers"),
    ("１０", "not plain decimal numbers"),       # full-width digits
    ("٣", "not plain decimal numbers"),          # Arabic-Indic digit
    ("１.5", "not plain decimal numbers"),
    ("1,000", "cells"),                          # a thousands separator splits the row
    ("12%", "not plain decimal numbers"),
    ("0x10", "not plain decimal numbers"),
    ("1.2.3", "not plain decimal numbers"),
    ("--1", "not plain decimal numbers"),
    ("1e", "not plain decimal numbers"),
    ("e5", "not plain decimal numbers"),
    ("5 t", "not plain decimal numbers"),
    ("NaN", "NaN or infinite"),
    ("inf", "NaN or infinite"),
    ("-Infinity", "NaN or infinite"),
    ("1e999", "NaN or infinite"),
    ("", "empty cells"),
    ("   ", "empty cells"),
]


@pytest.mark.parametrize("text, message", CELL_CASES)
def test_bad_cell_in_z(tmp_path, capsys, text, message):
    d = _copy_germany(tmp_path)
    _set_cell(d / "Z.csv", 2, 3, text)
    assert_refused(*run_cli(["multipliers", str(d)], capsys), message)


@pytest.mark.parametrize("filename", ["final_demand.csv", "value_added.csv", "output.csv"])
def test_bad_cell_in_other_files_names_the_file(tmp_path, capsys, filename):
    d = _copy_germany(tmp_path)
    _set_cell(d / filename, 1, 1, "1_000")
    assert_refused(*run_cli(["multipliers", str(d)], capsys), filename)


def _edit(path: Path, fn) -> None:
    path.write_text(fn(path.read_text(encoding="utf-8")), encoding="utf-8")


TABLE_CASES = [
    ("duplicate column code", lambda d: _edit(d / "Z.csv", lambda s: s.replace("CPA_F,", "CPA_A,", 1)), "duplicate"),
    ("ragged row", lambda d: _edit(d / "Z.csv", lambda s: s.replace("\nCPA_A,1131.0,", "\nCPA_A,1131.0,9,", 1)), "cells but the header has"),
    ("non-square", lambda d: _edit(d / "Z.csv", lambda s: "\n".join(",".join(l.split(",")[:-1]) for l in s.splitlines()) + "\n"), "not square"),
    ("row order", lambda d: _swap_rows(d / "Z.csv"), "different order"),
    ("fd codes", lambda d: _edit(d / "final_demand.csv", lambda s: s.replace("\nCPA_A,", "\nCPA_X,", 1)), "do not match"),
    ("va codes", lambda d: _edit(d / "value_added.csv", lambda s: s.replace("CPA_F", "CPA_Q", 1)), "do not match"),
    ("negative output", lambda d: _set_cell(d / "output.csv", 1, 1, "-5"), "output must be positive"),
    ("zero output", lambda d: _set_cell(d / "output.csv", 2, 1, "0"), "output must be positive"),
    ("output header is data", lambda d: _edit(d / "output.csv", lambda s: "\n".join(s.splitlines()[1:]) + "\n"), "first line is data"),
    ("missing Z", lambda d: (d / "Z.csv").unlink(), "Z.csv: file not found"),
    ("missing table.yaml", lambda d: (d / "table.yaml").unlink(), "table.yaml"),
    ("bad form", lambda d: _edit(d / "table.yaml", lambda s: s.replace("form: flows", "form: flow")), "form"),
    ("unknown key", lambda d: _edit(d / "table.yaml", lambda s: s + "colour: blue\n"), "colour"),
    ("consumption code", lambda d: _edit(d / "table.yaml", lambda s: s.replace("'P3_S14'", "'P3_XX'")), "P3_XX"),
    ("income code", lambda d: _edit(d / "table.yaml", lambda s: s.replace("income: 'D1'", "income: 'D9'")), "D9"),
    ("empty Z", lambda d: (d / "Z.csv").write_text(""), "empty"),
    ("latin-1 bytes", lambda d: (d / "Z.csv").write_bytes((d / "Z.csv").read_bytes().replace(b"CPA_A,1131", b"CPA_\xe9,1131")), "UTF-8"),
    ("non-productive", lambda d: _edit(d / "output.csv", _shrink_output), "not productive"),
]


def _swap_rows(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1], lines[2] = lines[2], lines[1]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _shrink_output(text: str) -> str:
    lines = text.splitlines()
    code, value = lines[2].split(",")
    lines[2] = f"{code},{float(value) / 5:.1f}"  # manufacturing output far below its inputs
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("label, mutate, message", TABLE_CASES, ids=[c[0] for c in TABLE_CASES])
def test_malformed_table(tmp_path, capsys, label, mutate, message):
    d = _copy_germany(tmp_path)
    mutate(d)
    assert_refused(*run_cli(["multipliers", str(d)], capsys), message)


def test_overflowing_row_sums_name_the_file_and_the_cause(tmp_path, capsys):
    d = _copy_germany(tmp_path)
    (d / "output.csv").unlink()  # output = row sums
    _set_cell(d / "Z.csv", 1, 1, "1.7e308")
    _set_cell(d / "Z.csv", 1, 2, "1.7e308")
    status, out, err = run_cli(["multipliers", str(d)], capsys)
    assert_refused(status, out, err, "overflows double precision")
    assert "Z.csv" in err and "RuntimeWarning" not in err


def test_overflowing_coefficient_names_the_cell(tmp_path, capsys):
    d = _copy_germany(tmp_path)
    _set_cell(d / "Z.csv", 1, 1, "1e300")
    _set_cell(d / "output.csv", 1, 1, "1e-300")
    status, out, err = run_cli(["multipliers", str(d)], capsys)
    assert_refused(status, out, err, "overflows double precision")
    assert "CPA_A" in err


def test_table_path_is_a_file(tmp_path, capsys):
    f = tmp_path / "table.csv"
    f.write_text("x\n")
    assert_refused(*run_cli(["multipliers", str(f)], capsys), "is a file, not a table directory")


def test_type2_on_table_without_households(tmp_path, capsys):
    d = write_table_dir(IOTable(name="nohh", sectors=("a", "b"), A=np.array([[0.1, 0.2], [0.3, 0.1]])), tmp_path / "nohh")
    assert_refused(*run_cli(["interval", str(d), "--tol", "0.01", "--multiplier", "output_type2", "--method", "sharp"], capsys),
                   "no household")


def test_household_closure_not_productive_says_why(tmp_path, capsys):
    t = IOTable(name="hh", sectors=("1", "2"), A=[[0.2, 0.1], [0.1, 0.3]], household_income=[0.6, 0.6],
                household_consumption=[0.7, 0.7])
    d = write_table_dir(t, tmp_path / "hh")
    status, out, err = run_cli(["interval", str(d), "--tol", "0.01", "--multiplier", "income_type2", "--method",
                                "sharp"], capsys)
    assert_refused(status, out, err, "household-closed")
    assert "itself is not productive" in err and "below -" not in err


# ============================================================================ CLI options
CLI_CASES = [
    (["interval", "miernyk", "--tol", "-1", "--multiplier", "output_type1", "--method", "sharp"], "--tol must be"),
    (["interval", "miernyk", "--tol", "nan", "--multiplier", "output_type1", "--method", "sharp"], "--tol must be"),
    (["interval", "miernyk", "--tol", "inf", "--multiplier", "output_type1", "--method", "sharp"], "--tol must be"),
    (["interval", "miernyk", "--tol", "1", "--multiplier", "output_type1", "--method", "sharp"], "below 1"),
    (["interval", "miernyk", "--tol", "abc", "--multiplier", "output_type1", "--method", "sharp"], "invalid tolerance value"),
    (["interval", "miernyk", "--tol", "0.01", "--multiplier", "bogus", "--method", "sharp"], "unknown multiplier 'bogus'"),
    (["interval", "miernyk", "--tol", "0.01", "--multiplier", "output_type1", "--method", "bogus"], "invalid choice"),
    (["interval", "miernyk", "--tol", "0.6", "--multiplier", "output_type2", "--method", "sharp"], "Productivity is lost at tolerance"),
    (["interval", "no-such-table", "--tol", "0.01", "--multiplier", "output_type1", "--method", "sharp"], "neither a bundled table"),
    (["stochastic", "miernyk", "--tol", "0.01", "--multiplier", "output_type1", "--distribution", "uniform",
      "--method", "montecarlo", "--samples", "0"], "positive integer"),
    (["stochastic", "miernyk", "--tol", "0.01", "--multiplier", "output_type1", "--distribution", "uniform",
      "--method", "montecarlo", "--seed", "-1"], "seed"),
    (["stochastic", "miernyk", "--tol", "0.01", "--multiplier", "output_type1", "--distribution", "uniform",
      "--method", "montecarlo", "--chunk-size", "0"], "chunk size"),
    (["stochastic", "miernyk", "--tol", "0.01", "--multiplier", "output_type1", "--distribution", "cauchy",
      "--method", "montecarlo"], "invalid choice"),
    (["stochastic", "miernyk", "--tol", "0.3", "--multiplier", "output_type2", "--distribution", "uniform",
      "--method", "montecarlo", "--samples", "200"], "Productivity is lost at tolerance 0.182212"),
    (["stochastic", "miernyk", "--tol", "0.3", "--multiplier", "output_type2", "--distribution", "beta",
      "--method", "perturbation"], "Productivity is lost at tolerance 0.182212"),
    (["stochastic", "miernyk", "--tol", "0.3", "--multiplier", "output_type2", "--distribution", "uniform",
      "--method", "pce", "--samples", "200"], "Productivity is lost at tolerance 0.182212"),
    (["stochastic", "miernyk", "--tol", "0.9", "--multiplier", "output_type2", "--distribution", "normal",
      "--method", "montecarlo", "--samples", "1000"], "more than the 1% that Monte Carlo accepts"),
    (["stochastic", "miernyk", "--tol", "-0.1", "--multiplier", "output_type1", "--distribution", "uniform",
      "--method", "montecarlo"], "--tol must be"),
    (["importance", "miernyk", "--p", "0"], "p must be"),
    (["importance", "miernyk", "--p", "-1"], "p must be"),
    (["importance", "miernyk", "--p", "nan"], "p must be"),
    (["importance", "miernyk", "--target", "bogus"], "unknown target 'bogus'"),
    (["multipliers"], "required"),
    (["bogus-command"], "invalid choice"),
]


@pytest.mark.parametrize("argv, message", CLI_CASES, ids=[" ".join(a[:1] + a[-3:]) for a, _ in CLI_CASES])
def test_bad_cli_options(capsys, argv, message):
    status, out, err = run_cli(argv, capsys)
    assert status == 2, (status, out, err)
    assert out == ""
    assert "Traceback" not in err
    assert message in err, err


# ============================================================================ configurations
def _snakemake_dry(config: dict, tmp_path: Path) -> subprocess.CompletedProcess:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return subprocess.run(
        [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "-n", "--configfile", str(path)],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )


CONFIG_CASES = [
    ({"seed": 0}, "key 'seed': 0 with SALib on"),
    ({"importance": {"agreement_tol": "1.5"}}, "key 'importance/agreement_tol'"),
    ({"importance": {"bands": [20, 10, 5]}}, "key 'importance/bands'"),
    ({"datasets": ["miernyk"], "tolerances": ["0.01", "0.3"]}, "Productivity is lost at tolerance 0.182212"),
    ({"tolerances": ["1.5"]}, "outside 0 <= t < 1"),
    ({"tolerence": ["0.1"]}, "'tolerence' was unexpected"),
]


@pytest.mark.parametrize("change, message", CONFIG_CASES, ids=[next(iter(c)) for c, _ in CONFIG_CASES])
def test_bad_config_stops_before_any_job(tmp_path, change, message):
    base = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    config = {**base, "datasets": ["miernyk"]}
    for key, value in change.items():
        config[key] = {**config[key], **value} if isinstance(value, dict) and key in config else value
    proc = _snakemake_dry(config, tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and 'File "' not in proc.stderr, proc.stderr
    assert message in proc.stderr, proc.stderr
    assert "iouq: error:" not in proc.stdout


@pytest.mark.parametrize("broken", ["cell", "non-productive"])
def test_broken_table_in_datasets_stops_with_the_message_alone(tmp_path, broken):
    d = _copy_germany(tmp_path)
    if broken == "cell":
        _set_cell(d / "Z.csv", 2, 3, "1_0")
        message = "not plain decimal numbers"
    else:
        _edit(d / "output.csv", _shrink_output)
        message = "not productive"
    base = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    proc = _snakemake_dry({**base, "datasets": [str(d)]}, tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and 'File "' not in proc.stderr, proc.stderr
    assert message in proc.stderr and "Z.csv" in proc.stderr
