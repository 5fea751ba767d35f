"""Bounded reading of input files and bounded YAML composition.

Everything a user names as input (scenario files, price lists, custom workload files, ``batch`` paths) is read
through :func:`read_text`, and all YAML text is composed through :func:`load_yaml`, so hostile or broken input
ends in a located :class:`~recommender.errors.ScenarioError` instead of a hang, a crash or a traceback:

- only regular files are read (a FIFO, ``/dev/zero``, a directory, a symlink loop or a name over 255 bytes is
  an error naming the file), at most :data:`MAX_FILE_BYTES` (10 MB) each;
- text must be UTF-8 without NUL or other control characters (the error names the line);
- YAML nesting deeper than :data:`MAX_DEPTH` levels, more than :data:`MAX_NODES` nodes once aliases are
  expanded (a "billion laughs" alias bomb), an alias inside its own anchor, and integer literals longer than
  :data:`MAX_INT_DIGITS` digits are errors at their line, found while composing, before any expansion.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from contextvars import ContextVar
from typing import Any

from recommender.errors import ScenarioError

#: When set to a list, :func:`read_text` appends every path it reads (the scenario file cache uses it to learn
#: which files a scenario was built from).
FILES_READ: ContextVar[list[str] | None] = ContextVar("FILES_READ", default=None)

__all__ = [
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_INT_DIGITS",
    "MAX_NODES",
    "decode",
    "include_problem",
    "load_yaml",
    "path_kind",
    "path_problem",
    "read_text",
    "real_key",
]

#: Largest input file read (bytes): scenario files, price lists, custom workload files.
MAX_FILE_BYTES = 10 * 1024 * 1024
#: Deepest YAML nesting accepted (mappings and lists inside each other).
MAX_DEPTH = 64
#: Most YAML nodes in one document, counting every alias as the nodes it stands for.
MAX_NODES = 500_000
#: Longest integer literal (digits); Python refuses to convert more than 4,300.
MAX_INT_DIGITS = 100

_INT_TAG = "tag:yaml.org,2002:int"
# Characters YAML 1.2 does not allow in a stream (it allows TAB, LF, CR, NEL and the printable ranges).
_NOT_PRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


# ------------------------------------------------------------------------------------------- files


def _os_problem(exc: OSError) -> str:
    if exc.errno == errno.ENOENT:
        return "file not found"
    if exc.errno == errno.ELOOP:
        return "symbolic link loop (a link that points back to itself)"
    if exc.errno == errno.ENAMETOOLONG:
        return "path too long (at most 255 bytes per file name and 4,096 in all)"
    if exc.errno == errno.ENOTDIR:
        return "file not found (a part of the path is not a directory)"
    if exc.errno == errno.EACCES:
        return "permission denied"
    return f"cannot read: {exc.strerror or exc}"


def _mode_problem(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "is a directory, not a YAML file"
    if stat.S_ISFIFO(mode):
        return "is a FIFO (named pipe), not a regular file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device, not a regular file"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a regular file"
    return "is not a regular file"


def _stat(path: str | os.PathLike[str]) -> os.stat_result | str:
    try:
        return os.stat(path)
    except OSError as exc:
        return _os_problem(exc)
    except ValueError:  # an embedded NUL byte in the path
        return "invalid path (contains a NUL character)"


def path_problem(path: str | os.PathLike[str]) -> str | None:
    """Why ``path`` cannot be read as an input file, or None when it is a regular file within the size limit."""
    st = _stat(path)
    if isinstance(st, str):
        return st
    return _mode_problem(st.st_mode) or _size_problem(st.st_size)


def include_problem(path: str | os.PathLike[str], shown: str) -> str | None:
    """Why a referenced file (price list, custom workload) cannot be read, naming it as ``shown``; or None."""
    problem = path_problem(path)
    if problem is None:
        return None
    if problem == "file not found":
        return f"referenced file not found: {shown}"
    if problem.startswith("is a directory"):
        return f"referenced path is a directory, not a file: {shown}"
    return f"referenced file {shown}: {problem}"


def real_key(path: str | os.PathLike[str]) -> str:
    """The resolved path (symlinks followed) to key a cache by; the path itself when it cannot be resolved."""
    try:
        return os.path.realpath(path)
    except (OSError, ValueError):
        return os.fspath(path)


def path_kind(path: str | os.PathLike[str]) -> str:
    """``"dir"``, ``"file"`` (a regular file), or why the path is neither (an error message)."""
    st = _stat(path)
    if isinstance(st, str):
        return "no such file or directory" if st == "file not found" else st
    if stat.S_ISDIR(st.st_mode):
        return "dir"
    return _mode_problem(st.st_mode) or "file"


def _size_problem(size: int) -> str | None:
    if size > MAX_FILE_BYTES:
        return f"file too large ({size / 1e6:,.1f} MB; input files are limited to {MAX_FILE_BYTES // 2**20} MB)"
    return None


def read_text(path: str | os.PathLike[str], *, file: str) -> str:
    """The UTF-8 text of a regular file of at most :data:`MAX_FILE_BYTES`; ScenarioError naming ``file``.

    Opened without blocking (a FIFO swapped in after the check cannot hang the read) and read with a bound
    (a file that grows while read cannot exhaust memory).
    """
    problem = path_problem(path)
    if problem is not None:
        raise ScenarioError(problem, file=file)
    reads = FILES_READ.get()
    if reads is not None:
        reads.append(os.fspath(path))
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise ScenarioError(_os_problem(exc), file=file) from None
    try:
        problem = _mode_problem(os.fstat(fd).st_mode)
        if problem is not None:
            raise ScenarioError(problem, file=file)
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_FILE_BYTES:
            chunk = os.read(fd, min(1 << 20, MAX_FILE_BYTES + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise ScenarioError(_os_problem(exc), file=file) from None
    finally:
        os.close(fd)
    problem = _size_problem(size)
    if problem is not None:
        raise ScenarioError(problem, file=file)
    return decode(b"".join(chunks), file=file)


def decode(data: bytes, *, file: str) -> str:
    """UTF-8 text without characters YAML forbids; ScenarioError at the line of the first bad byte."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ScenarioError(f"not UTF-8 text (byte 0x{data[exc.start]:02x} at byte {exc.start}: {exc.reason})",
                            file=file, line=line) from None
    check_characters(text, file=file)
    return text


