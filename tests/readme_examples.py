"""Keep README.md's example outputs equal to what the code prints now.

A README code block is *checked* when the line just before its opening fence is an HTML comment:

``<!-- example -->``
    a console block: every line starting with ``$ recommender …`` is run in-process (click's ``CliRunner``
    isolation around ``recommender.cli.run``, the real entry point with its exit codes) and the lines after it,
    up to the next ``$`` line, are what it prints: stdout and stderr interleaved, as a terminal shows them.
``<!-- example: stdout -->`` / ``<!-- example: stderr -->``
    the same, showing only one stream (e.g. only the located error lines of an invalid file).
``<!-- example-python: CODE -->``
    the block is what ``CODE`` prints (``exec`` in a fresh namespace; the comment may span several lines).
``<!-- example-script: benchmarks/SCRIPT.py ARGS -->``
    the block is what the checkout's script prints when run as ``python SCRIPT.py ARGS`` (in-process, ``runpy``).

The block is the fenced code block right after the marker, or, when no fence follows (a Markdown table a script
prints), every line up to the closing ``<!-- /example -->``.

Every command runs with the current directory at a scratch folder holding links to the checkout's
``examples/`` and ``tests/`` (so relative paths print as in the README and ``--out`` files land there), the real
shipped catalog (``MLPERF_RECOMMENDER_CATALOG`` unset), the fitted model from ``$MLPERF_RECOMMENDER_CACHE``
(fitted first, so no "fitting…" line appears), no colour, and no terminal: the CLI's rich tables then take
their fixed non-terminal widths (120 columns for ``optimize``, 200 for ``catalog``).

Normalisation, the only one: trailing spaces at line ends are dropped (rich pads table cells to the width) and
so are trailing blank lines. Output that varies from run to run (timings, absolute paths) must not be in a
marked block.

    python tests/readme_examples.py            # check; exit 1 with a diff per stale block
    python tests/readme_examples.py --write    # rewrite the stale blocks in README.md

``--write`` then lists the README lines outside the marked blocks that quote a figure a rewritten block no
longer shows (the prose is never rewritten: read those sentences and mend them by hand).

``tests/test_readme_examples.py`` runs the check.
"""

from __future__ import annotations

import contextlib
import difflib
import io
import os
import re
import runpy
import shlex
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"

#: Environment of every example: no colour, no user catalog, no debug tracebacks, a fixed terminal size.
ENV: dict[str, str | None] = {
    "NO_COLOR": "1", "FORCE_COLOR": None, "TTY_COMPATIBLE": None, "TTY_INTERACTIVE": None,
    "MLPERF_RECOMMENDER_CATALOG": None, "RECOMMENDER_DEBUG": None, "COLUMNS": "200", "LINES": "50",
}
#: Folders of the checkout linked into the scratch working directory.
LINKED = ("examples", "tests")

_MARKER = re.compile(r"<!--\s*example(?:-(?P<kind>python|script))?\s*(?::(?P<arg>.*?))?\s*-->\s*$", re.DOTALL)
_END = "<!-- /example -->"
_STREAMS = ("output", "stdout", "stderr")


class ExampleError(Exception):
    """A marked block that cannot be run (bad marker, a command other than ``recommender``, a crash)."""


@dataclass(frozen=True)
class Block:
    """One marked README block. Line numbers count from 1 (as editors show them)."""

    marker_line: int
    kind: str  # "console", "python" or "script"
    arg: str  # console: the stream ("output", "stdout", "stderr"); python: the code; script: path and arguments
    first: int  # first content line (1-based); the closing fence or end marker is at first + len(content)
    content: tuple[str, ...]

    @property
    def where(self) -> str:
        return f"README.md:{self.marker_line}"


def find_blocks(text: str) -> list[Block]:
    """Every marked block of ``text`` (a README), in order."""
    lines = text.split("\n")
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        if not lines[i].lstrip().startswith("<!-- example"):
            i += 1
            continue
        start = i
        while "-->" not in lines[i]:
            i += 1
            if i == len(lines):
                raise ExampleError(f"README.md:{start + 1}: example marker is never closed with -->")
        blocks.append(_block(lines, start, i))
        i += 1
    return blocks


