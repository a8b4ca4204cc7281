"""Run names, job sizes and the SLURM profile: dry runs of the real Snakefile."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
RULE_FILES = sorted((REPO / "workflow" / "rules").glob("*.smk"))


def snakemake(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Dry runs of the real Snakefile and default config in an empty directory (so that a run in
    the repository, with its .snakemake state, cannot interfere)."""
    return subprocess.run([sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"),
                           "--configfile", str(REPO / "config" / "config.yaml"), *args],
                          cwd=cwd, capture_output=True, text=True, timeout=300)


def jobs(text: str) -> list[dict[str, str]]:
    """The jobs of a dry run: rule name, output line and resources line."""
    out, cur = [], None
    for line in text.splitlines():
        m = re.match(r"^(?:local)?rule (\w+):", line)
        if m:
            cur = {"rule": m.group(1)}
            out.append(cur)
        elif cur is not None and line.strip().startswith(("output:", "resources:", "log:")):
            key, _, val = line.strip().partition(":")
            cur[key] = val.strip()
    return out


def test_every_rule_declares_threads_and_sized_resources():
    for path in RULE_FILES:
        text = path.read_text()
        for block in re.split(r"\n(?=rule \w+:)", text)[1:]:
            name = block.split(":")[0]
            assert "\n    threads:" in block, f"{path.name}: {name} has no threads"
            assert re.search(r"resources:\s*\n\s+mem_mb=.*\n\s+runtime=", block), f"{path.name}: {name} resources"


def test_slurm_profile_dry_run_sizes_every_job(tmp_path):
    import snakemake_executor_plugin_slurm  # noqa: F401  (a test dependency: the profile needs it)

    proc = snakemake("--profile", str(REPO / "profiles" / "slurm"), "-n", "--forceall", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    planned = [j for j in jobs(proc.stdout + proc.stderr) if j["rule"] != "all"]
    assert len(planned) > 40
    sizes = {}
    for j in planned:
        res = j.get("resources", "")
        mem = int(re.search(r"mem_mb=(\d+)", res).group(1))
        runtime = int(re.search(r"runtime=(\d+)", res).group(1))
        assert mem >= 500 and runtime >= 3, j
        if j["rule"] == "stochastic_table":
            sizes[re.search(r"results/([^/]+)/", j["output"]).group(1)] = (mem, runtime)
    # sized from n: the 133-sector table asks for more than the 6-sector one
    assert sizes["bea2002-summary"][0] > sizes["miernyk"][0]
    assert sizes["bea2002-summary"][1] > sizes["miernyk"][1]


def test_run_name_moves_every_result_and_log(tmp_path):
    proc = snakemake("-n", "--forceall", "--cores", "1", "--config", "run=sweep-1", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    planned = [j for j in jobs(proc.stdout + proc.stderr) if j["rule"] != "all"]
    assert planned
    for j in planned:
        for path in re.split(r",\s*", j["output"]):
            assert path.startswith("results/sweep-1/"), j
        for path in re.split(r",\s*", j["log"]):
            assert path.startswith("logs/sweep-1/"), j


def test_default_run_writes_to_results(tmp_path):
    proc = snakemake("-n", "--forceall", "--cores", "1", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    planned = [j for j in jobs(proc.stdout + proc.stderr) if j["rule"] != "all"]
    assert planned and all(j["output"].startswith("results/") and not j["output"].startswith("results/results")
                           for j in planned)
    assert all(j["log"].startswith("logs/") for j in planned)


def test_bad_run_name_fails_naming_the_key(tmp_path):
    proc = snakemake("-n", "--cores", "1", "--config", "run=../elsewhere", cwd=tmp_path)
    assert proc.returncode != 0
    assert "run" in (proc.stdout + proc.stderr) and "invalid configuration" in (proc.stdout + proc.stderr)


def test_no_rule_or_script_hard_codes_results_or_logs():
    for path in [*RULE_FILES, REPO / "Snakefile"]:
        for i, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("#")[0]
            if path.name == "common.smk" and "run_prefixes" in "".join(path.read_text().splitlines()[max(0, i - 8):i]):
                continue
            assert not re.search(r"""["'](results|logs)/""", code), f"{path.name}:{i}: {line.strip()}"


def test_sweep_config_validates_and_is_a_named_run():
    import jsonschema

    schema = yaml.safe_load((REPO / "workflow" / "schemas" / "config.schema.yaml").read_text())
    merged = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    sweep = yaml.safe_load((REPO / "config" / "sweep.yaml").read_text())
    merged.update(sweep)
    jsonschema.Draft202012Validator(schema).validate(merged)
    assert sweep["run"] and len(sweep["tolerances"]) > 3
