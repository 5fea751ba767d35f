"""Atomic file writes: a temporary file in the target's folder, then ``os.replace`` — a reader never sees a
half-written file, and a failed write leaves the old file untouched. Used by every writer of the project."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

_MODE: list[int] = []


def plain_file_mode() -> int:
    """The mode a plain ``open(path, "w")`` would give a new file (0666 less the umask). The umask is read once:
    reading it means setting it, which other threads creating files at that moment would see."""
    if not _MODE:
        umask = os.umask(0o022)
        os.umask(umask)
        _MODE.append(0o666 & ~umask)
    return _MODE[0]


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` (UTF-8, newlines as given) to ``path`` atomically, with a plain file's permissions.

    An :class:`OSError` names ``path`` — the file the caller asked for, never the temporary file.
    """
    target = Path(path)
    try:
        _write(target, text)
    except OSError as exc:
        raise type(exc)(exc.errno, exc.strerror or str(exc), str(target)) from exc


def _write(target: Path, text: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, plain_file_mode())  # mkstemp makes 0600 files
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_atomic(path: str | Path, write: Callable[[Path], None]) -> None:
    """Atomically create ``path`` with a writer that takes a file path (e.g. ``pyarrow.parquet.write_table``):
    ``write`` fills a temporary file beside the target, which is synced and then renamed over it."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, plain_file_mode())  # mkstemp makes 0600 files: sweep parts and CSVs were unreadable to others
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