def _block(lines: list[str], start: int, end: int) -> Block:
    comment = "\n".join(lines[start:end + 1]).strip()
    m = _MARKER.fullmatch(comment)
    if m is None:
        raise ExampleError(f"README.md:{start + 1}: unreadable example marker {comment[:60]!r}")
    first, closer = end + 1, _END
    if first < len(lines) and lines[first].startswith("```"):
        first, closer = first + 1, "```"
    elif m.group("kind") is None:
        raise ExampleError(f"README.md:{start + 1}: an example marker must be followed at once by a ``` fence")
    close = first
    while close < len(lines) and lines[close] != closer:
        close += 1
    if close == len(lines):
        raise ExampleError(f"README.md:{start + 1}: example block is never closed with {closer}")
    kind, arg = m.group("kind") or "console", (m.group("arg") or "").strip()
    if kind == "console":
        arg = arg or "output"
        if arg not in _STREAMS:
            raise ExampleError(f"README.md:{start + 1}: example stream must be one of {', '.join(_STREAMS)}")
    elif not arg:
        raise ExampleError(f"README.md:{start + 1}: example-{kind} needs its {kind} after the colon")
    return Block(start + 1, kind, arg, first + 1, tuple(lines[first:close]))


def _normalise(text: str) -> list[str]:
    """Lines with trailing spaces dropped, without trailing blank lines (the one normalisation)."""
    out = [line.rstrip() for line in text.split("\n")]
    while out and not out[-1]:
        out.pop()
    return out


@contextlib.contextmanager
def _isolated() -> Iterator[tuple[io.BytesIO, io.BytesIO, io.BytesIO]]:
    from click.testing import CliRunner

    with CliRunner().isolation(env=ENV) as streams:
        yield streams


@contextlib.contextmanager
def _scratch_cwd() -> Iterator[Path]:
    old = Path.cwd()
    with tempfile.TemporaryDirectory(prefix="readme-examples-") as tmp:
        for name in LINKED:
            (Path(tmp) / name).symlink_to(REPO / name, target_is_directory=True)
        os.chdir(tmp)
        try:
            yield Path(tmp)
        finally:
            os.chdir(old)


def _warm_model() -> None:
    """Load (or fit) the performance model once, so no command prints the one-time "fitting…" line."""
    import catalog
    from recommender.performance.store import default_model

    with _isolated():
        default_model(catalog.load())


def run_command(line: str, stream: str, where: str) -> list[str]:
    """The block lines for one ``$ recommender …`` line: the line itself, then what the command prints."""
    from recommender.cli import run

    argv = shlex.split(line[2:], comments=True)
    if not argv or argv[0] != "recommender":
        raise ExampleError(f"{where}: only `$ recommender …` commands can be run, not {line!r}")
    with _isolated() as (stdout, stderr, output):
        code = run(argv[1:])
    chosen = {"output": output, "stdout": stdout, "stderr": stderr}[stream]
    text = chosen.getvalue().decode("utf-8", "replace")
    if code == 3:  # an internal error never belongs in a README
        raise ExampleError(f"{where}: {line!r} failed: {text.strip()[-300:]}")
    return [line.rstrip(), *_normalise(text)]


def run_python(code: str, where: str) -> list[str]:
    """What ``code`` prints."""
    buf = io.StringIO()
    with _isolated(), contextlib.redirect_stdout(buf):
        try:
            exec(compile(code, where, "exec"), {"__name__": "__readme__"})  # noqa: S102 - README's own code
        except Exception as exc:
            raise ExampleError(f"{where}: the example's code raised {type(exc).__name__}: {exc}") from exc
    return _normalise(buf.getvalue())


def run_script(spec: str, where: str) -> list[str]:
    """What ``python SCRIPT ARGS`` prints (stdout), the script run in this process."""
    argv = shlex.split(spec)
    path = (REPO / argv[0]).resolve()
    if path.suffix != ".py" or not path.is_file() or REPO not in path.parents:
        raise ExampleError(f"{where}: example-script needs a .py file of the checkout, not {argv[0]!r}")
    buf, old_argv = io.StringIO(), sys.argv
    sys.argv = [str(path), *argv[1:]]
    try:
        with _isolated(), contextlib.redirect_stdout(buf):
            runpy.run_path(str(path), run_name="__main__")
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise ExampleError(f"{where}: {spec!r} exited with {exc.code}") from exc
    finally:
        sys.argv = old_argv
    return _normalise(buf.getvalue())


