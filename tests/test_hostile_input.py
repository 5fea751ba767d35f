"""Hostile and broken input (issue 15): located errors, never a hang, a crash or a traceback.

Time and memory goals (alias bomb and /dev/zero rejected in < 1 s and < 200 MB) are measured by
``benchmarks/bench_hostile.py``; here a generous safety timeout only turns a hang into a failure.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

import catalog
from catalog import CatalogError
from recommender.errors import ScenarioError
from recommender.scenario import InvalidScenario, load_scenarios, safe_io

SAFETY_TIMEOUT_S = 60
SCENARIO = "workloads: [{benchmark: bert}]\nbudget_usd: 100000\n"


def alias_bomb() -> str:
    """The 677-byte "billion laughs": ten levels of ten aliases each (10**10 nodes once expanded)."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    return "\n".join(lines) + "\n" + SCENARIO


def load_errors(path: Path) -> list[str]:
    """Every error of loading ``path`` (a whole-file ScenarioError or the entries' errors), in a thread with a
    safety timeout so a hang fails the test instead of blocking the run."""
    out: list[object] = []

    def work() -> None:
        try:
            out.append(load_scenarios(path, check=False))
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            out.append(exc)

    t = threading.Thread(target=work, daemon=True)
    t.start()
    t.join(SAFETY_TIMEOUT_S)
    assert not t.is_alive(), f"loading {path} hangs"
    result = out[0]
    if isinstance(result, ScenarioError):
        return [str(result)]
    assert not isinstance(result, Exception), repr(result)
    return [str(e) for entry in result if isinstance(entry, InvalidScenario) for e in entry.errors]  # type: ignore[union-attr]


def write(tmp_path: Path, text: str | bytes, name: str = "s.yaml") -> Path:
    p = tmp_path / name
    p.write_bytes(text if isinstance(text, bytes) else text.encode())
    return p


# ------------------------------------------------------------------------------- limits where input enters


def test_alias_bomb_is_rejected_at_its_line(tmp_path: Path) -> None:
    p = write(tmp_path, alias_bomb())
    assert len(alias_bomb().split(SCENARIO)[0]) < 700
    (err,) = load_errors(p)
    assert err.startswith(f"{p}:") and "too many YAML nodes" in err


def test_a_recursive_alias_is_rejected(tmp_path: Path) -> None:
    (err,) = load_errors(write(tmp_path, "a: &a [1, *a]\n" + SCENARIO))
    assert ":1: alias *a is inside its own anchor" in err


def test_deep_nesting_is_rejected_not_a_recursion_error(tmp_path: Path) -> None:
    (err,) = load_errors(write(tmp_path, "workloads: " + "[" * 400 + "]" * 400 + "\nbudget_usd: 1\n"))
    assert ":1: nested too deeply" in err
    (err,) = load_errors(write(tmp_path, "x: " + "[" * 200_000 + "\n"))  # ruamel alone: quadratic, minutes
    assert ":1: nested too deeply" in err
    (err,) = load_errors(write(tmp_path, "x:\n" + "".join("  " * i + "- \n" for i in range(1, 300))))
    assert "nested too deeply" in err


def test_a_huge_integer_literal_is_a_located_error(tmp_path: Path) -> None:
    (err,) = load_errors(write(tmp_path, "workloads: [{benchmark: bert}]\nbudget_usd: " + "9" * 5000 + "\n"))
    assert err.endswith(":2: integer literal too long (5,000 digits; at most 100)")


