"""The whole bill: capex, provisioned power, racks and network equal hand-computed figures.

Unit figures (shared defaults.csv): A100 PCIe 80GB 10,000 USD/300 W; GB200 41,667 USD/1,200 W; B200 35,000 USD/
1,000 W; H100 SXM 25,600 USD/700 W; hosts: PCIe 20,000, Hopper HGX 45,000, HGX B200 100,000; NICs 12,000/node;
network per node: direct 6,500, 2-tier 34,000; power factors SXM 1.8, NVL72 1.39, PCIe 1.15 x (TDP + 1.4 kW);
rack limits air 20 kW, DLC 100 kW, NVL72 132 kW; 42U racks, 8U HGX, 4U PCIe.
"""

from __future__ import annotations

import pytest

import catalog
from recommender.planning import bill as B
from recommender.planning.costs import host_platform
from recommender.planning.sources import defaults_frame


@pytest.fixture(scope="module")
def cat():
    return catalog.load()


def test_pcie_20_card_chassis_host_grows_with_cards(cat) -> None:
    b = B.bill_for(cat, "nvidia-a100-pcie-80gb", 20, 1)
    # 20 x 10,000 + host 20,000 x 20/8 = 250,000; no NICs or network for one node
    assert b.capex_usd == pytest.approx(250_000)
    assert b.line("host per node").unit_usd == pytest.approx(50_000)
    assert b.network_tier is None and b.line("NICs per node") is None
    assert b.provisioned_it_power_kw == pytest.approx(1.15 * (20 * 0.300 + 1.4 * 2.5))  # 10.925 kW
    assert b.racks == 1 and b.rack_units == 4
    assert any(a.parameter == "pcie_host_scale_per_card" for a in b.line("host per node").basis)
    # a reviewer: a scenario's host cost was billed x 2.5 with nothing on the line saying why
    assert b.line("host per node").item == "host per node (20-card chassis: x 20/8)"
    assert B.bill_for(cat, "nvidia-a100-pcie-80gb", 8, 1).line("host per node").item == "host per node"


def test_nvl72_is_bought_as_a_whole_rack(cat) -> None:
    b = B.bill_for(cat, "nvidia-gb200", 8, 2)
    assert b.accelerators == 72 and b.nodes == 18
    assert b.capex_usd == pytest.approx(72 * 41_667)  # 3,000,024: host and NICs are in the rack price
    assert b.provisioned_it_power_kw == pytest.approx(1.39 * 72 * 1.2)  # 120.096 kW
    assert b.racks == 1 and b.network_tier is None and b.rack_class == B.RACK_NVL72
    partial = B.bill_for(cat, "nvidia-gb200", 8, 2, partial_rack=True)
    assert partial.accelerators == 8 and partial.capex_usd == pytest.approx(8 * 41_667)


def test_two_b200_nodes(cat) -> None:
    b = B.bill_for(cat, "nvidia-b200-sxm-180gb", 16, 2)
    # 16 x 35,000 + 2 x 100,000 HGX B200 host (its defaults.csv derivation includes 8 x ConnectX-7, so no
    # separate NICs: a reviewer found them charged twice) + 2 x 6,500 direct cables
    assert b.capex_usd == pytest.approx(560_000 + 200_000 + 13_000)  # 773,000
    assert b.line("NICs per node") is None and "ConnectX-7" in b.line("host per node").basis[0].source
    assert b.network_tier == "ib_ndr400_direct_2_nodes"
    assert b.line("scale-out network (ib_ndr400_direct_2_nodes)").total_usd == pytest.approx(13_000)
    assert b.provisioned_it_power_kw == pytest.approx(2 * 1.8 * 8 * 1.0)  # 28.8 kW
    assert b.racks == 2  # 14.4 kW nodes, one per 20 kW air rack


def test_a_node_above_a_standard_air_rack_goes_in_a_dense_one(cat) -> None:
    # a reviewer: 8 x MI355X (1.4 kW) nodes draw 20.16 kW, above the 20 kW standard air rack they were put in
    b = B.bill_for(cat, "amd-mi355x-288gb", 32, 4, cooling="air")
    assert b.node_power_kw == pytest.approx(1.8 * 8 * 1.4) and b.rack_class == B.RACK_AIR_DENSE
    assert any(a.parameter == "rack_power_limit_kw" and a.applies_to == B.RACK_AIR_DENSE for a in b.assumptions)
    assert b.racks == 4  # one 20.16 kW node per 40 kW rack (two would draw 40.3 kW)
    assert B.bill_for(cat, "nvidia-b200-sxm-180gb", 16, 2, cooling="air").rack_class == B.RACK_AIR  # 14.4 kW


