"""Accelerator facts the planner reads from the catalog (names, memory, TDP, reference prices, liquid-cooled
parts, parts with their own scale-out ports, PCIe chassis)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from recommender.cache import per_catalog

if TYPE_CHECKING:  # pragma: no cover

    from catalog import Catalog


@dataclass
class AcceleratorInfo:
    id: str
    name: str
    form_factor: str | None
    memory_gb: float | None
    tdp_watts: float | None
    price: float | None
    price_source: str | None
    price_confidence: str | None
    price_as_of: str | None
    liquid_part: bool = False  # its notes mark a liquid-cooled-only part (costs.liquid_cooled_part)
    own_scale_out: bool = False  # its notes say its own ports serve scale-out (costs.scale_out_on_accelerator)
    scale_out_era: str | None = None  # the 400G scale-out rows are not of its generation (costs.scale_out_era)


@dataclass
class CatalogMeta:
    accelerators: dict[str, AcceleratorInfo]
    benchmarks: set[str]
    pcie_chassis: tuple[tuple[int, float], ...]  # (accelerators per node, TDP W of the card) seen in results
    newest_round: str | None = None  # the round minutes answer for (predict's default: today's software)

    def chassis_sizes(self, tdp_watts: float) -> tuple[int, ...]:
        """PCIe per-node counts seen in the catalog's systems with cards drawing at least ``tdp_watts``."""
        from recommender.performance.training import chassis_sizes

        return chassis_sizes(self.pcie_chassis, tdp_watts)


def _na(v: Any) -> Any:
    try:
        import pandas as pd

        return None if pd.isna(v) else v
    except (TypeError, ValueError):
        return v


@per_catalog(maxsize=8)
def catalog_meta(cat: Catalog) -> CatalogMeta:
    from recommender.planning.costs import liquid_cooled_part, scale_out_era, scale_out_on_accelerator

    accs: dict[str, AcceleratorInfo] = {}
    for r in cat.accelerators.to_dict("records"):
        accs[str(r["accelerator_id"])] = AcceleratorInfo(
            id=str(r["accelerator_id"]),
            name=str(_na(r.get("name")) or r["accelerator_id"]),
            form_factor=_na(r.get("form_factor")),
            memory_gb=None if _na(r.get("memory_gb")) is None else float(r["memory_gb"]),
            tdp_watts=None if _na(r.get("tdp_watts")) is None else float(r["tdp_watts"]),
            price=None if _na(r.get("reference_price_usd")) is None else float(r["reference_price_usd"]),
            price_source=_na(r.get("reference_price_source")),
            price_confidence=_na(r.get("reference_price_confidence")),
            price_as_of=_na(r.get("reference_price_as_of")),
            liquid_part=liquid_cooled_part(r.get("notes")),
            own_scale_out=scale_out_on_accelerator(r.get("notes")),
            scale_out_era=scale_out_era(str(r["accelerator_id"]), cat.accelerators),
        )
    from catalog.registry import round_key
    from recommender.performance.training import pcie_chassis

    benches = set(cat.results["benchmark"].dropna().astype(str).unique())
    rounds = sorted({str(r) for r in cat.results["round"].dropna().unique()}, key=round_key)
    return CatalogMeta(accs, benches, pcie_chassis(cat), rounds[-1] if rounds else None)