@pytest.mark.parametrize("special", ["/dev/zero", "fifo", "dir", "loop", "long"])
def test_only_regular_files_are_read(tmp_path: Path, special: str) -> None:
    if special == "fifo":
        target = tmp_path / "x.yaml"
        os.mkfifo(target)
        expected = "is a FIFO (named pipe), not a regular file"
    elif special == "dir":
        target = tmp_path / "d.yaml"
        target.mkdir()
        expected = "is a directory"
    elif special == "loop":
        target = tmp_path / "loop.yaml"
        target.symlink_to(tmp_path / "loop2.yaml")
        (tmp_path / "loop2.yaml").symlink_to(target)
        expected = "symbolic link loop"
    elif special == "long":
        target = tmp_path / ("a" * 300 + ".yaml")
        expected = "path too long"
    else:
        target = Path("/dev/zero")
        expected = "is a device, not a regular file"
    (err,) = load_errors(target)
    assert err.startswith(str(target)) and expected in err
    # ... and as a price list or custom workload named by a scenario: located at the line that names it
    main = write(tmp_path, f"workloads:\n  - custom: {target}\nbudget_usd: 1000\n", "main.yaml")
    (err,) = load_errors(main)
    assert err.startswith(f"{main}:2: workloads[0].custom: ") and expected in err
    main = write(tmp_path, f"workloads: [{{benchmark: bert}}]\nbudget_usd: 1000\nprices: {target}\n", "main.yaml")
    (err,) = load_errors(main)
    assert err.startswith(f"{main}:3: prices: ") and expected in err


def test_files_over_the_size_limit_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(safe_io, "MAX_FILE_BYTES", 1000)
    (err,) = load_errors(write(tmp_path, SCENARIO + "#" * 2000 + "\n"))
    assert "file too large" in err and "limited to" in err
    assert safe_io.path_problem(write(tmp_path, SCENARIO, "small.yaml")) is None


def test_nul_and_non_utf8_bytes_are_reported_with_their_line(tmp_path: Path) -> None:
    (err,) = load_errors(write(tmp_path, b"workloads: [{benchmark: bert}]\nbudget_usd: 1\x00\n"))
    assert err.endswith(":2: control character NUL is not allowed in YAML (column 14)")
    (err,) = load_errors(write(tmp_path, b"workloads: [{benchmark: bert}]\n\nname: caf\xe9\n"))
    assert ":3: not UTF-8 text (byte 0xe9" in err


# ------------------------------------------------------------------------------- numbers at the edge


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("budget_usd: .inf", "2: budget_usd: must be a finite number"),
        ("budget_usd: 1e309", "2: budget_usd: must be a finite number"),
        ("budget_usd: .nan", "2: budget_usd: must be a finite number"),
        ("budget_usd: 1000\nyears: .inf", "3: years: must be a finite number"),
        ("budget_usd: 1000\nyears: 1000", "3: years: must be less than or equal to 100"),
        # a large bound grouped (a reviewer read "less than or equal to 1000000000000000000")
        ("budget_usd: 1e20", "2: budget_usd: must be less than or equal to 1,000,000,000,000,000,000"),
        ("budget_usd: 1000\npue: .inf", "3: pue: must be a finite number"),
        ("max_accelerators: 8.5", "2: max_accelerators: must be a valid integer, got a number with a fractional"),
        ("max_nodes: 1e300", "2: max_nodes: "),
        ("budget_usd: 1000\nprices: {nvidia-t4-16gb: -5}", "3: prices.nvidia-t4-16gb: must be greater than 0"),
    ],
)
def test_numbers_are_finite_in_range_and_whole_where_counts(tmp_path: Path, line: str, expected: str) -> None:
    (err,) = load_errors(write(tmp_path, f"workloads: [{{benchmark: bert}}]\n{line}\n"))
    assert f"s.yaml:{expected}" in err


def test_custom_measurements_are_whole_counts_and_positive_minutes(tmp_path: Path) -> None:
    text = ("budget_usd: 1000\nworkloads:\n  - custom:\n      name: mine\n      measurements:\n"
            "        - {accelerator_id: nvidia-t4-16gb, accelerators: 8.5, minutes: 10}\n"
            "        - {accelerator_id: nvidia-t4-16gb, accelerators: 8, minutes: .inf}\n")
    errs = load_errors(write(tmp_path, text))
    assert any(":6: workloads[0].custom.measurements[0].accelerators: must be a valid integer" in e for e in errs)
    assert any(":7: workloads[0].custom.measurements[1].minutes: must be a finite number" in e for e in errs)


def test_a_zero_share_is_reported_at_the_share_line_and_huge_shares_never_sum_to_inf(tmp_path: Path) -> None:
    (err,) = load_errors(write(tmp_path, "budget_usd: 1000\nworkloads:\n  - benchmark: bert\n    share: 0\n"))
    assert err.endswith(":4: workloads[0].share: the shares sum to 0; give at least one workload a positive share")
    text = "budget_usd: 1000\nworkloads:\n  - {benchmark: bert, share: 1e308}\n  - {benchmark: resnet, share: 1e308}\n"
    errs = load_errors(write(tmp_path, text))
    assert errs and all("must be less than or equal to" in e for e in errs) and ":3: " in errs[0]