def test_hundred_h100_nodes_two_tier_network(cat) -> None:
    b = B.bill_for(cat, "nvidia-h100-sxm5-80gb", 800, 100, cooling="liquid")
    network = 100 * 34_000
    assert b.line("scale-out network (ib_ndr400_2tier_le_1024_nodes)").total_usd == pytest.approx(network)
    assert b.capex_usd == pytest.approx(800 * 25_600 + 100 * 45_000 + 100 * 12_000 + network)  # 29,580,000
    assert b.provisioned_it_power_kw == pytest.approx(100 * 1.8 * 8 * 0.7)  # 1,008 kW
    # DLC rack 100 kW holds 9 nodes of 10.08 kW by power but 5 by space (42U / 8U): 20 racks
    assert b.racks == 20
    assert B.bill_for(cat, "nvidia-h100-sxm5-80gb", 800, 100).racks == 100  # air 20 kW: one node per rack


def test_network_tiers() -> None:
    assert [B.network_tier(n) for n in (1, 2, 3, 64, 65, 1024, 1025)] == [
        None, "ib_ndr400_direct_2_nodes", "ib_ndr400_1tier_le_64_nodes", "ib_ndr400_1tier_le_64_nodes",
        "ib_ndr400_2tier_le_1024_nodes", "ib_ndr400_2tier_le_1024_nodes", "ib_ndr400_3tier_gt_1024_nodes"]


def test_every_line_names_its_source(cat) -> None:
    b = B.bill_for(cat, "nvidia-b200-sxm-180gb", 16, 2)
    for line in b.lines:
        assert line.basis and all(a.source for a in line.basis)
    assert "hgx_b200_8gpu_node" in b.to_markdown()
    assert "; confidence L, as of 20" in b.to_markdown()  # named, not a bare "(…; L, 2025)" or "(…; ?, ?)"
    quoted = B.Assumption(parameter="reference_price_usd", applies_to="x", value=1.0, unit="usd",
                          source="scenario prices")  # fmt: skip
    assert B._short(quoted).endswith("(scenario prices)")  # a scenario's quote has no confidence or date
    # B300 nodes carry their NICs on the baseboard: no NIC line
    d = defaults_frame(cat)
    price = B.price_assumption("nvidia-b200-sxm-180gb", d)
    assert host_platform("nvidia-b300-sxm-270gb", "sxm_oam") == "hgx_b300_8gpu_node"
    assert B.bill("nvidia-b300-sxm-270gb", "sxm", 1100, price, 16, 2, d).line("NICs per node") is None


@pytest.mark.parametrize(("acc", "form", "rows"), [
    ("nvidia-h100-sxm5-80gb", "sxm", [(8, 1), (16, 2), (512, 64), (520, 65), (800, 100), (8200, 1025)]),
    ("nvidia-a100-pcie-80gb", "pcie", [(1, 1), (8, 1), (20, 1), (16, 2), (40, 2)]),
    ("nvidia-b300-sxm-270gb", "sxm", [(8, 1), (24, 3)]),
    ("nvidia-gb200", "other", [(4, 1), (72, 18), (144, 36)]),
    ("amd-mi355x-288gb", "oam", [(8, 1), (32, 4)]),
])  # fmt: skip
def test_bill_arrays_equal_the_bill_row_by_row(cat, acc: str, form: str, rows: list[tuple[int, int]]) -> None:
    import numpy as np

    d = defaults_frame(cat)
    tdp = float(cat.accelerators.set_index("accelerator_id").at[acc, "tdp_watts"])
    a, n = np.array([r[0] for r in rows]), np.array([r[1] for r in rows])
    for cooling in ("liquid", "air"):
        arrays = B.bill_arrays(acc, form, tdp, 10_000.0, a, n, d, cooling=cooling)
        for k, (acc_n, nodes) in enumerate(rows):
            price = B.price_assumption(acc, d, 10_000.0)
            b = B.bill(acc, form, tdp, price, acc_n, nodes, d, cooling=cooling)
            assert arrays["capex_usd"][k] == pytest.approx(b.capex_usd)
            assert arrays["provisioned_it_power_kw"][k] == pytest.approx(b.provisioned_it_power_kw)
            assert arrays["racks"][k] == b.racks and arrays["accelerators"][k] == b.accelerators


