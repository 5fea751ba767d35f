"""Sweep files written by the sweep tests (kept small: the tests' total time stays modest)."""

from __future__ import annotations

from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

QUOTES = str(EXAMPLES / "prices" / "vendor-quotes.yaml")


def write_sweep(tmp: Path, *, budgets: int = 20, powers: list[float] | None = None, extra_axes: str = "",
                name: str = "sweep.yaml", base_extra: str = "") -> Path:
    powers = powers or [20, 40, 80, 160, 320]
    text = f"""version: 1
name: t
base:
  objective: min_time
  workloads: [{{benchmark: bert}}]
{base_extra}axes:
  workloads:
    language: [{{benchmark: bert}}]
    vision: [{{benchmark: resnet}}, {{benchmark: unet3d}}]
  prices:
    reference: {{}}
    quotes: {QUOTES}
  power_limit_kw: {list(powers)}
  budget_usd: {{from: 100000, to: 50000000, steps: {budgets}, scale: log}}
{extra_axes}"""
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path