def check_characters(text: str, *, file: str) -> None:
    """ScenarioError at the line of the first NUL or other control character YAML does not allow."""
    bad = _NOT_PRINTABLE.search(text)
    if bad is not None:
        char = bad.group()
        name = "NUL" if char == "\x00" else f"U+{ord(char):04X}"
        line = text.count("\n", 0, bad.start()) + 1
        raise ScenarioError(f"control character {name} is not allowed in YAML (column "
                            f"{bad.start() - text.rfind(chr(10), 0, bad.start())})", file=file, line=line)


# ------------------------------------------------------------------------------------------- YAML

_BRACKETS = re.compile(r"[\[\]{}]")
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")


def check_flow_depth(text: str, *, file: str) -> None:
    """ScenarioError at the line where ``[``/``{`` brackets nest deeper than :data:`MAX_DEPTH`.

    Checked before parsing because ruamel's scanner takes time quadratic in the flow depth (2,000 levels: 4 s)
    before the composer sees the first node. Brackets inside quoted text count too (harmless: nobody quotes
    64 unbalanced brackets).
    """
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return
    import numpy as np

    brackets = np.frombuffer(_NOT_BRACKETS.sub("", text).encode("ascii"), dtype=np.uint8)
    steps = np.where((brackets == ord("[")) | (brackets == ord("{")), 1, -1)
    walk = np.cumsum(steps)
    depth = walk - np.minimum.accumulate(np.minimum(walk, 0))  # a closing bracket never takes depth below 0
    deep = np.flatnonzero(depth > MAX_DEPTH)
    if deep.size:
        start = [m.start() for _, m in zip(range(int(deep[0]) + 1), _BRACKETS.finditer(text), strict=False)][-1]
        line = text.count("\n", 0, start) + 1
        raise ScenarioError(f"nested too deeply (more than {MAX_DEPTH} levels)", file=file, line=line)