def test_candidate_grid_carries_the_bill(cat) -> None:
    """Issue 12: the optimizer's candidates cost what their bill says (hosts by platform, NICs, network)."""
    from optimize_fakes import fake_predict

    from recommender import candidates

    scenario = {"name": "t", "budget_usd": 2e6, "accelerators": ["nvidia-b200-sxm-180gb", "nvidia-h100-sxm5-80gb",
                                                                  "intel-gaudi3-128gb"],
                "workloads": [{"benchmark": "bert", "share": 1}]}  # fmt: skip
    df = candidates(scenario, catalog=cat, predictor=fake_predict)
    for acc, n_acc, nodes in (("nvidia-b200-sxm-180gb", 16, 2), ("nvidia-h100-sxm5-80gb", 24, 3),
                              ("intel-gaudi3-128gb", 24, 3)):  # fmt: skip
        row = df[(df["accelerator_id"] == acc) & (df["accelerators"] == n_acc) & (df["nodes"] == nodes)].iloc[0]
        b = B.bill_for(cat, acc, n_acc, nodes)
        assert float(row["capex_usd"]) == pytest.approx(b.capex_usd)
        assert float(row["it_power_kw"]) == pytest.approx(b.provisioned_it_power_kw)
    b200 = df[(df["accelerator_id"] == "nvidia-b200-sxm-180gb") & (df["accelerators"] == 16)].iloc[0]
    assert float(b200["capex_usd"]) == pytest.approx(773_000)


@pytest.mark.parametrize("acc", ["nvidia-b200-sxm-180gb", "nvidia-b300-sxm-270gb", "nvidia-h100-sxm5-80gb"])
def test_the_assumptions_name_the_host_row_the_bill_charges(acc: str) -> None:
    """A reviewer: the bill charged 4 x $95,000 (hgx_b300_8gpu_node) while the Assumptions section listed the
    Hopper-era sxm_oam_8gpu_node at $45,000 — an auditor reading Assumptions got half the host cost."""
    from recommender import optimize
    from recommender.models import Scenario

    rec = optimize(Scenario.parse({"budget_usd": 2_000_000, "accelerators": [acc],
                                   "workloads": [{"benchmark": "llama2_70b_lora"}]}))
    host_line = next(ln for ln in rec.choice.bill if ln.item.startswith("host per node"))
    hosts = [a for a in rec.assumptions if a.parameter == "host_cost_usd_per_node"]
    assert [(a.applies_to, a.value) for a in hosts] == [(host_platform(acc, "sxm_oam"), host_line.unit_usd)]


def test_a_host_cost_mapping_is_billed_by_platform_and_listed_where_it_applies() -> None:
    """A reviewer: one host_cost_usd_per_node applied to HGX B200 hosts and PCIe servers alike. Per platform, the
    optimizer's bill, its Assumptions and the plan report (which ignored the scenario's host cost) agree."""
    import catalog
    from recommender import optimize
    from recommender.models import Scenario
    from recommender.planning.report import plan_report

    s = Scenario.parse({"budget_usd": 2_000_000, "accelerators": ["nvidia-b200-sxm-180gb", "nvidia-h100-sxm5-80gb"],
                        "workloads": [{"benchmark": "llama2_70b_lora"}],
                        "host_cost_usd_per_node": {"hgx_b200_8gpu_node": 80_000, "pcie_node": 1}})
    rec = optimize(s)
    assert rec.choice.accelerator_id == "nvidia-b200-sxm-180gb"
    host_line = next(ln for ln in rec.choice.bill if ln.item.startswith("host per node"))
    assert host_line.unit_usd == 80_000 and host_line.sources == ["host_cost_usd_per_node[hgx_b200_8gpu_node] scenario"]
    hosts = [(a.applies_to, a.value) for a in rec.assumptions if a.parameter == "host_cost_usd_per_node"]
    assert hosts == [("hgx_b200_8gpu_node", 80_000)]  # pcie_node's entry applies to nothing bought: not listed
    h100 = next(a for a in rec.alternatives if a.accelerator_id == "nvidia-h100-sxm5-80gb").configuration
    default_host = host_platform("nvidia-h100-sxm5-80gb", "sxm_oam")
    h100_host = next(ln for ln in h100.bill if ln.item.startswith("host per node"))
    assert h100_host.sources[0].startswith(f"host_cost_usd_per_node[{default_host}] defaults.csv")
    c = rec.choice
    report = plan_report(catalog.load(), s, c.accelerator_id, c.accelerators, c.nodes, c.weighted_minutes,
                         with_rent=False)  # fmt: skip
    assert report.bill.capex_usd == c.capex_usd and report.bill.line("host per node").unit_usd == 80_000


