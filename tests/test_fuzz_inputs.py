"""Seeded fuzzing of scenario files (through the CLI's code path, in-process) and of ``recommender.optimize(dict)``.

A few hundred cases built from valid scenarios by replacing values with hostile ones (``.inf``, ``1e309``,
huge integers, wrong types, aliases, deep nesting, special paths) and by damaging the text (deleted and
inserted characters, truncation). Whatever the input: no traceback, exit codes only 0/1/2, and every error
line names a file (``file:line: field: message``) or, from the API, is a typed error.
"""

from __future__ import annotations

import copy
import json
import random
import re
from pathlib import Path
from typing import Any

import pytest

import recommender
from recommender import cli as cli_module
from recommender.errors import RecommenderError
from recommender.models import Recommendation

SEED = 15
FILE_CASES = 300
API_CASES = 200

BASES: list[dict[str, Any]] = [
    {"name": "one", "budget_usd": 300000, "workloads": [{"benchmark": "bert"}, {"benchmark": "resnet", "share": 2}]},
    {"name": "tco", "objective": "min_tco", "required_mixes_per_day": 2, "power_limit_kw": 40, "years": 4,
     "workloads": [{"benchmark": "resnet"}], "cooling": "liquid", "pue": 1.2},
    {"name": "mix", "mix": True, "budget_usd": 2000000, "max_nodes": 4,
     "workloads": [{"benchmark": "bert"}, {"benchmark": "unet3d", "share": 0.5}]},
    {"name": "custom", "budget_usd": 200000, "accelerators": ["nvidia-a30-pcie-24gb", "nvidia-l4-24gb"],
     "prices": {"nvidia-l4-24gb": 2400}, "host_cost_usd_per_node": 15000, "energy_usd_per_kwh": 0.1,
     "workloads": [{"custom": {"name": "mine", "like": "bert", "measurements": [
         {"accelerator_id": "nvidia-a30-pcie-24gb", "accelerators": 8, "minutes": 30, "nodes": 1}]}}]},
    {"version": 1, "defaults": {"workloads": [{"benchmark": "bert"}], "max_accelerators": 16},
     "scenarios": [{"name": "a", "budget_usd": 100000}, {"name": "b", "power_limit_kw": 20,
                                                          "prices": [{"accelerator_id": "nvidia-l4-24gb",
                                                                      "price_usd": 2000}]}]},
]

#: Raw YAML tokens (written as they are, not as JSON strings).
RAW = [".inf", "-.inf", ".nan", "1e309", "-1e309", "9" * 120, "0x" + "f" * 40, "&a [1, *a]", "*nope",
       "[" * 90 + "]" * 90, "!!binary aGVsbG8=", "!!python/object/apply:os.system ['echo pwned']", "~",
       "2026-01-01", "0o777", "1_000", "'=1+2'", "|\n  text"]
VALUES: list[Any] = [0, -1, -0.0, 0.5, 8.5, 1e308, 10**30, 2**63, True, False, None, "", "x" * 500, [], {}, [1, 2],
                     {"a": 1}, "nvidia-t4-16gb", "bert", "min_tco", "=HYPERLINK(\"x\")", "\u202eevil", "../../etc/passwd",
                     "/dev/zero", "/etc", "a" * 300 + ".yaml", "110k", "$1.2M", 1e-320, 1e15, 2e15, 7]


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


def _mutate(rng: random.Random, data: dict[str, Any], raw: dict[str, str]) -> dict[str, Any]:
    data = copy.deepcopy(data)
    for _ in range(rng.randint(1, 3)):
        path = rng.choice(_paths(data)[1:])
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        roll = rng.random()
        if roll < 0.15 and isinstance(parent, dict):
            del parent[path[-1]]
            continue
        if roll < 0.25 and isinstance(parent, dict):
            parent[rng.choice(["budjet_usd", "colour", "shares", "<<", "scenarios", "version"])] = copy.deepcopy(rng.choice(VALUES))
            continue
        if roll < 0.5:
            token = f"__RAW{len(raw)}__"
            raw[token] = rng.choice(RAW)
            parent[path[-1]] = token
        else:
            parent[path[-1]] = copy.deepcopy(rng.choice(VALUES))
    return data


def _text(data: dict[str, Any], raw: dict[str, str]) -> str:
    text = json.dumps(data, indent=1)
    for token, value in raw.items():
        text = text.replace(f'"{token}"', value.replace("\n", " ") if "|" not in value else '"text"')
    return text


def _damage(rng: random.Random, text: str) -> bytes:
    data = bytearray(text.encode())
    for _ in range(rng.randint(1, 4)):
        where = rng.randrange(len(data) + 1)
        roll = rng.random()
        if roll < 0.35:
            del data[where:where + rng.randint(1, 8)]
        elif roll < 0.8:
            data[where:where] = rng.choice([b":", b"- ", b"[", b"{", b"&x ", b"*x", b"!", b"%", b"\t", b"\\", b'"',
                                            b"\n", b"\n  ", b"#", b"\xc3\xa9", b"\xff", b"\x00", b"---\n", b"? "])
        else:
            del data[where:]
    return bytes(data)


def _cases() -> list[tuple[str, bytes]]:
    rng = random.Random(SEED)
    cases: list[tuple[str, bytes]] = []
    for i in range(FILE_CASES):
        base = rng.choice(BASES)
        raw: dict[str, str] = {}
        data = _mutate(rng, base, raw) if rng.random() < 0.8 else copy.deepcopy(base)
        text = _text(data, raw)
        body = _damage(rng, text) if rng.random() < 0.35 else text.encode()
        cases.append((f"case{i:03d}.yaml", body))
    return cases


_LOCATED = re.compile(r"^[^\s:][^:]*:(\d+:)? \S")


def test_fuzzed_scenario_files_never_crash_and_every_error_is_located(
        tmp_path: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RECOMMENDER_DEBUG", raising=False)
    monkeypatch.chdir(tmp_path)
    codes: dict[int, int] = {}
    for name, body in _cases():
        (tmp_path / name).write_bytes(body)
        code = cli_module.run(["optimize", name, "--format", "json"])
        err = capfd.readouterr().err
        codes[code] = codes.get(code, 0) + 1
        assert code in (0, 1, 2), f"{name} exit {code}: {err}\n{body[:400]!r}"
        assert "Traceback" not in err and "internal error" not in err, f"{name}: {err}\n{body[:400]!r}"
        for line in err.splitlines():
            assert _LOCATED.match(line) and not line.startswith("error:"), f"{name}: unlocated {line!r}"
        if code == 2:
            assert err.strip(), f"{name}: exit 2 without a message"
    print("exit codes", codes)
    assert codes.get(2, 0) > FILE_CASES // 3 and codes.get(0, 0) > 10, codes  # the fuzz reaches both sides


def test_fuzzed_api_calls_return_a_result_or_raise_a_typed_error(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(SEED + 1)
    outcomes = {"ok": 0, "error": 0}
    for _ in range(API_CASES):
        base = rng.choice([b for b in BASES if "scenarios" not in b and "custom" not in json.dumps(b)])
        data = _mutate(rng, base, {})
        try:
            result = recommender.optimize(data)
        except RecommenderError as exc:
            outcomes["error"] += 1
            assert str(exc).strip() and "Traceback" not in str(exc)
            field = getattr(exc, "field", None)
            assert field is None or not field.startswith(("function-", "union[")), field
        else:
            outcomes["ok"] += 1
            assert isinstance(result, Recommendation)
            assert str(result.status) in ("optimal", "feasible", "infeasible")
    assert outcomes["ok"] > 10 and outcomes["error"] > 10, outcomes
