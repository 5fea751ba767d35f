"""Cost and power: formulas, defaults read from the catalog (never retyped), sources carried along."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

import catalog
from recommender.errors import CatalogError
from recommender.models import Scenario
from recommender.planning import costs as C

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def defaults() -> pd.DataFrame:
    return catalog.load().defaults


def value(defaults: pd.DataFrame, parameter: str, applies_to: str) -> float:
    row = defaults[(defaults["parameter"] == parameter) & (defaults["applies_to"] == applies_to)]
    assert len(row) == 1, (parameter, applies_to)
    return float(row["value"].iloc[0])


def scenario(**kw) -> Scenario:
    return Scenario(workloads=[{"benchmark": "bert"}], budget_usd=1e6, **kw)


def test_shipped_defaults_are_the_shared_file_then_the_planning_assumptions() -> None:
    from catalog.build import PLANNING_ASSUMPTIONS_CSV, build_defaults

    shipped = (REPO / "catalog" / "data" / "defaults.csv").read_text()
    shared = REPO.parent / "shared" / "hardware" / "defaults.csv"
    if shared.is_file():
        assert shipped.startswith(shared.read_text())
        assert shipped == build_defaults(shared)
    own = pd.read_csv(PLANNING_ASSUMPTIONS_CSV)
    assert len(own) >= 9 and own["source"].str.startswith("mlperf-recommender planning assumption").all()
    assert own["confidence"].notna().all() and own["as_of"].notna().all() and own["notes"].notna().all()
    for row in own.itertuples():  # each one is in the shipped defaults once, with its value
        assert value(catalog.load().defaults, row.parameter, row.applies_to) == row.value


def test_build_rejects_a_planning_assumption_the_shared_file_already_has(tmp_path: Path) -> None:
    from catalog.build import build_defaults

    shared = tmp_path / "defaults.csv"
    shared.write_text("parameter,applies_to,value,unit,source,confidence,as_of,notes\r\n"
                      "pue,air_cooled,1.55,ratio,Uptime,M,2023,\r\n")  # fmt: skip
    own = tmp_path / "own.csv"
    own.write_text("parameter,applies_to,value,unit,source,confidence,as_of,notes\n"
                   "utilization,default,0.8,ratio,mlperf-recommender planning assumption,L,2026-12,why\n")  # fmt: skip
    assert build_defaults(shared, own).endswith("\r\nutilization,default,0.8,ratio,"
                                                "mlperf-recommender planning assumption,L,2026-12,why\r\n")  # fmt: skip
    own.write_text(own.read_text() + "pue,air_cooled,1.3,ratio,mine,L,2026-12,\n")
    with pytest.raises(SystemExit, match="pue"):
        build_defaults(shared, own)


def test_planning_assumptions_are_read_from_defaults_and_reported(defaults: pd.DataFrame) -> None:
    """Utilisation, salvage, cost of capital and rack units come from defaults.csv rows (no number in Python) and
    are reported as Assumptions with source, confidence and as-of; a catalog without the row is an error."""
    from recommender import optimize
    from recommender.planning import sources

    a = sources.planning_assumption("utilization", "default", defaults)
    assert a.value == value(defaults, "utilization", "default") and a.confidence and a.as_of
    assert a.source.startswith("defaults.csv: mlperf-recommender planning assumption")
    from recommender.planning.bill import bill_for

    r = optimize({"name": "t", "budget_usd": 200_000, "rack_units": 42, "workloads": [{"benchmark": "bert"}]},
                 explain=False)  # fmt: skip
    listed = {(x.parameter, x.applies_to): x for x in r.assumptions}
    b = bill_for(catalog.load(), "nvidia-a30-pcie-24gb", 20, 1)  # a 20-card chassis: the PCIe rule, racks
    listed.update({(x.parameter, x.applies_to): x for x in b.assumptions})
    for key in [("utilization", "default"), ("salvage_fraction", "default"), ("cost_of_capital", "default"),
                ("rack_units_per_rack", "standard_rack"), ("rack_units_per_node", "pcie_node"),
                ("pcie_host_scale_per_card", "pcie_node_above_8_cards")]:  # fmt: skip
        assert key in listed and "planning assumption" in listed[key].source and listed[key].as_of, key
        assert listed[key].value == value(defaults, *key)
    broken = defaults[defaults["parameter"] != "salvage_fraction"].reset_index(drop=True)
    with pytest.raises(CatalogError, match="salvage_fraction"):
        sources.planning_assumption("salvage_fraction", "default", broken)


def test_pcie_node_host_cost_applies_even_to_one_card(defaults: pd.DataFrame) -> None:
    model = C.cost_model(defaults, scenario())
    spec, reason, used = C.node_spec("nvidia-a30-pcie-24gb", "pcie", model)
    assert spec is not None and reason == ""
    host = value(defaults, "host_cost_usd_per_node", "pcie_node")
    assert spec.host_cost_usd == host
    assert C.capex_usd(1, 1, 5000.0, spec.host_cost_usd) == 5000.0 + host
    assert C.capex_usd(16, 2, 5000.0, spec.host_cost_usd) == 16 * 5000.0 + 2 * host
    # PCIe power: factor x (sum TDP + host power per node)
    f = value(defaults, "pcie_power_factor", "pcie_node")
    hp = value(defaults, "pcie_host_power_kw", "pcie_node")
    assert C.it_power_kw(8, 1, 165.0, spec.power_factor, spec.host_power_kw) == pytest.approx(f * (8 * 0.165 + hp))
    assert C.it_power_kw(16, 2, 165.0, spec.power_factor, spec.host_power_kw) == pytest.approx(
        f * (16 * 0.165 + 2 * hp)
    )
    assert spec.single_node_counts[:8] == tuple(range(1, 9))
    assert int(value(defaults, "accelerators_per_node", "pcie")) == spec.per_node
    assert {a.parameter for a in used} >= {"host_cost_usd_per_node", "pcie_power_factor", "pcie_host_power_kw"}


def test_sxm_node_factor_on_tdp(defaults: pd.DataFrame) -> None:
    model = C.cost_model(defaults, scenario())
    spec, _, _used = C.node_spec("nvidia-h100-sxm5-80gb", "sxm", model)
    assert spec is not None and spec.kind == C.SXM_OAM
    assert spec.per_node == int(value(defaults, "accelerators_per_node", "sxm"))
    assert spec.host_cost_usd == value(defaults, "host_cost_usd_per_node", "sxm_oam_8gpu_node")
    f = value(defaults, "it_power_factor", "sxm_oam_8gpu_air_node")
    assert C.it_power_kw(8, 1, 700.0, spec.power_factor, spec.host_power_kw) == pytest.approx(f * 8 * 0.7)
    oam, _, _ = C.node_spec("amd-mi300x-192gb", "oam", model)
    assert oam is not None and oam.per_node == int(value(defaults, "accelerators_per_node", "oam"))


def test_nvl72_rack_has_no_host_cost_and_liquid_pue(defaults: pd.DataFrame) -> None:
    model = C.cost_model(defaults, scenario())
    spec, _, used = C.node_spec("nvidia-gb200", "other", model)
    assert spec is not None and spec.kind == C.NVL72
    assert spec.host_cost_usd == 0.0
    assert spec.per_node == int(value(defaults, "accelerators_per_node", "gb200_gb300_nvl72_compute_tray"))
    assert spec.rack_size == int(value(defaults, "accelerators_per_node", "gb200_gb300_nvl72_rack"))
    assert spec.power_factor == value(defaults, "it_power_factor", "nvl72_rack_liquid")
    assert spec.liquid_only
    assert model.pue_for(liquid_only=True) == value(defaults, "pue", "liquid_cooled")
    assert model.pue_for(liquid_only=False) == value(defaults, "pue", "air_cooled")
    host = [a for a in used if a.parameter == "host_cost_usd_per_node"]
    assert host and host[0].value == 0.0 and "host" in host[0].source.lower()
    # a scenario host cost never applies to rack-scale systems
    spec2, _, _ = C.node_spec("nvidia-gb200", "other", C.cost_model(defaults, scenario(host_cost_usd_per_node=9e9)))
    assert spec2 is not None and spec2.host_cost_usd == 0.0


def test_tpu_and_unknown_form_factors_are_not_nodes(defaults: pd.DataFrame) -> None:
    model = C.cost_model(defaults, scenario())
    spec, reason, _ = C.node_spec("google-tpu-v5p", "tpu", model)
    assert spec is None and "tpu" in reason


def test_energy_and_tco(defaults: pd.DataFrame) -> None:
    model = C.cost_model(defaults, scenario(years=4))
    e = value(defaults, "energy_usd_per_kwh", "default_us_industrial")
    assert model.energy_usd_per_kwh == e
    fac = C.facility_power_kw(10.0, model.pue_air)
    assert fac == pytest.approx(10.0 * value(defaults, "pue", "air_cooled"))
    assert C.energy_usd(fac, 4.0, e) == pytest.approx(fac * 24 * 365.25 * 4 * e)
    assert C.tco_usd(100.0, 50.0) == 150.0


def test_scenario_overrides_are_labelled(defaults: pd.DataFrame) -> None:
    model = C.cost_model(defaults, scenario(energy_usd_per_kwh=0.2, pue=1.1, host_cost_usd_per_node=1234,
                                           cooling="liquid"))  # fmt: skip
    assert model.energy_usd_per_kwh == 0.2
    assert model.pue_air == model.pue_liquid == 1.1
    spec, _, _ = C.node_spec("nvidia-a30-pcie-24gb", "pcie", model)
    assert spec is not None and spec.host_cost_usd == 1234
    sources = {(a.parameter, a.source) for a in model.assumptions.values()}
    assert ("energy_usd_per_kwh", "scenario") in sources and ("pue", "scenario") in sources
    assert ("host_cost_usd_per_node", "scenario") in sources


def test_a_host_cost_by_platform_or_accelerator_applies_only_there(defaults: pd.DataFrame) -> None:
    """A reviewer: one host_cost_usd_per_node quote (e.g. a PCIe server's) replaced the host of HGX B200 nodes, OAM
    servers and PCIe servers alike. A mapping prices each platform (the defaults' host rows) or accelerator; an id's
    entry wins over its platform's; the rest keep their defaults row; one number still applies to every platform,
    and its Assumption says so."""
    model = C.cost_model(defaults, scenario(host_cost_usd_per_node={"hgx_b200_8gpu_node": 80_000, "pcie_node": 15_000,
                                                                    "amd-mi300x-192gb": 60_000}))
    cases = [("nvidia-b200-sxm-180gb", "sxm", 80_000, "hgx_b200_8gpu_node"),
             ("nvidia-a30-pcie-24gb", "pcie", 15_000, "pcie_node"),
             ("amd-mi300x-192gb", "oam", 60_000, "amd-mi300x-192gb"),  # its own entry
             ("nvidia-h100-sxm5-80gb", "sxm", value(defaults, "host_cost_usd_per_node", "sxm_oam_8gpu_node"), None),
             ("nvidia-b300-sxm-270gb", "sxm", value(defaults, "host_cost_usd_per_node", "hgx_b300_8gpu_node"), None)]
    for acc, form, usd, applies_to in cases:
        spec, _, used = C.node_spec(acc, form, model)
        assert spec is not None and spec.host_cost_usd == usd, acc
        (host,) = [a for a in used if a.parameter == "host_cost_usd_per_node"]
        assert (host.source == "scenario") == (applies_to is not None) and (applies_to is None or
                                                                            host.applies_to == applies_to), host
    spec, _, _ = C.node_spec("nvidia-gb200", "other", model)
    assert spec is not None and spec.host_cost_usd == 0.0  # NVL72 racks include their hosts
    assert not [a for a in model.assumptions.values() if a.parameter == "host_cost_usd_per_node"]  # listed where used
    flat = C.cost_model(defaults, scenario(host_cost_usd_per_node=30_000))
    (said,) = [a for a in flat.assumptions.values() if a.parameter == "host_cost_usd_per_node"]
    assert said.applies_to == C.EVERY_PLATFORM and "every platform" in said.applies_to and said.value == 30_000
    for acc, form, *_ in cases:
        assert C.node_spec(acc, form, flat)[0].host_cost_usd == 30_000


def test_every_default_carries_source_confidence_as_of(defaults: pd.DataFrame) -> None:
    model = C.cost_model(defaults, scenario())
    used = list(model.assumptions.values())
    for acc, ff in [("nvidia-a30-pcie-24gb", "pcie"), ("nvidia-h100-sxm5-80gb", "sxm"), ("nvidia-gb200", "other")]:
        used += C.node_spec(acc, ff, model)[2]
    from_defaults = [a for a in used if a.source.startswith("defaults.csv")]
    assert len(from_defaults) >= 8
    for a in from_defaults:
        assert a.source.strip() != "defaults.csv:" and a.confidence and a.as_of, a


def test_missing_default_row_is_a_catalog_error(defaults: pd.DataFrame) -> None:
    broken = defaults[defaults["parameter"] != "pue"].reset_index(drop=True)
    with pytest.raises(CatalogError, match="pue"):
        C.cost_model(broken, scenario())


def test_no_default_number_is_retyped_in_code(defaults: pd.DataFrame) -> None:
    """The cost and optimizer modules must read defaults, not restate them."""
    files = [REPO / "recommender" / "api.py", *sorted((REPO / "recommender" / "planning").glob("*.py"))]
    code = "\n".join(f.read_text() for f in files)
    code = "\n".join(line.split("#", 1)[0] for line in code.splitlines())  # comments may cite figures
    for v in defaults["value"].dropna().astype(float):
        if v.is_integer() and v <= 100:
            continue  # small counts (4, 8, 72) and 100 (the percent factor) are too generic to check
        text = f"{v:g}" if not v.is_integer() else str(int(v))
        assert not re.search(rf"(?<![\w.]){re.escape(text)}(?![\w.])", code), f"default {text} retyped in code"


def test_years_left_to_the_default_are_not_called_the_scenarios(defaults: pd.DataFrame) -> None:
    # a reviewer: the Markdown assumptions listed `years | scenario | 5` for a scenario that names no years
    default = C.cost_model(defaults, scenario()).assumptions
    assert ("years", "default") in default and ("years", "scenario") not in default
    given = C.cost_model(defaults, scenario(years=3)).assumptions
    assert given[("years", "scenario")].value == 3 and given[("years", "scenario")].source == "scenario"


def test_the_accelerators_with_their_own_scale_out_ports_are_those_whose_notes_say_so() -> None:
    """One rule (``costs.scale_out_on_accelerator``) over the catalog's notes: Gaudi 1, Gaudi2 and Gaudi3, whose
    interconnect is Ethernet ports on the package ("interconnect = 10 x 100 GbE RoCE"; Gaudi 1 was billed NICs, its
    notes lacking "shared by scale-up and scale-out"); a sentence merely naming scale-out elsewhere does not count."""
    acc = catalog.load().accelerators
    own = [a for a, notes in zip(acc["accelerator_id"], acc["notes"], strict=True) if C.scale_out_on_accelerator(notes)]
    assert own == ["intel-gaudi-hl205-32gb", "intel-gaudi2-96gb", "intel-gaudi3-128gb"]
    assert C.scale_out_on_accelerator("interconnect = 10 x 100 GbE RoCE = 125 GB/s per direction")
    assert not C.scale_out_on_accelerator("interconnect = NVLink 5; scale-out: 8 x 400 GbE NICs on the host")
    assert not C.scale_out_on_accelerator("shared by scale-up. Scale-out uses NICs and scale-out switches")
    assert not C.scale_out_on_accelerator(None)