def test_the_assumptions_name_every_row_the_bills_lines_charge(cat) -> None:
    """The Assumptions section listed the host row but not the NIC and network rows (nor the PCIe chassis rule) a
    multi-node bill charged: for 96 x H100 PCIe in 6 nodes, $324,000 of $2,964,000 capex had no listed row."""
    from recommender import optimize
    from recommender.models import Scenario

    rec = optimize(Scenario.parse({"budget_usd": 3_000_000, "accelerators": ["nvidia-h100-pcie-80gb"],
                                   "workloads": [{"benchmark": "llama2_70b_lora"}]}))  # fmt: skip
    c = rec.choice
    assert c.nodes >= 2 and c.accelerators_per_node > 8  # NICs, a switch tier and the chassis rule on the bill
    b = B.bill_for(cat, c.accelerator_id, c.accelerators, c.nodes)
    charged = {(a.parameter, a.applies_to) for ln in b.lines if ln.item != "accelerators" for a in ln.basis}
    listed = {(a.parameter, a.applies_to) for a in rec.assumptions}
    assert {"nic_cost_usd_per_node", "network_cost_usd_per_node", "pcie_host_scale_per_card"} <= {p for p, _ in charged}
    assert charged <= listed, charged - listed


GAUDI_1 = "intel-gaudi-hl205-32gb"  # 10 x 100 GbE RoCE on the package; its notes say only that


@pytest.mark.parametrize("acc", ["intel-gaudi3-128gb", "intel-gaudi2-96gb", GAUDI_1])
def test_gaudi_nodes_buy_no_nics_and_price_their_ethernet_switch_ports_by_proxy(cat, acc: str) -> None:
    """Gaudi nodes were billed eight ConnectX-7 per node, though defaults.csv's NIC row is for H100/H200/B200/MI3xx
    nodes and the Gaudis' own RoCE Ethernet ports serve scale-out (accelerators.csv notes); their network line,
    priced by the InfiniBand NDR rows, now says it stands in for Ethernet switch ports."""
    import numpy as np

    from recommender.planning import costs as C

    b = B.bill_for(cat, acc, 16, 2, quote_usd=1000.0 if acc == GAUDI_1 else None)  # (Gaudi 1 has no price)
    nic = b.line("NICs per node")
    assert nic.item == "NICs per node (on the accelerator)" and nic.total_usd == 0
    assert [(a.parameter, a.applies_to) for a in nic.basis] == [("nic_cost_usd_per_node", C.SCALE_OUT_ON_ACCELERATOR)]
    assert "planning assumption" in nic.basis[0].source and "scale-out" in nic.basis[0].source
    assert not any("ConnectX" in a.source for ln in b.lines for a in ln.basis)
    net = b.line("scale-out network")
    proxy, row = net.basis
    assert net.item == "scale-out network (ib_ndr400_direct_2_nodes; proxy for Ethernet)"
    assert (proxy.parameter, proxy.applies_to, proxy.confidence) == ("scale_out_proxy", C.SCALE_OUT_ON_ACCELERATOR, "L")
    assert "Ethernet switch ports" in proxy.source and net.unit_usd == pytest.approx(proxy.value * row.value)
    price = b.line("accelerators").unit_usd
    assert b.capex_usd == pytest.approx(16 * price + 2 * b.line("host per node").unit_usd + 2 * net.unit_usd)
    d = defaults_frame(cat)
    tdp = float(cat.accelerators.set_index("accelerator_id").at[acc, "tdp_watts"])
    arrays = B.bill_arrays(acc, "oam", tdp, price, np.array([16, 160]), np.array([2, 20]), d, own_scale_out=True,
                           era=C.scale_out_era(acc, cat.accelerators))  # fmt: skip
    assert arrays["capex_usd"][0] == pytest.approx(b.capex_usd)
    assert arrays["capex_usd"][1] == pytest.approx(B.bill_for(cat, acc, 160, 20, quote_usd=price).capex_usd)


