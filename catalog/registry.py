"""The one registry of MLPerf Training benchmarks and rounds.

Every other module asks this one what a benchmark folder means, how many runs MLCommons requires
for it, how many runs the olympic mean drops, and when a round was published.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Benchmark:
    """A canonical MLPerf Training task."""

    id: str
    name: str  # human name: model (dataset)
    task: str  # what is trained, e.g. "LLM pre-training", "text-to-image"
    runs_required: int
    olympic_k: int = 1
    #: Memory fit (``recommender.performance.memory``): trained parameters in billions (None = not checked:
    #: small models, and DLRM's sharded embedding tables whose optimizer differs) and the training method.
    #: Rule (a lower bound): ``full`` training with mixed-precision Adam keeps
    #: 16 bytes per parameter (BF16 weights 2 + gradients 2 + FP32 master weights 4 + two Adam moments 8),
    #: sharded over all accelerators; ``lora`` keeps the frozen BF16 weights, 2 bytes per parameter (the
    #: adapters and their optimizer state are under 1 % of it). Total accelerator memory below
    #: parameters x bytes x 1.5 (``MEMORY_HEADROOM``: room for activations, buffers and the runtime) does not fit.
    parameters_billion: float | None = None
    training_method: str = "full"
    #: The MLPerf round that first had this benchmark, where that is before the oldest results in ../shared
    #: (v0.5 for the original six); None: its first round with results. The performance model counts a
    #: benchmark's software maturity from it (``recommender.performance.maturity``).
    introduced: str | None = None


#: Canonical benchmark ids. ``ssd`` is SSD-ResNet34 (v0.7–v1.1); the ``ssd`` folder of v2.0–v4.1 is RetinaNet.
BENCHMARKS: dict[str, Benchmark] = {
    b.id: b
    for b in [
        Benchmark("resnet", "ResNet-50 (ImageNet)", "image classification", 5, parameters_billion=0.0256,
                  introduced="v0.5"),
        Benchmark("bert", "BERT-large (Wikipedia)", "language model pre-training", 10,
                  parameters_billion=0.34),
        Benchmark("dlrm", "DLRM (Criteo 1TB)", "recommendation", 5),
        Benchmark("dlrm_dcnv2", "DLRM-DCNv2 (Criteo 4TB)", "recommendation", 10),
        Benchmark("maskrcnn", "Mask R-CNN (COCO)", "instance segmentation", 5, introduced="v0.5"),
        Benchmark("ssd", "SSD-ResNet34 (COCO)", "object detection", 5, introduced="v0.5"),
        Benchmark("retinanet", "RetinaNet (OpenImages)", "object detection", 5),
        Benchmark("rnnt", "RNN-T (LibriSpeech)", "speech recognition", 10),
        Benchmark("unet3d", "3D U-Net (KiTS19)", "medical image segmentation", 40, olympic_k=4),
        Benchmark("minigo", "MiniGo", "reinforcement learning (Go)", 10, introduced="v0.5"),
        Benchmark("gnmt", "GNMT (WMT16)", "translation", 10, introduced="v0.5"),
        Benchmark("transformer", "Transformer (WMT17)", "translation", 10, introduced="v0.5"),
        Benchmark("gpt3", "GPT-3 175B (C4)", "LLM pre-training", 3, parameters_billion=175.0),
        Benchmark("stable_diffusion", "Stable Diffusion v2 (LAION-400M)", "text-to-image", 10,
                  parameters_billion=0.865),
        Benchmark("llama2_70b_lora", "Llama 2 70B LoRA (SCROLLS GovReport)", "LLM fine-tuning", 10,
                  parameters_billion=70.0, training_method="lora"),
        Benchmark("rgat", "R-GAT (IGBH)", "graph neural network", 10),
        Benchmark("llama31_405b", "Llama 3.1 405B (C4)", "LLM pre-training", 3, parameters_billion=405.0),
        Benchmark("llama31_8b", "Llama 3.1 8B (C4)", "LLM pre-training", 10, parameters_billion=8.0),
        Benchmark("flux1", "FLUX.1 (CC12M)", "text-to-image", 10, parameters_billion=11.9),
    ]
}

#: The tasks the benchmarks train (a custom workload may name one: ``recommender.models.CustomWorkload.task``).
TASKS: tuple[str, ...] = tuple(sorted({b.task for b in BENCHMARKS.values()}))

#: Publication month of each round in ../shared (used as the model's time axis).
ROUND_DATES: dict[str, date] = {
    "v0.5": date(2018, 12, 1),
    "v0.6": date(2019, 7, 1),
    "v0.7": date(2020, 7, 1),
    "v1.0": date(2021, 6, 1),
    "v1.1": date(2021, 12, 1),
    "v2.0": date(2022, 6, 1),
    "v2.1": date(2022, 11, 1),
    "v3.0": date(2023, 6, 1),
    "v3.1": date(2023, 11, 1),
    "v4.0": date(2024, 6, 1),
    "v4.1": date(2024, 11, 1),
    "v5.0": date(2025, 6, 1),
    "v5.1": date(2025, 11, 1),
}

_ROUND_RE = re.compile(r"^v?(\d+)\.(\d+)$")


def canonical_benchmark(folder: str, round_name: str) -> str:
    """Canonical benchmark id for a results folder name in a given round.

    ``ssd`` from v2.0 on is ``retinanet``; ``gnn`` is ``rgat``; everything else keeps its folder name.
    """
    name = folder.strip().lower()
    if name == "gnn":
        return "rgat"
    if name == "ssd" and round_key(round_name) >= (2, 0):
        return "retinanet"
    return name


def round_key(round_name: str) -> tuple[int, int]:
    """Sortable (major, minor) of a round name such as ``v2.0``; unknown spellings sort first."""
    m = _ROUND_RE.match(round_name.strip())
    if not m:
        return (-1, -1)
    return (int(m.group(1)), int(m.group(2)))


def is_round_name(name: str) -> bool:
    return bool(_ROUND_RE.match(name.strip()))


def canonical_round(name: str) -> str:
    """``v2.0`` for ``v2.0``, ``2.0`` or `` V2.0 ``; ValueError for anything that is not a round name."""
    m = _ROUND_RE.match(name.strip().lower())
    if not m:
        raise ValueError(f"not a round name: {name!r} (expected e.g. v5.0)")
    return f"v{int(m.group(1))}.{int(m.group(2))}"


def round_date(round_name: str) -> date:
    """Publication date of a round; rounds not in the table follow the cadence (x.0 in June, x.1 in November)."""
    if round_name in ROUND_DATES:
        return ROUND_DATES[round_name]
    major, minor = round_key(round_name)
    if major < 0:
        raise ValueError(f"not a round name: {round_name!r} (expected e.g. v5.0)")
    return date(2020 + major, 6 if minor == 0 else 11, 1)


def round_years(round_name: str) -> float:
    """Years since v0.7 (2020-07) as a float: the performance model's software-progress axis."""
    d = round_date(round_name)
    return (d - ROUND_DATES["v0.7"]).days / 365.25