def _bounded_composer() -> type:
    from ruamel.yaml.composer import Composer
    from ruamel.yaml.events import AliasEvent

    class BoundedComposer(Composer):  # type: ignore[misc]
        """Counts nodes (an alias counts as the nodes it stands for) and depth while composing."""

        def __init__(self, loader: Any = None) -> None:
            super().__init__(loader)
            self.limit_file = "<string>"
            self._depth = 0
            self._total = 0
            self._weight: dict[int, int] = {}  # id(node) -> nodes it stands for, once composed

        def _fail(self, message: str, mark: Any) -> None:
            raise ScenarioError(message, file=self.limit_file, line=mark.line + 1 if mark is not None else None)

        def _count(self, n: int, mark: Any) -> None:
            self._total += n
            if self._total > MAX_NODES:
                self._fail(f"too many YAML nodes (over {MAX_NODES:,} with aliases expanded; an alias bomb?)", mark)

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.parser.check_event(AliasEvent):
                event = self.parser.peek_event()
                target = self.anchors.get(event.anchor)
                if target is not None:
                    weight = self._weight.get(id(target))
                    if weight is None:
                        self._fail(f"alias *{event.anchor} is inside its own anchor (a recursive structure)",
                                   event.start_mark)
                    self._count(weight, event.start_mark)
                return super().compose_node(parent, index)
            event = self.parser.peek_event()
            self._depth += 1
            if self._depth > MAX_DEPTH:
                self._fail(f"nested too deeply (more than {MAX_DEPTH} levels)", event.start_mark)
            start = self._total
            try:
                self._count(1, event.start_mark)
                node = super().compose_node(parent, index)
            finally:
                self._depth -= 1
            self._weight[id(node)] = self._total - start
            return node

        def compose_scalar_node(self, anchor: Any) -> Any:
            node = super().compose_scalar_node(anchor)
            if node.tag == _INT_TAG:
                digits = sum(c.isdigit() for c in str(node.value))
                if digits > MAX_INT_DIGITS:
                    self._fail(f"integer literal too long ({digits:,} digits; at most {MAX_INT_DIGITS})",
                               node.start_mark)
            return node

    return BoundedComposer


_COMPOSER: type | None = None


def load_yaml(yaml: Any, text: str, *, file: str) -> Any:
    """``yaml.load(text)`` (a ruamel ``YAML`` instance) with the limits above; ScenarioError at the line.

    Syntax errors are ruamel's own (``MarkedYAMLError``), for the caller to translate.
    """
    global _COMPOSER
    from ruamel.yaml.reader import ReaderError

    if len(text) > MAX_FILE_BYTES:
        raise ScenarioError(f"text too long ({len(text):,} characters; at most {MAX_FILE_BYTES:,})", file=file)
    check_characters(text, file=file)
    check_flow_depth(text, file=file)
    if _COMPOSER is None:
        _COMPOSER = _bounded_composer()
    yaml.Composer = _COMPOSER
    yaml.composer.limit_file = file
    try:
        return yaml.load(text)
    except ReaderError as exc:  # pragma: no cover - check_characters finds these first
        line = text.count("\n", 0, exc.position) + 1 if isinstance(exc.position, int) else None
        raise ScenarioError(f"invalid character: {exc.reason}", file=file, line=line) from None
    except RecursionError:  # pragma: no cover - MAX_DEPTH keeps far from Python's limit
        raise ScenarioError(f"nested too deeply (more than {MAX_DEPTH} levels)", file=file) from None