def test_the_optimizers_gaudi_bill_and_assumptions_say_the_nics_are_on_the_accelerator() -> None:
    """The recommendation's own bill (not only ``bill_for``) and its Assumptions: no ConnectX-7 row, the proxy named."""
    from recommender import optimize
    from recommender.models import Scenario
    from recommender.planning import costs as C

    rec = optimize(Scenario.parse({"budget_usd": 3_000_000, "accelerators": ["intel-gaudi3-128gb"],
                                   "workloads": [{"benchmark": "llama2_70b_lora"}]}))  # fmt: skip
    c = rec.choice
    assert c.nodes >= 2
    items = {ln.item: ln for ln in c.bill}
    assert items["NICs per node (on the accelerator)"].total_usd == 0
    assert sum(ln.total_usd for ln in c.bill) == pytest.approx(c.capex_usd)
    listed = {(a.parameter, a.applies_to) for a in rec.assumptions}
    assert {("nic_cost_usd_per_node", C.SCALE_OUT_ON_ACCELERATOR), ("scale_out_proxy", C.SCALE_OUT_ON_ACCELERATOR)} <= listed
    assert ("nic_cost_usd_per_node", C.NIC_8X400G) not in listed


@pytest.mark.parametrize("acc", ["nvidia-l40s-48gb", "nvidia-h100-pcie-80gb", "nvidia-rtx-pro-6000-blackwell-server-96gb"])
def test_a_pcie_servers_nics_and_ports_cite_the_8_gpu_sxm_oam_rows_as_a_proxy(cat, acc: str) -> None:
    """A multi-node PCIe purchase was billed the SXM/OAM 8-GPU NIC row (8 x ConnectX-7 400G) with nothing on the line
    saying it stands in for a PCIe server's NICs (defaults.csv has no PCIe NIC row): the line now cites the
    ``scale_out_proxy[pcie_node]`` planning assumption (confidence L), a ratio the bill applies."""
    import numpy as np

    from recommender.planning import costs as C

    b = B.bill_for(cat, acc, 16, 2)
    proxies = []
    for item in ("NICs per node", "scale-out network"):
        proxy = next(a for a in b.line(item).basis if a.parameter == "scale_out_proxy")
        assert proxy.applies_to == "pcie_node" and proxy.confidence == "L" and "8-GPU SXM/OAM" in proxy.source
        proxies.append(proxy)
    nic = b.line("NICs per node")
    assert nic.basis[-1].applies_to == C.NIC_8X400G and nic.unit_usd == pytest.approx(proxies[0].value
                                                                                      * nic.basis[-1].value)  # fmt: skip
    d = defaults_frame(cat).copy()
    d.loc[(d["parameter"] == "scale_out_proxy") & (d["applies_to"] == "pcie_node"), "value"] = 0.5
    info = cat.accelerators.set_index("accelerator_id").loc[acc]
    price = b.line("accelerators").basis[0]
    half = B.bill(acc, "pcie", float(info["tdp_watts"]), price, 16, 2, d)
    for item in ("NICs per node", "scale-out network"):
        assert half.line(item).total_usd == pytest.approx(b.line(item).total_usd / 2)
    arrays = B.bill_arrays(acc, "pcie", float(info["tdp_watts"]), price.value, np.array([16]), np.array([2]), d)
    assert arrays["capex_usd"][0] == pytest.approx(half.capex_usd)
    h100 = B.bill_for(cat, "nvidia-h100-sxm5-80gb", 16, 2)  # the rows are an 8-GPU SXM node's own: no proxy
    assert not any(a.parameter == "scale_out_proxy" for ln in h100.lines for a in ln.basis)


@pytest.mark.parametrize("acc", ["amd-mi355x-288gb", "amd-mi350x-288gb", "amd-mi325x-256gb", "amd-mi300x-192gb"])
def test_an_amd_instinct_nodes_host_is_named_the_generic_sxm_oam_row(cat, acc: str) -> None:
    """defaults.csv has no AMD Instinct host row, so MI3xx nodes are priced by the generic SXM/OAM row, derived from
    H100 servers; the bill line and the Assumptions gave only that derivation, as if it were the node's own."""
    from recommender.planning import costs as C

    d = defaults_frame(cat)
    hosts = set(d.loc[d["parameter"] == "host_cost_usd_per_node", "applies_to"])
    assert not any("amd" in h or "mi3" in h for h in hosts)  # the data: nothing AMD-specific
    host = B.bill_for(cat, acc, 16, 2).line("host per node").basis[0]
    assert host.applies_to == C.GENERIC_HOST
    assert host.source.startswith("defaults.csv: generic SXM/OAM host row, no row of this node's own (only "
                                  "hgx_b200_8gpu_node and hgx_b300_8gpu_node have one): defaults_proposal.md")  # fmt: skip
    b200 = B.bill_for(cat, "nvidia-b200-sxm-180gb", 16, 2).line("host per node").basis[0]
    assert "generic" not in b200.source  # a row of its own
    if acc == "amd-mi355x-288gb":  # the recommendation's Assumptions say it too
        from recommender import optimize
        from recommender.models import Scenario

        rec = optimize(Scenario.parse({"budget_usd": 2_000_000, "accelerators": [acc],
                                       "workloads": [{"benchmark": "llama2_70b_lora"}]}))  # fmt: skip
        listed = [a for a in rec.assumptions if a.parameter == "host_cost_usd_per_node"]
        assert [a.source for a in listed] == [host.source]


