"""Provenance of a pipeline run: what produced the results.

:func:`provenance` collects the resolved configuration, the iouq version and git commit, the
versions of the numerical libraries, the seed and the sha256 of every input table file;
:func:`provenance_yaml` renders it as YAML (keys in a fixed order, no time stamp, so the same
run gives the same bytes). Written by the pipeline to ``results/provenance.yaml``.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml

__all__ = ["PACKAGES", "sha256_file", "git_commit", "package_versions", "provenance", "provenance_yaml"]

#: Packages whose versions are recorded.
PACKAGES: tuple[str, ...] = ("numpy", "scipy", "pandas", "chaospy", "SALib", "matplotlib", "snakemake")


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Hex sha256 of a file's bytes (read in 1 MiB blocks)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def git_commit(directory: str | os.PathLike[str]) -> dict[str, Any]:
    """``{"commit": <hex or None>, "dirty": <bool or None>}`` of the git work tree at ``directory``
    (``None`` when it is not a git work tree or git is not installed)."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=directory, capture_output=True, text=True,
                                timeout=30, check=True).stdout.strip()
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=directory,
                                capture_output=True, text=True, timeout=30, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}
    return {"commit": commit or None, "dirty": bool(status.strip())}


def package_versions(packages: Iterable[str] = PACKAGES) -> dict[str, str | None]:
    """Installed distribution versions (``None`` for a package that is not installed)."""
    out: dict[str, str | None] = {}
    for name in packages:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def _plain(value: Any) -> Any:
    """The configuration as plain YAML types (Snakemake hands over its own mapping types)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def provenance(config: Mapping[str, Any], inputs: Mapping[str, Iterable[str | os.PathLike[str]]], *,
               source_dir: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """The provenance record of a run.

    Parameters
    ----------
    config : mapping
        The resolved configuration (after validation and defaults).
    inputs : mapping of str to iterable of path
        Dataset name to the files of its table directory.
    source_dir : path, optional
        Directory of the iouq source (its git commit is recorded); default: this package's.

    Returns
    -------
    dict
        Keys ``iouq`` (version, commit, dirty), ``packages``, ``seed``, ``inputs`` (dataset →
        file → sha256; files named relative to their table directory), ``config``.
    """
    from . import __version__

    src = Path(source_dir) if source_dir is not None else Path(__file__).resolve().parent
    files: dict[str, dict[str, str]] = {}
    for dataset, paths in inputs.items():
        files[str(dataset)] = {Path(p).name: sha256_file(p) for p in sorted(paths, key=lambda q: Path(q).name)}
    return {
        "iouq": {"version": __version__, **git_commit(src)},
        "packages": package_versions(),
        "seed": config.get("seed"),
        "inputs": files,
        "config": _plain(config),
    }


def provenance_yaml(record: Mapping[str, Any]) -> str:
    """YAML text of a provenance record (insertion order kept, block style)."""
    return yaml.safe_dump(_plain(record), sort_keys=False, default_flow_style=False, allow_unicode=True)