def test_the_python_api_rejects_inf_with_the_field() -> None:
    import recommender

    with pytest.raises(ScenarioError) as info:
        recommender.optimize({"workloads": [{"benchmark": "bert"}], "budget_usd": float("inf")})
    assert info.value.field == "budget_usd" and "finite" in info.value.message


# ------------------------------------------------------------------------------- user catalogs


def _user_catalog(tmp_path: Path, edit: str) -> Path:
    import csv

    d = tmp_path / "cat"
    d.mkdir()
    for name in ("results.csv", "accelerators.csv"):
        (d / name).write_bytes((catalog.DATA_DIR / name).read_bytes())
    path = d / ("accelerators.csv" if edit == "negative price" else "results.csv")
    rows = list(csv.reader(path.open(newline="")))
    head = rows[0]
    if edit == "negative price":
        k = next(i for i, r in enumerate(rows) if i and r[head.index("reference_price_usd")])
        rows[k][head.index("reference_price_usd")] = "-5"
    elif edit == "duplicated row":
        rows.append(rows[3])
    else:
        col = "minutes" if edit == "zero minutes" else "accelerators"
        k = next(i for i, r in enumerate(rows) if i and r[head.index("accelerators")])
        rows[k][head.index(col)] = {"zero minutes": "0", "fractional": "8.5", "zero": "0", "negative": "-8"}[edit]
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return d


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        ("negative price", (r"accelerators.csv:\d+: reference_price_usd \(row \d+\): must be a finite number "
                            r"> 0 \(got '-5'\)")),
        ("fractional", r"results.csv:\d+: accelerators \(row \d+\): must be a whole number >= 1 \(got '8.5'\)"),
        ("zero", r"results.csv:\d+: accelerators \(row \d+\): must be a whole number >= 1 \(got '0'\)"),
        ("negative", r"results.csv:\d+: accelerators \(row \d+\): must be a whole number >= 1 \(got '-8'\)"),
        ("zero minutes", r"results.csv:\d+: minutes \(row \d+\): must be a finite number > 0 \(got '0'\)"),
        ("duplicated row", r"results.csv:\d+: row \d+: duplicated row \(round='.*' also on line 4\)"),
    ],
)
def test_a_broken_user_catalog_names_file_row_and_column(tmp_path: Path, edit: str, expected: str) -> None:
    d = _user_catalog(tmp_path, edit)
    with pytest.raises(CatalogError, match=expected):
        catalog.load(d)


def test_a_user_catalog_copy_of_the_shipped_one_is_accepted(tmp_path: Path) -> None:
    d = tmp_path / "copy"
    d.mkdir()
    (d / "results.csv").write_bytes((catalog.DATA_DIR / "results.csv").read_bytes())
    assert len(catalog.load(d).results) > 0


def test_a_user_catalog_saved_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    # a reviewer: results.csv saved as Excel's "CSV UTF-8" (a byte-order mark first) gave hundreds of false
    # "duplicated row" errors: the mark was read as part of the first column's name, `round`
    import pandas as pd

    names = ("results.csv", "accelerators.csv", "defaults.csv", "cloud_prices.csv")
    d = tmp_path / "excel"
    d.mkdir()
    for name in names:
        (d / name).write_bytes(b"\xef\xbb\xbf" + (catalog.DATA_DIR / name).read_bytes())
    cat, shipped = catalog.load(d), catalog.load()
    for frame in ("results", "accelerators", "defaults", "cloud_prices"):
        pd.testing.assert_frame_equal(getattr(cat, frame), getattr(shipped, frame))
    # a byte that is not UTF-8 after the mark is still said at its line and byte
    (d / "results.csv").write_bytes(b"\xef\xbb\xbfround,minutes\nv1.0,1\nv1.\xe9,2\n")
    with pytest.raises(CatalogError, match=r"results.csv:3: not UTF-8 text \(byte 0xe9\)"):
        catalog.load(d)