def test_the_plan_reports_bill_shows_each_source_in_full(cat) -> None:
    """The bill table cut every source at 90 characters: an H100 node's host line kept the label "generic SXM/OAM host
    row, no row of this node's own (only hgx_b200_8gpu_nod…" and lost the derivation the row's figure rests on."""
    b = B.bill_for(cat, "nvidia-h100-sxm5-80gb", 512, 64)
    md = b.to_markdown()
    for line in b.lines:
        for a in line.basis:
            assert a.source in md
    host = b.line("host per node").basis[0]
    assert "generic SXM/OAM host row" in host.source and "DGX H100 270000" in md
    assert "…" not in md


def _with_proxy(cat, applies_to: str, value: float):
    d = defaults_frame(cat).copy()
    d.loc[(d["parameter"] == "scale_out_proxy") & (d["applies_to"] == applies_to), "value"] = value
    return d


@pytest.mark.parametrize("acc", ["nvidia-a100-sxm4-80gb", "nvidia-a100-sxm4-40gb", "amd-mi250x-128gb"])
def test_an_sxm_oam_node_older_than_400g_cites_the_400g_rows_as_a_proxy(cat, acc: str) -> None:
    """A100 (and MI250X) nodes were billed eight ConnectX-7 400G NICs and NDR400 ports as if they were the node's own,
    though their MLPerf systems had 200G HDR (A100) or 100G EDR (V100) parts and defaults.csv prices neither: the
    lines now cite ``scale_out_proxy[sxm_oam_node_before_400g]`` (confidence L), a ratio the bill applies, for an
    SXM/OAM part released before the H100 (accelerators.csv release_date)."""
    import numpy as np

    from recommender.planning import costs as C

    b = B.bill_for(cat, acc, 16, 2)
    for item in ("NICs per node", "scale-out network"):
        proxy = next(a for a in b.line(item).basis if a.parameter == "scale_out_proxy")
        assert proxy.applies_to == C.BEFORE_400G and proxy.confidence == "L" and "before the H100" in proxy.source
    assert b.line("scale-out network").item.endswith("; proxy for 200G/100G)")
    d = _with_proxy(cat, C.BEFORE_400G, 0.5)
    info = cat.accelerators.set_index("accelerator_id").loc[acc]
    price = b.line("accelerators").basis[0]
    era = C.scale_out_era(acc, cat.accelerators)
    half = B.bill(acc, info["form_factor"], float(info["tdp_watts"]), price, 16, 2, d, era=era)
    for item in ("NICs per node", "scale-out network"):
        assert half.line(item).total_usd == pytest.approx(b.line(item).total_usd / 2)
    arrays = B.bill_arrays(acc, info["form_factor"], float(info["tdp_watts"]), price.value, np.array([16]),
                           np.array([2]), d, era=era)  # fmt: skip
    assert arrays["capex_usd"][0] == pytest.approx(half.capex_usd)


def test_the_parts_older_than_400g_are_those_released_before_the_h100(cat) -> None:
    from recommender.planning import costs as C

    older = {a for a in cat.accelerators["accelerator_id"] if C.scale_out_era(a, cat.accelerators) == C.BEFORE_400G}
    assert {"nvidia-v100-sxm2-16gb", "nvidia-v100-sxm3-32gb", "nvidia-a100-sxm4-40gb", "nvidia-a100-sxm4-80gb",
            "amd-mi250x-128gb"} <= older  # fmt: skip
    newer = {"nvidia-h100-sxm5-80gb", "nvidia-h200-sxm-141gb", "nvidia-b200-sxm-180gb", "amd-mi300x-192gb",
             "amd-mi355x-288gb", "intel-gaudi3-128gb", "nvidia-gb200",
             "nvidia-h100-sxm5-96gb"}  # (no release date: nothing says it is older)  # fmt: skip
    assert not older & newer
    for acc in ("nvidia-h100-sxm5-80gb", "nvidia-h200-sxm-141gb", "amd-mi300x-192gb", "nvidia-h100-sxm5-96gb"):
        b = B.bill_for(cat, acc, 16, 2)  # the rows are an 8-GPU 400G node's own: no proxy
        assert not any(a.parameter == "scale_out_proxy" for ln in b.lines for a in ln.basis)


