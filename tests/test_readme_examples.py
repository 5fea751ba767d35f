"""README.md's marked example blocks show what the code prints now (``tests/readme_examples.py``).

A failure names the block's README line and shows the diff; ``python tests/readme_examples.py --write``
refreshes the blocks (then read the diff: prose around a block may quote its numbers).
"""

from __future__ import annotations

import re

import pytest
import readme_examples as rx

TEXT = rx.README.read_text(encoding="utf-8")
BLOCKS = rx.find_blocks(TEXT)


def test_readme_has_marked_examples() -> None:
    """The guard guards something: the tour's optimize, the model, the catalog, a Python snippet."""
    kinds = {b.kind for b in BLOCKS}
    commands = " ".join(b.content[0] for b in BLOCKS if b.kind == "console")
    assert kinds == {"console", "python", "script"}
    for cmd in ("recommender optimize examples/seed.yaml", "recommender model predict", "recommender catalog rank",
                "recommender batch", "recommender sweep"):
        assert cmd in commands


def test_readme_examples_match_the_code() -> None:
    stale = rx.check(TEXT, BLOCKS)
    if stale:
        report = "\n\n".join(f"{s.block.where}: this block differs from what the code prints now\n{s.diff()}"
                             for s in stale)
        pytest.fail(f"{report}\n\nrefresh with: python tests/readme_examples.py --write", pytrace=False)


def test_a_changed_number_is_caught_and_rewritten() -> None:
    """A README whose figure the code does not reproduce fails with the block's line and a diff; --write fixes it."""
    block = next(b for b in BLOCKS if b.kind == "console" and b.content[0].startswith("$ recommender model predict"))
    lines = TEXT.split("\n")
    i = block.first  # the line after the command: its output (0-based index of README line first + 1)
    original = lines[i]
    lines[i] = original.replace(" minutes", "1 minutes", 1)
    tampered = "\n".join(lines)
    stale = rx.check(tampered, [b for b in rx.find_blocks(tampered) if b.first == block.first])
    assert len(stale) == 1
    diff = stale[0].diff()
    assert f"README.md (block at line {block.first})" in diff
    assert f"-{lines[i]}" in diff and f"+{original}" in diff
    assert rx.rewrite(tampered, stale) == TEXT


def test_marker_errors_are_located() -> None:
    with pytest.raises(rx.ExampleError, match=r"README.md:2: an example marker must be followed"):
        rx.find_blocks("text\n<!-- example -->\n\n```console\n$ recommender --help\n```\n")
    with pytest.raises(rx.ExampleError, match=r"README.md:1: example stream must be one of"):
        rx.find_blocks("<!-- example: both -->\n```console\n$ recommender --help\n```\n")
    block = rx.find_blocks("<!-- example -->\n```console\n$ ls /\n```\n")[0]
    with pytest.raises(rx.ExampleError, match=r"README.md:3: only `\$ recommender"):
        rx.render(block)


def test_a_region_example_runs_a_script_and_ends_at_its_end_marker() -> None:
    text = "intro\n<!-- example-script: benchmarks/power_check.py --markdown -->\n| stale |\n<!-- /example -->\nprose\n"
    (block,) = rx.find_blocks(text)
    assert (block.kind, block.first, block.content) == ("script", 3, ("| stale |",))
    (stale,) = rx.check(text, [block])
    assert stale.now[0].startswith("| round | submitter | system |")
    fixed = rx.rewrite(text, [stale])
    assert fixed.startswith("intro\n<!-- example-script:") and fixed.endswith("\n<!-- /example -->\nprose\n")
    assert rx.check(fixed) == []
    with pytest.raises(rx.ExampleError, match=r"README.md:1: example block is never closed with <!-- /example -->"):
        rx.find_blocks("<!-- example-script: benchmarks/power_check.py -->\n| a |\n")


def test_write_names_the_prose_that_quotes_a_changed_figure() -> None:
    """After a model change, the sentence quoting a block's old figure is named (prose is never rewritten)."""
    block = next(b for b in BLOCKS if b.content[0] == "$ recommender optimize examples/seed.yaml")
    assert "27.11" in "\n".join(block.content)
    lines = TEXT.replace("27.11", "27.37").split("\n")  # as if the code had printed 27.37 before
    prose = [n for n, line in enumerate(lines, start=1) if re.search(r"(?<![\d.])27\.37(?!\d)", line)
             and not block.marker_line <= n <= block.first + len(block.content)]  # (not 27.37 in 27.371...; a figure no block shows)
    assert prose, "the seed's reading notes quote the tour's expected minutes"
    tampered = "\n".join(lines)
    stale = rx.check(tampered, [b for b in rx.find_blocks(tampered) if b.first == block.first])
    notes = rx.prose_mentions(tampered, stale)
    assert [f"README.md:{n}: quotes 27.37, which the block at line {block.first} no longer shows"
            for n in prose] == notes


def test_the_python_tour_and_the_alternatives_quote_todays_figures() -> None:
    """Figures quoted in prose outside the marked blocks (a reviewer found them stale: 30.976 for 31.412)."""
    import math

    import recommender

    def cut(v: float) -> str:
        return f"{math.floor(v * 1000) / 1000:.3f}..."

    r = recommender.optimize(str(rx.README.parent / "examples" / "seed.yaml"))
    assert f"('optimal', {cut(r.objective_value)}, {r.choice.accelerators})" in TEXT
    assert f"('p80', {cut(r.choice.weighted_minutes)})" in TEXT
    e = recommender.optimize(str(rx.README.parent / "examples" / "seed.yaml"), risk="expected")
    pct = {}
    for key, rec in (("p80", r), ("expected", e)):
        a30 = next(a for a in rec.alternatives if a.accelerator_id == "nvidia-a30-pcie-24gb")
        pct[key] = round((a30.objective_value / rec.objective_value - 1) * 100)
    assert f"is {pct['p80']} % slower at p80" in TEXT and f"minutes, {pct['expected']} % slower)" in TEXT, pct