def test_a_user_catalogs_unknown_accelerator_is_refused_at_its_line(tmp_path: Path) -> None:
    # a reviewer: a results.csv row naming an accelerator the table does not hold was accepted without a word
    import csv

    d = tmp_path / "cat"
    d.mkdir()
    rows = list(csv.reader((catalog.DATA_DIR / "results.csv").open(newline="", encoding="utf-8")))
    column = rows[0].index("accelerator_id")
    assert any(not r[column] for r in rows[1:])  # the shipped catalog has unmapped (empty) ids: still allowed
    typo, unknown = (next(i for i, r in enumerate(rows) if i > start and r[column]) for start in (0, 100))
    rows[typo][column], rows[unknown][column] = "nvidia-a30-pcie-24g", "nvidia-zz9000"
    with (d / "results.csv").open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    with pytest.raises(CatalogError) as err:
        catalog.load(d)  # the shipped accelerator table, borrowed
    message, results = str(err.value), d / "results.csv"
    assert message.startswith(
        f"{results}:{typo + 1}: accelerator_id (row {typo}): unknown accelerator 'nvidia-a30-pcie-24g' (not in the "
        "shipped accelerators.csv; closest: nvidia-a30-pcie-24gb")
    assert (f"; {results}:{unknown + 1}: accelerator_id (row {unknown}): unknown accelerator 'nvidia-zz9000' (not in "
            "the shipped accelerators.csv; closest: ") in message
    (d / "accelerators.csv").write_bytes((catalog.DATA_DIR / "accelerators.csv").read_bytes())
    with pytest.raises(CatalogError, match=r"unknown accelerator 'nvidia-zz9000' \(not in accelerators.csv; "):
        catalog.load(d)  # its own table
    # its cloud price list too (a rent price for an id no purchase has would never be compared)
    (d / "results.csv").write_bytes((catalog.DATA_DIR / "results.csv").read_bytes())
    cloud = (catalog.DATA_DIR / "cloud_prices.csv").read_text(encoding="utf-8").splitlines()
    cloud[1] = cloud[1].replace("nvidia-", "nvidia-zz", 1)
    (d / "cloud_prices.csv").write_text("\n".join(cloud) + "\n", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"cloud_prices.csv:2: accelerator_id \(row 1\): unknown accelerator 'nvidia-zz"):
        catalog.load(d)


def test_a_scenario_holds_at_most_100_workloads(tmp_path: Path) -> None:
    from recommender.scenario.numbers import MAX_WORKLOADS

    customs = "".join(f"  - custom: {{name: w{i}, measurements: [{{accelerator_id: nvidia-t4-16gb, accelerators: 8, "
                      f"minutes: {i + 1}}}]}}\n" for i in range(MAX_WORKLOADS + 1))
    (err,) = load_errors(write(tmp_path, "budget_usd: 1000\nworkloads:\n" + customs))
    assert f":2: workloads: must have at most {MAX_WORKLOADS} items" in err, err


def test_a_file_that_is_not_yaml_mappings_is_quoted_briefly(tmp_path: Path) -> None:
    # /etc/passwd parses as one long string: the message quoted all of it (a TUI toast covered the screen)
    text = "".join(f"user{i}:x:{i}:{i}:User {i}:/home/user{i}:/bin/sh\n" for i in range(40))
    errors = load_errors(write(tmp_path, text, "passwd"))
    assert len(errors) == 1 and "the top level must be a mapping" in errors[0]
    assert len(errors[0]) < len(str(tmp_path)) + 200, errors[0]
    assert "user0:x:0:0" in errors[0] and "user39" not in errors[0]
    # a CSV named in `prices:` says where rental prices go instead (a vendor price list is YAML `quotes:`)
    (tmp_path / "cloud.csv").write_text("provider,accelerator_id\nA,b\n")
    errors = load_errors(write(tmp_path, "budget_usd: 1e5\nworkloads: [{benchmark: bert}]\nprices: cloud.csv\n",
                               "csv.yaml"))  # fmt: skip
    assert len(errors) == 1 and errors[0].endswith("(a CSV of rental prices per accelerator-hour goes in "
                                                   f"`cloud_prices:`) (the prices of {tmp_path / 'csv.yaml'}:3)"), errors