@pytest.mark.parametrize(("acc", "n", "nodes"), [("nvidia-b300-sxm-270gb", 16, 2), ("nvidia-gb300", 144, 36)])
def test_an_800g_fabrics_network_line_says_the_ndr400_rows_stand_in_and_to_expect_higher(cat, acc, n, nodes) -> None:
    """B300 and GB300 networks were priced by the InfiniBand NDR400 rows with nothing on the line saying so, though
    defaults.csv's own notes say no 800G XDR/Spectrum-X price was found, "expect higher": the line now reads "proxy
    for 800G: expect higher" and cites ``scale_out_proxy[b300_gb300_800g_fabric]`` (confidence L), a ratio applied."""
    import numpy as np

    from recommender.planning import costs as C

    b = B.bill_for(cat, acc, n, nodes)
    net = b.line("scale-out network")
    assert "proxy for 800G: expect higher" in net.item
    proxy = next(a for a in net.basis if a.parameter == "scale_out_proxy")
    assert proxy.applies_to == C.FABRIC_800G and proxy.confidence == "L" and "expect higher" in proxy.source
    d = _with_proxy(cat, C.FABRIC_800G, 2.0)
    info = cat.accelerators.set_index("accelerator_id").loc[acc]
    price = b.line("accelerators").basis[0]
    double = B.bill(acc, info["form_factor"], float(info["tdp_watts"]), price, n, nodes, d, era=C.FABRIC_800G)
    assert double.line("scale-out network").total_usd == pytest.approx(2 * net.total_usd)
    arrays = B.bill_arrays(acc, info["form_factor"], float(info["tdp_watts"]), price.value, np.array([n]),
                           np.array([nodes]), d, era=C.FABRIC_800G)  # fmt: skip
    assert arrays["capex_usd"][0] == pytest.approx(double.capex_usd)
    gb200 = B.bill_for(cat, "nvidia-gb200", 144, 36)  # 400G: the rows as they are
    assert not any(a.parameter == "scale_out_proxy" for ln in gb200.lines for a in ln.basis)


def test_the_800g_parts_are_those_defaults_csvs_notes_name(cat) -> None:
    """``costs.FABRIC_800G_PARTS`` follows the note of defaults.csv that says to expect higher for 800G fabrics."""
    import re

    from recommender.planning import costs as C

    d = defaults_frame(cat)
    notes = " ".join(d.loc[d["parameter"] == "network_cost_usd_per_node", "notes"].dropna().astype(str))
    named = re.search(r"800G[^.]*\(([^)]*)\)[^.]*expect higher", notes)
    assert named is not None
    assert tuple(x.lower() for x in named.group(1).split("/")) == C.FABRIC_800G_PARTS


def test_the_optimizers_a100_bill_and_assumptions_name_the_400g_proxy() -> None:
    from recommender import optimize
    from recommender.models import Scenario
    from recommender.planning import costs as C

    rec = optimize(Scenario.parse({"budget_usd": 2_000_000, "accelerators": ["nvidia-a100-sxm4-80gb"],
                                   "workloads": [{"benchmark": "llama2_70b_lora"}]}))  # fmt: skip
    c = rec.choice
    assert c.nodes >= 2
    assert sum(ln.total_usd for ln in c.bill) == pytest.approx(c.capex_usd)
    assert any("scale_out_proxy[sxm_oam_node_before_400g]" in s for ln in c.bill for s in ln.sources)
    assert ("scale_out_proxy", C.BEFORE_400G) in {(a.parameter, a.applies_to) for a in rec.assumptions}


