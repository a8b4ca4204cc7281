"""Writing result files atomically.

A result file is either complete or absent: it is written to a temporary file in the same
directory and then moved into place with :func:`os.replace` (atomic on POSIX and Windows when
source and target are on the same file system). A failed or interrupted run therefore never
leaves a half-written CSV or figure that a later step, or a reader, could mistake for a result.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import pandas as pd

__all__ = ["CSV_FLOAT_FORMAT", "remove_stale_temporaries", "write_csv_atomic", "write_figure_atomic"]

#: Float format of result CSVs: 10 significant digits (relative rounding error below 5e-10,
#: far below any tolerance the methods are run at).
CSV_FLOAT_FORMAT = "%.10g"


def _temp_pattern(target: Path) -> re.Pattern[str]:
    """Names of the temporary files :func:`_write_atomic` makes for ``target``."""
    return re.compile(r"\." + re.escape(target.name) + r"\.[A-Za-z0-9_]{8}\.tmp")


def remove_stale_temporaries(path: str | os.PathLike[str]) -> list[Path]:
    """Delete temporary files left next to ``path`` by an earlier writer that was killed
    (SIGKILL, power loss) before it could clean up. Returns the removed paths.

    Only names of the form ``.{name}.XXXXXXXX.tmp`` of this very target are touched; a workflow
    manager runs one job per output, so no live writer owns them.
    """
    target = Path(path)
    removed: list[Path] = []
    if not target.parent.is_dir():
        return removed
    pattern = _temp_pattern(target)
    for entry in target.parent.iterdir():
        if pattern.fullmatch(entry.name):
            try:
                entry.unlink()
                removed.append(entry)
            except FileNotFoundError:  # pragma: no cover - removed concurrently
                pass
    return removed


class _Terminated(BaseException):
    """Raised in the writing thread when SIGTERM arrives, so that the temporary file is removed."""


@contextlib.contextmanager
def _sigterm_raises() -> Iterator[None]:
    """While writing, turn SIGTERM into an exception (main thread only), then restore the handler.

    After cleanup the process ends with the conventional status of SIGTERM (128 + 15).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise _Terminated()

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    except _Terminated:
        signal.signal(signal.SIGTERM, previous)
        raise SystemExit(128 + signal.SIGTERM) from None
    finally:
        signal.signal(signal.SIGTERM, previous)


def _write_atomic(path: str | os.PathLike[str], write: Callable[[IO[bytes]], None]) -> Path:
    """Call ``write(handle)`` on a temporary file next to ``path``, then move it to ``path``.

    Stale temporaries of the same target (from a killed earlier run) are removed first; SIGTERM
    while writing removes the temporary file before the process ends.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(target)
    with _sigterm_raises():
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                write(handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp_name, 0o666 & ~_umask())
            os.replace(tmp_name, target)
        except BaseException:
            try:
                os.unlink(tmp_name)
            except FileNotFoundError:
                pass
            raise
    return target


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_csv_atomic(
    df: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    columns: Sequence[str] | None = None,
    float_format: str = CSV_FLOAT_FORMAT,
) -> Path:
    """Write ``df`` as CSV to ``path`` atomically.

    Parameters
    ----------
    df : DataFrame
        The result. Rows are written in the order given (callers produce a deterministic
        order); the index is not written.
    path : path-like
        Target file; missing parent directories are created.
    columns : sequence of str, optional
        The exact columns to write, in this order (a result file's contract). A missing
        column raises :class:`KeyError` before anything is written.
    float_format : str
        printf-style format of floating-point cells (default ``%.10g``). Missing values
        (NaN) are written as empty cells.

    Returns
    -------
    Path
        The target path.
    """
    if columns is not None:
        missing = [c for c in columns if c not in df.columns]
        if missing:
            raise KeyError(f"cannot write {os.fspath(path)}: result lacks columns {missing}")
        df = df.loc[:, list(columns)]
    text = df.to_csv(index=False, float_format=float_format, lineterminator="\n", na_rep="")
    return _write_atomic(path, lambda handle: handle.write(text.encode("utf-8")))


def write_figure_atomic(fig: Any, path: str | os.PathLike[str], **savefig_kwargs: Any) -> Path:
    """Save a matplotlib figure to ``path`` atomically.

    The format is taken from the file suffix (``.png``, ``.pdf``, ``.svg``, ...); extra
    keyword arguments go to :meth:`matplotlib.figure.Figure.savefig`. The figure is not closed.
    """
    target = Path(path)
    fmt = savefig_kwargs.pop("format", None) or target.suffix.lstrip(".").lower() or "png"
    savefig_kwargs.setdefault("dpi", 150)
    savefig_kwargs.setdefault("bbox_inches", "tight")
    return _write_atomic(target, lambda handle: fig.savefig(handle, format=fmt, **savefig_kwargs))


def write_text_atomic(text: str, path: str | os.PathLike[str]) -> Path:
    """Write ``text`` (UTF-8, written as given) to ``path`` atomically (LaTeX tables, YAML)."""
    return _write_atomic(path, lambda handle: handle.write(text.encode("utf-8")))


__all__.append("write_text_atomic")