def render(block: Block) -> list[str]:
    """The lines the block should hold now."""
    if block.kind == "python":
        return run_python(block.arg, block.where)
    if block.kind == "script":
        return run_script(block.arg, block.where)
    commands = [(n, line) for n, line in enumerate(block.content) if line.startswith("$ ")]
    if not commands:
        raise ExampleError(f"{block.where}: a console example needs at least one `$ recommender …` line")
    if commands[0][0] != 0:
        raise ExampleError(f"{block.where}: a console example must start with its `$` line")
    lines: list[str] = []
    for n, line in commands:
        lines += run_command(line, block.arg, f"README.md:{block.first + n}")
    return lines


@dataclass(frozen=True)
class Stale:
    block: Block
    now: tuple[str, ...]

    def diff(self) -> str:
        b = self.block
        return "\n".join(difflib.unified_diff(
            list(b.content), list(self.now), f"README.md (block at line {b.first})", "what the code prints now",
            lineterm="", n=2))


def check(text: str, blocks: list[Block] | None = None) -> list[Stale]:
    """The marked blocks of ``text`` whose content differs from what the code prints now."""
    blocks = find_blocks(text) if blocks is None else blocks
    stale = []
    with _scratch_cwd():
        _warm_model()
        for block in blocks:
            now = tuple(render(block))
            if tuple(_normalise("\n".join(block.content))) != now:
                stale.append(Stale(block, now))
    return stale


def rewrite(text: str, stale: list[Stale]) -> str:
    """``text`` with every stale block's content replaced (bottom-up, so line numbers stay valid)."""
    lines = text.split("\n")
    for s in sorted(stale, key=lambda s: s.block.first, reverse=True):
        i = s.block.first - 1
        lines[i:i + len(s.block.content)] = list(s.now)
    return "\n".join(lines)


#: A figure worth following into the prose: with a thousands comma, with decimals, or of three digits or more.
_FIGURE = re.compile(r"(?<![\w.,])(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+|\d{3,})(?![\w.,]*\d)")


def _figures(lines: tuple[str, ...] | list[str]) -> set[str]:
    return {f for line in lines for f in _FIGURE.findall(line)}


def prose_mentions(text: str, stale: list[Stale]) -> list[str]:
    """``README.md:LINE`` notes for lines outside the marked blocks that quote a figure a stale block no longer
    shows: the sentences to re-read after ``--write`` (prose is never rewritten automatically)."""
    gone = {f: s.block.first for s in stale for f in sorted(_figures(s.block.content) - _figures(s.now))}
    inside = {n for b in find_blocks(text) for n in range(b.marker_line, b.first + len(b.content) + 1)}
    notes = []
    for n, line in enumerate(text.split("\n"), start=1):
        hits = sorted(f for f in _figures([line]) if f in gone) if n not in inside else []
        if hits:
            notes.append(f"README.md:{n}: quotes {', '.join(hits)}, which the block at line "
                         f"{gone[hits[0]]} no longer shows")
    return notes


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args not in ([], ["--write"]):
        print("usage: python tests/readme_examples.py [--write]", file=sys.stderr)
        return 2
    text = README.read_text(encoding="utf-8")
    blocks = find_blocks(text)
    stale = check(text, blocks)
    for s in stale:
        print(f"{s.block.where}: stale example\n{s.diff()}\n")
    if args == ["--write"]:
        if stale:
            README.write_text(rewrite(text, stale), encoding="utf-8")
        for note in prose_mentions(text, stale):
            print(note)
        print(f"{len(blocks)} marked blocks, {len(stale)} rewritten in {README}; re-read the prose lines above")
        return 0
    print(f"{len(blocks)} marked blocks, {len(stale)} stale" + (" (python tests/readme_examples.py --write)"
                                                                 if stale else ""))
    return 1 if stale else 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    raise SystemExit(main())