def test_a_liquid_cooled_node_names_the_air_power_factor_as_its_proxy_or_takes_a_liquid_row(cat) -> None:
    """A buyer's review: a liquid-cooled MI355X was billed with the ``sxm_oam_8gpu_air_node`` power factor without a
    word. defaults.csv has no liquid row, so the recommendation's Assumptions say the air row is the proxy (an air
    part under no cooling keeps the plain air row); with a liquid row, the bill, the grid and the spec take it."""
    import numpy as np
    import pandas as pd

    from recommender import optimize
    from recommender.models import Scenario
    from recommender.planning import costs as C

    rec = optimize(Scenario.parse({"objective": "min_tco", "required_mixes_per_day": 5,
                                   "accelerators": ["amd-mi355x-288gb"],
                                   "workloads": [{"benchmark": "llama2_70b_lora"}]}))  # fmt: skip
    factors = [a for a in rec.assumptions if a.parameter == "it_power_factor"]
    assert [a.applies_to for a in factors] == [C.LIQUID_PROXY]
    assert "air row it_power_factor[sxm_oam_8gpu_air_node] is used as a proxy" in factors[0].source
    air = optimize(Scenario.parse({"budget_usd": 500_000, "accelerators": ["amd-mi300x-192gb"],
                                   "workloads": [{"benchmark": "llama2_70b_lora"}]}))  # fmt: skip
    assert [a.applies_to for a in air.assumptions if a.parameter == "it_power_factor"] == [C.POWER_FACTOR_AIR]
    # a liquid row, when defaults.csv has one, is the one a liquid-cooled node is billed with
    d = defaults_frame(cat)
    row = d[(d["parameter"] == "it_power_factor") & (d["applies_to"] == C.POWER_FACTOR_AIR)].assign(
        applies_to=C.POWER_FACTOR_LIQUID, value=1.5)
    liquid = pd.concat([d, row], ignore_index=True)
    tdp = float(cat.accelerators.set_index("accelerator_id").at["amd-mi355x-288gb", "tdp_watts"])
    price = B.price_assumption("amd-mi355x-288gb", liquid)
    b = B.bill("amd-mi355x-288gb", "oam", tdp, price, 8, 1, liquid, liquid_only=True)
    assert b.node_power_kw == pytest.approx(1.5 * 8 * tdp / 1000)
    assert [a.applies_to for a in b.assumptions if a.parameter == "it_power_factor"] == [C.POWER_FACTOR_LIQUID]
    arrays = B.bill_arrays("amd-mi355x-288gb", "oam", tdp, price.value, np.array([8]), np.array([1]), liquid,
                           liquid_only=True)  # fmt: skip
    assert arrays["provisioned_it_power_kw"][0] == pytest.approx(b.provisioned_it_power_kw)
    spec, _, used = C.node_spec("amd-mi355x-288gb", "oam", C.cost_model(liquid, Scenario.parse(
        {"budget_usd": 1e6, "workloads": [{"benchmark": "bert"}]})), liquid_part=True)  # fmt: skip
    assert spec is not None and spec.power_factor == 1.5
    assert [a.applies_to for a in used if a.parameter == "it_power_factor"] == [C.POWER_FACTOR_LIQUID]
    air_b = B.bill("amd-mi300x-192gb", "oam", 750.0, price, 8, 1, liquid)  # air-cooled: the air row still
    assert air_b.node_power_kw == pytest.approx(float(d.loc[row.index[0], "value"]) * 8 * 0.75)


def test_the_rack_power_limit_behind_the_rack_count_is_in_the_assumptions(cat) -> None:
    """A buyer's review: "N rack(s)" rested on a rack power limit the Assumptions did not list. The row the racks are
    counted at (value, source, confidence) is in the Assumptions, on the configuration, and beside the rack count in
    the Markdown bill, the CLI's text and the plan report."""
    from pathlib import Path

    from click.testing import CliRunner

    from recommender import optimize
    from recommender.cli import cli
    from recommender.models import Scenario
    from recommender.planning.report import plan_report

    seed = Path(__file__).resolve().parents[1] / "examples" / "seed.yaml"
    rec = optimize(seed)
    limits = [a for a in rec.assumptions if a.parameter == "rack_power_limit_kw"]
    d = defaults_frame(cat)
    row = d[(d["parameter"] == "rack_power_limit_kw") & (d["applies_to"] == B.RACK_AIR)].iloc[0]
    assert [(a.applies_to, a.value, a.confidence) for a in limits] == [(B.RACK_AIR, row["value"], row["confidence"])]
    assert limits[0].source == f"defaults.csv: {row['source']}"
    assert rec.choice.rack_power_limit == limits[0]
    said = f"in 1 rack (at {row['value']:g} kW a rack: rack_power_limit_kw[air_cooled_standard] (confidence "
    assert said in rec.to_markdown()
    text = CliRunner().invoke(cli, ["optimize", str(seed)]).output
    assert (f"in 1 rack(s) (at {row['value']:g} kW a rack: rack_power_limit_kw[air_cooled_standard] defaults.csv: "
            f"{row['source']} (confidence {row['confidence']}") in text
    s = Scenario.parse({"budget_usd": 1e6, "workloads": [{"benchmark": "bert"}]})
    report = plan_report(cat, s, "amd-mi325x-256gb", 16, 2, 30.0, with_rent=False).to_markdown()
    assert f"(2 rack(s) at {row['value']:g} kW a rack: rack_power_limit_kw[air_cooled_standard] defaults.csv: " in report