def runs_required(benchmark_id: str) -> int:
    b = BENCHMARKS.get(benchmark_id)
    return b.runs_required if b else 10


def olympic_k(benchmark_id: str) -> int:
    b = BENCHMARKS.get(benchmark_id)
    return b.olympic_k if b else 1


def benchmark_name(benchmark_id: str) -> str:
    b = BENCHMARKS.get(benchmark_id)
    return b.name if b else benchmark_id


def benchmark_task(benchmark_id: str) -> str:
    """The task a benchmark trains ("LLM pre-training", "text-to-image", …); "" when unknown."""
    b = BENCHMARKS.get(benchmark_id)
    return b.task if b else ""


def closest_ids(value: str, known: Iterable[str], names: dict[str, str] | None = None, n: int = 3) -> list[str]:
    """The known ids closest to ``value`` (by spelling of the id, or of its display name; every word of
    ``value`` found in an id or name counts extra, so partial ids such as ``nvidia-a30`` find their SKU, and so
    does a shared beginning: ``nvidia-h100x`` is nearer ``nvidia-h100-sxm5-80gb`` than ``nvidia-gb200``)."""
    v = value.strip().lower()
    scored: list[tuple[float, str]] = []
    tokens = [t for t in re.split(r"[\s\-_]+", v) if t]
    for k in known:
        s = difflib.SequenceMatcher(None, v, k.lower()).ratio()
        if names and k in names:
            s = max(s, difflib.SequenceMatcher(None, v, names[k].lower()).ratio())
        haystack = (k + " " + (names or {}).get(k, "")).lower()
        if tokens and all(t in haystack for t in tokens):
            s += 0.5
        s += 0.5 * len(os.path.commonprefix([v, k.lower()])) / max(len(v), 1)
        scored.append((s, k))
    scored.sort(key=lambda t: (-t[0], t[1]))
    if not scored:
        return []
    floor = max(0.3, scored[0][0] - 0.25)
    return [k for s, k in scored[:n] if s >= floor]
