"""The English explanation of an answer (and of an infeasible scenario)."""

from __future__ import annotations

import numpy as np

from recommender import format as fmt
from recommender.models import (
    Alternative,
    Configuration,
    Objective,
    is_custom_estimate,
    is_custom_measurement,
)
from recommender.planning import costs as C
from recommender.planning import risk as R
from recommender.planning import solve as S
from recommender.planning.binding import MATERIAL_GAIN, bound_together, gain, material
from recommender.planning.feasibility import base_mask, memory_sentence, objective_arrays, risk_arrays
from recommender.planning.grid import MAX_GENERATED_ACCELERATORS
from recommender.planning.results import configuration
from recommender.planning.table import Prepared


def unit_text(obj: Objective, risk: str | None = None) -> str:
    """The objective's unit in sentences; under ``risk: p80`` the minutes are the intervals' upper ends."""
    return R.unit_label({Objective.MIN_TIME: "share-weighted minutes", Objective.MAX_THROUGHPUT: "mixes/day",
                       Objective.MIN_TCO: "USD TCO"}[obj], risk)  # fmt: skip


def value_text(obj: Objective, risk: str | None, value: float) -> str:
    """An objective value in a sentence: ``$76,111 TCO``, ``27.5 share-weighted p80 minutes``."""
    if obj == Objective.MIN_TCO:
        return f"{fmt.money(value)} TCO"
    shown = fmt.per_day(value) if obj == Objective.MAX_THROUGHPUT else fmt.amount(value)
    return f"{shown} {unit_text(obj, risk)}"


def describe(c: Configuration) -> str:
    kind = {"nvl72": "NVL72 compute tray", "pcie": "PCIe server", "sxm_oam": "8-way server"}.get(
        c.form_factor or "", "node")
    nodes = f"{fmt.count(c.nodes)} {kind}{'s' if c.nodes != 1 else ''}"
    prefix = f"{fmt.count(c.count)} x (" if c.count > 1 else ""
    suffix = ")" if c.count > 1 else ""
    return f"{prefix}{fmt.count(c.accelerators)} x {c.accelerator_name or c.accelerator_id} in {nodes}{suffix}"


def chassis_notes(p: Prepared, configs: list[Configuration]) -> list[str]:
    """A sentence for each bought PCIe chassis above the usual size (the defaults' PCIe node, whose host the bill
    scales with the card count, :func:`recommender.planning.bill._pcie_scale`): a buyer acts on the headline, and
    the scaling was only in the bill's source (a reviewer: "16 x A100 PCIe in 1 node of 16" read as usual)."""
    from recommender.planning.sources import planning_assumption

    usual = int(planning_assumption("accelerators_per_node", "pcie", p.model.defaults).value)
    rule = planning_assumption("pcie_host_scale_per_card", "pcie_node_above_8_cards", p.model.defaults)
    return [(f"{c.accelerators_per_node} cards in one PCIe server is a chassis size MLPerf systems used with cards "
             f"of this power, not the usual server: its host, NICs and network are priced as the usual server's "
             f"scaled with the card count ({c.accelerators_per_node}-card chassis: x {c.accelerators_per_node}/{usual}; "
             f"a planning assumption, confidence {rule.confidence or 'not given'}); get a vendor quote for such a "
             "chassis.") for c in configs if c.form_factor == "pcie" and c.accelerators_per_node > usual]


def below_capex(p: Prepared, c: Configuration) -> str:
    """Why a TCO is below capex, when it is: the salvage (a planning assumption, by default) outweighs the energy."""
    if p.plan is None or c.salvage_usd is None or c.tco_usd >= c.capex_usd:
        return ""
    f = p.plan.financing
    return (f", below capex: the resale after {fmt.amount(f.years)} years ({fmt.percent(f.salvage_fraction)} of "
            f"capex, salvage_fraction; {fmt.money(c.salvage_usd)} in present value) outweighs the energy "
            f"({fmt.money(c.energy_usd)}), and no maintenance or support is counted")


def describe_many(cs: list[Configuration]) -> str:
    return " + ".join(describe(c) for c in cs) if cs else "nothing"


def explain_single(p: Prepared, i: int, r: S.ChoiceResult, binding: list[str],
                   relaxed: dict[str, tuple[Prepared, int] | None],
                    n_feasible: int, n_pruned: int, alternatives: list[Alternative], *,
                    checked: bool = True) -> list[str]:  # fmt: skip
    s, t = p.scenario, p.table
    c = configuration(p, i)
    per = ", ".join(f"{w.workload} {fmt.amount(w.minutes)}" for w in c.workloads)
    out = [
        (f"Buy {describe(c)}: capex {fmt.money(c.capex_usd)}, IT power {fmt.amount(c.it_power_kw)} kW "
         f"({fmt.amount(c.facility_power_kw)} kW at PUE {c.pue:.2f}), TCO (present value over "
         f"{fmt.amount(s.years)} years) {fmt.money(c.tco_usd)}{below_capex(p, c)}."),
        (f"Share-weighted minutes to train {fmt.amount(c.weighted_minutes)} ({per}){p80_text(p, i)}; "
         f"{fmt.per_day(c.mixes_per_day)} mixes per day (a mix: one training shared among the workloads by their "
         "shares, which sum to 1 — not a run of each)."),
        *chassis_notes(p, [c]),
    ]
    at = " at p80 minutes" if R.resolve(s.risk) == R.P80 else ""
    what = {Objective.MIN_TIME: f"the lowest {unit_text(s.objective, s.risk)} to train",
            Objective.MAX_THROUGHPUT: f"the most mixes per day{at}",
            Objective.MIN_TCO: (f"the lowest TCO that trains the mix {fmt.amount(s.required_mixes_per_day)} times "
                                f"per day{at}")}
    out.append(f"Of {len(t):,} candidate{'s' if len(t) != 1 else ''}, {n_feasible:,} fit the limits and {n_pruned:,} "
               f"{'is' if n_pruned == 1 else 'are'} not dominated; this one has {what[s.objective]} (ties go to the "
               "cheaper, then the less power-hungry).")
    usage = []
    for name, limit in p.limits.items():
        use = float(t.res.usage(name)[i])
        label = {"budget": "the budget", "power": "the power limit", "rack_units": "the rack space",
                 "max_nodes": "the node limit", "max_accelerators": "the accelerator limit"}[name]  # fmt: skip
        usage.append(f"{use / limit * 100:.0f} % of {label} ({fmt.limit(name, limit)})")
    if usage:
        out.append("It uses " + ", ".join(usage) + ".")
    together = [n for n in binding if n != "memory"] if bound_together(binding, relaxed) else []
    if together:
        out.append(f"Binding together: {' and '.join(LIMIT_LABEL[n] for n in together)} — relaxing any one of them "
                   "alone buys nothing better, relaxing them together does.")
    for name in binding:
        if name in together:
            continue
        found = relaxed.get(name)  # (the table it is in: the scenario's, or one without that limit; position)
        q, j = found if found is not None else (p, None)
        label = {"budget": "budget", "power": "power limit", "rack_units": "rack space", "max_nodes": "node limit",
                 "max_accelerators": "accelerator limit", "memory": "minimum accelerator memory"}[name]  # fmt: skip
        if j is not None and name != "memory":
            out.append(better_option(p, q, j, name, label, r.objective))
        elif j is not None:
            out.append(f"Binding: the {label}. Without it, {describe(configuration(q, j))} would be chosen.")
        else:
            out.append(f"Binding: the {label}.")
    if not binding and checked and p.limits.items():
        out.append("No limit binds: relaxing any one limit would not buy a better answer among the candidates.")
        largest = int(np.max(t.accelerators[t.acc == t.acc[i]]))
        if int(t.accelerators[i]) == largest and largest >= MAX_GENERATED_ACCELERATORS // 2:
            out.append(f"It is the largest configuration of {c.accelerator_name or c.accelerator_id} considered: "
                       f"candidates stop at {MAX_GENERATED_ACCELERATORS:,} accelerators of one model, so a larger "
                       "one might be faster still.")
    runner = runner_up(p, c, alternatives)
    if runner:
        out.append(runner)
    out.append(basis_sentence(c))
    p80_minutes = float(risk_arrays(p)[0][i]) if R.resolve(s.risk) == R.P80 else None
    for note in (cooling_note(p, [c]), rack_note(p, [c]), rate_note(p, c.mixes_per_day, p80_minutes), licence_note([c]),
                 fleet_hint(p, c)):
        if note:
            out.append(note)
    acc = str(t.acc[i])
    if acc in s.prices:
        out.append(f"The price of {acc} is the scenario's ({p.prices[acc][1].removeprefix('scenario prices: ')}), "
                   "not a catalog reference price.")
    if p.allow_note:
        out.append(p.allow_note)
    return out


def better_option(p: Prepared, q: Prepared, j: int, name: str, label: str, chosen: float | None) -> str:
    """The binding sentence of limit ``name`` naming its smallest better option, candidate ``j`` of table ``q``
    (:func:`recommender.planning.single.nearest_better`), with how much better it is than the choice: by
    :data:`~recommender.planning.binding.MATERIAL_GAIN` or more, or, when nothing is, plainly how little."""
    s = p.scenario
    sense = objective_arrays(q)[1]
    need = float(q.table.res.usage(name)[j])
    limit = dict(p.limits.items())[name]
    pct = fmt.signed_percent(gain(q, j, chosen, sense)).lstrip("+")
    how = {Objective.MIN_TIME: f"{pct} less time", Objective.MIN_TCO: f"{pct} cheaper",
           Objective.MAX_THROUGHPUT: f"{pct} more mixes per day"}[s.objective]  # fmt: skip
    what = (f"{describe(configuration(q, j))}, needs {fmt.limit(name, need)} ({fmt.signed_percent(need / limit - 1)}) "
            f"and reaches {value_text(s.objective, s.risk, float(objective_arrays(q)[0][j]))}")
    least = f"{MATERIAL_GAIN * 100:g} %"
    if material(q, j, chosen, sense):
        return f"Binding: the {label}. The smallest better option (by {least} or more), {what}, {how}."
    return (f"Binding: the {label}. Only a small gain lies beyond it: the smallest better option, {what}, only {how} "
            f"(no candidate within the other limits is {least} better).")


def runner_up(p: Prepared, c: Configuration, alternatives: list[Alternative]) -> str | None:
    """The best other accelerator's sentence, with its minutes' bases (a reviewer: its figure had none) and, when
    ranked at p80, both expected figures (a reviewer: a runner-up "+16 %" at p80 was faster expected)."""
    runner = next((a for a in alternatives if a.configuration is not None), None)
    if runner is None or runner.configuration is None:
        return None
    expected = ""
    if p.scenario.objective == Objective.MIN_TIME and p.scenario.risk != "expected":
        expected = (f"; expected {fmt.amount(runner.configuration.weighted_minutes)} share-weighted minutes, the "
                    f"choice {fmt.amount(c.weighted_minutes)}")
    return f"Runner-up: {runner.reason} (its minutes: {bases_brief(runner.configuration)}{expected})."


def p80_text(p: Prepared, i: int) -> str:
    """``, 32.6 at the intervals' upper ends (p80)`` under risk p80, else ''."""
    if R.resolve(p.scenario.risk) != R.P80:
        return ""
    return f", {fmt.amount(float(risk_arrays(p)[0][i]))} at the intervals' upper ends (p80)"


def bases_brief(c: Configuration) -> str:
    """A configuration's minutes by basis: ``3 predicted``, ``2 carried, 1 predicted``."""
    counts: dict[str, int] = {}
    for w in c.workloads:
        counts[w.basis] = counts.get(w.basis, 0) + 1
    order = ["measured", "carried", "predicted", "specs_only", "does_not_fit"]
    return ", ".join(f"{counts[b]} {b}" for b in sorted(counts, key=lambda b: order.index(b) if b in order else 9))


def basis_sentence(c: Configuration) -> str:
    """Where the chosen configuration's minutes come from; says so when the choice rests on carried or
    specs-only figures."""
    by: dict[str, list[str]] = {}
    for w in c.workloads:  # a custom workload's figure is its own measurement carried by the model's shapes
        key = ("custom" if is_custom_estimate(w.basis, w.source) else
               "yours" if is_custom_measurement(w.basis, w.source) else w.basis)
        by.setdefault(key, []).append(w.workload)
    if set(by) == {"measured"}:
        return "All minutes were measured on this exact configuration in the target round (MLPerf results)."
    if set(by) == {"predicted"}:
        return "All minutes are predictions of the performance model (intervals in the table)."
    what = {"measured": "measured on this exact configuration in the target round for {}",
            "yours": "measured by you on this configuration for {} (custom workload: your own measurement, not an MLPerf result)",
            "custom": ("predicted from your own measurement for {} (custom workload: scaled to this configuration "
                       "by the performance model; the source says from which benchmarks' shapes)"),
            "carried": ("carried for {} (measured on this configuration in an earlier round, moved to today's "
                        "software by the model's trend; the source names the round)"),
            "predicted": "predicted by the performance model for {}",
            "specs_only": ("specs only for {} (the accelerator has no MLPerf result: predicted from its datasheet; "
                           "its interval is calibrated on earlier accelerators' first results, each basis on its "
                           "own, so it can be narrower than a predicted figure's)")}
    # (a choice resting on carried, predicted or specs-only figures is flagged once, by planning.risk.risk_note)
    return "Minutes " + "; ".join(what[b].format(", ".join(by[b])) for b in what if b in by) + "."


LIMIT_LABEL = {"budget": "the budget", "power": "the power limit", "rack_units": "the rack space",
                "max_nodes": "the node limit", "max_accelerators": "the accelerator limit"}


def explain_mix(p: Prepared, configs: list[Configuration], value: float, binding: list[str],
                 single_best: float | None, n_pruned: int, solver: str = "cbc", *,
                 checked: bool = False) -> list[str]:  # fmt: skip
    s = p.scenario
    capex = sum(c.capex_usd * c.count for c in configs)
    power = sum(c.it_power_kw * c.count for c in configs)
    out = [f"Buy {describe_many(configs)}: capex {fmt.money(capex)}, IT power {fmt.amount(power)} kW.",
           (f"Objective {s.objective.value}: {value_text(s.objective, s.risk, value)} (mix mode: workloads split across "
            f"configurations, solved by {'HiGHS' if solver == 'highs' else 'CBC'} over {n_pruned} non-dominated "
            "candidates).")]
    out += chassis_notes(p, configs)
    if s.objective == Objective.MIN_TIME:
        out.append("In mix mode min_time is the share-weighted minutes of each workload on the configuration that "
                   "trains it (each bought once: more copies would not shorten a run); every run's minutes are "
                   "in the table.")
    for c in configs:
        parts = [f"{n} {v * 100:.0f} %" for n, v in c.serves.items() if v > 1e-6]
        out.append(f"{describe(c)} serves " + (", ".join(parts) if parts else "nothing") + ".")
    usage = {"budget": capex, "power": power,
             "rack_units": sum((c.rack_units or 0.0) * c.count for c in configs),
             "max_nodes": sum(c.nodes * c.count for c in configs),
             "max_accelerators": sum(c.accelerators * c.count for c in configs)}  # fmt: skip
    used = [f"{usage[name] / limit * 100:.0f} % of {LIMIT_LABEL[name]}" for name, limit in p.limits.items()
            if limit > 0]  # fmt: skip
    if used:
        out.append("It uses " + ", ".join(used) + ".")
    weak = [b.replace("_", "-") for b in weak_bases(configs)]
    if weak:
        used = {w.basis for c in configs for w in c.workloads if c.serves.get(w.workload, 0.0) > 1e-6}
        partly = "in part " if used - R.UNCERTAIN_BASES else ""
        out.append(f"The choice rests {partly}on {' and '.join(weak)} figures: check the intervals in the table.")
    if single_best is not None:
        out.append(f"The best single configuration reaches {value_text(s.objective, s.risk, single_best)}; the mix is never worse: the "
                   "solver starts from the best fleet of one configuration and keeps it unless it finds better.")
    said = mix_binding(p, binding, usage, checked)
    if said:
        out.append(said)
    out += [n for n in (cooling_note(p, configs), rack_note(p, configs), licence_note(configs)) if n]
    if p.allow_note:
        out.append(p.allow_note)
    out.append(R.risk_sentence(s.risk, given=s.risk is not None))
    return out


def mix_binding(p: Prepared, binding: list[str], usage: dict[str, float], checked: bool) -> str | None:
    """The fleet's binding sentence, as a single configuration's explanation has one: the limits that bind, by
    their names; or, when the what-if re-solves found none (``checked``), that none does, with the slack the
    solver's fleet leaves in each limit — and, under min_tco, that the required rate sizes the purchase. None when
    the what-ifs were not run or the scenario sets no limit (a reviewer: a min_tco fleet said nothing of it)."""
    names = [n for n in binding if n in LIMIT_LABEL]
    if names:
        one = len(names) == 1
        return (f"Binding: {' and '.join(LIMIT_LABEL[n] for n in names)} — relaxing {'it' if one else 'any of them'} "
                "buys a better fleet.")
    limits = [(n, v) for n, v in p.limits.items() if v > 0]
    if not checked or not limits:
        return None
    slack = " and ".join(f"{fmt.limit(n, max(v - usage[n], 0.0))} of {LIMIT_LABEL[n]}"
                         for n, v in limits)
    s = p.scenario
    rate = ""
    if s.objective == Objective.MIN_TCO and s.required_mixes_per_day is not None:
        rate = (f"; the required rate, {fmt.amount(s.required_mixes_per_day)} "
                f"{R.unit_label('mixes/day', s.risk)}, sizes the purchase")
    return (f"No limit binds: a looser limit would not buy a better fleet (the fleet leaves {slack} unused)"
            f"{rate}.")


def rate_note(p: Prepared, mixes_per_day: float, p80_weighted_minutes: float | None = None) -> str | None:
    """Says that ``required_mixes_per_day`` is not enforced when the objective is not min_tco and the answer
    trains the mix less often — at p80 when ranked there, as min_tco would check it (a reviewer: min_time "met"
    at the expected rate where min_tco found nothing at p80) — it only sets the rent-or-buy work there; None
    otherwise."""
    s = p.scenario
    if s.objective == Objective.MIN_TCO or s.required_mixes_per_day is None:
        return None
    from recommender.planning.mix_check import MINUTES_PER_DAY

    p80 = MINUTES_PER_DAY / p80_weighted_minutes if p80_weighted_minutes else None
    if (p80 if p80 is not None else mixes_per_day) >= s.required_mixes_per_day * (1 - 1e-9):
        return None
    req = s.required_mixes_per_day
    at = f" ({fmt.per_day(p80, against=req)} at p80, as min_tco would check it)" if p80 is not None else ""
    return (f"It trains the mix {fmt.per_day(mixes_per_day, against=req)} times per day{at}, below the scenario's "
            f"required_mixes_per_day ({fmt.amount(s.required_mixes_per_day)}): only min_tco enforces that rate "
            f"({s.objective.value} uses it only as the rent-or-buy work); choose min_tco to require it.")


def fleet_hint(p: Prepared, c: Configuration) -> str | None:
    """Under max_throughput outside mix mode: the rate is one configuration's, training one mix at a time; several
    configurations side by side (``mix: true``) may do more (a reviewer: 936 GB300 did 91.5 mixes/day, the same
    answer as min_time, where a fleet of the same budget did 125.6); None otherwise or for one node."""
    if p.scenario.objective != Objective.MAX_THROUGHPUT or p.scenario.mix or c.nodes < 2:
        return None
    return (f"{fmt.per_day(c.mixes_per_day)} mixes/day is one configuration training one mix at a time; several "
            "configurations side by side may train more in the same budget: try `mix: true` (a fleet).")


def cooling_note(p: Prepared, configs: list[Configuration]) -> str | None:
    """Says that the answer needs a liquid-cooled facility when it buys liquid-only racks (NVL72) or liquid-cooled
    parts (``costs.liquid_cooled_part``: MI355X) although the scenario names no cooling (they are then allowed, at
    the liquid PUE); under ``cooling: liquid``, that servers the catalog prices as air-cooled get the liquid PUE and rack density but not a liquid variant's cost (a
    reviewer: 8-GPU HGX B200 saved $91,000 of TCO for nothing); None otherwise."""
    if p.scenario.cooling == "liquid":
        air = sorted({c.accelerator_name or c.accelerator_id for c in configs
                      if c.accelerator_id in p.specs and not p.specs[c.accelerator_id].liquid_only})
        if not air:
            return None
        return (f"cooling: liquid prices {' and '.join(air)} at the liquid PUE {p.model.pue_liquid:.2f} and the "
                "liquid rack's power, but as the catalog's air-cooled server (host, power factor): a liquid-cooled "
                "variant's extra cost is not modelled — ask the vendor for it.")
    if p.scenario.cooling is not None:
        return None
    liquid = {c.accelerator_id: c.accelerator_name or c.accelerator_id for c in configs
              if c.accelerator_id in p.specs and p.specs[c.accelerator_id].liquid_only}
    if not liquid:
        return None
    rack = [n for a, n in liquid.items() if p.specs[a].kind == C.NVL72]
    parts = [n for a, n in liquid.items() if p.specs[a].kind != C.NVL72]
    said = [f"{' and '.join(rack)} comes only in liquid-cooled rack-scale systems (NVL72)"] if rack else []
    if parts:
        said.append(f"{' and '.join(parts)} {'is a' if len(parts) == 1 else 'are'} liquid-cooled "
                    f"part{'s' * (len(parts) > 1)} (in direct-liquid racks)")
    what = "; ".join(said)
    it, needs, is_ = ("it", "needs", "is") if len(liquid) == 1 else ("they", "need", "are")
    return (f"{what}: {it} {needs} a liquid-cooled facility. "
            f"The scenario names no cooling, so {it} {is_} priced at the liquid PUE {p.model.pue_liquid:.2f} and "
            f"air-cooled candidates at {p.model.pue_air:.2f}; set cooling: air to rule {it} out, or cooling: liquid "
            "to price every candidate at the liquid PUE.")


def licence_note(configs: list[Configuration]) -> str | None:
    """Says when the purchase includes NVIDIA GeForce cards: NVIDIA's GeForce driver licence does not license
    data-centre deployment (a reviewer: fleets of RTX 4090s were bought for a data centre without a word);
    None otherwise. (The catalog has them because MLPerf does; they stay candidates.)"""
    names = sorted({c.accelerator_name or c.accelerator_id for c in configs
                    if "geforce" in f"{c.accelerator_id} {c.accelerator_name}".lower()})  # fmt: skip
    if not names:
        return None
    return (f"{' and '.join(names)} {'is a' if len(names) == 1 else 'are'} consumer card{'s' * (len(names) > 1)}: the "
            "License For Customer Use of NVIDIA GeForce Software (nvidia.com/drivers/geforce-license) does not "
            "license data-centre deployment; check the licence allows your deployment, or exclude it "
            "(exclude: [...]).")


def rack_note(p: Prepared, configs: list[Configuration]) -> str | None:
    """Says when a rack-scale system (NVL72) draws more than the rack power limit defaults.csv gives its racks
    (GB300 NVL72 racks draw more than the GB200 figure the row gives); the bill counts its racks as bought, so
    the facility's racks must take it. None otherwise."""
    from recommender.planning.bill import RACK_NVL72, rack_power_limit

    limit = rack_power_limit(p.model.defaults, RACK_NVL72)
    over = [(c, c.it_power_kw / c.racks) for c in configs if c.form_factor == "nvl72" and c.racks]
    over = [(c, kw) for c, kw in over if kw > limit.value + 1e-9]
    if not over:
        return None
    c, kw = over[0]
    return (f"Each {c.accelerator_name or c.accelerator_id} NVL72 rack draws {fmt.amount(kw)} kW provisioned, above "
            f"the {fmt.amount(limit.value)} kW rack power limit in defaults.csv ({limit.applies_to}): check that the "
            "facility's racks take it.")


def weak_bases(configs: list[Configuration]) -> list[str]:
    """The weak bases (:data:`~recommender.planning.risk.UNCERTAIN_BASES`: carried, predicted, specs_only) of
    figures a fleet actually uses (for a workload it serves), as single choices are flagged."""
    return [b for b in ("carried", "predicted", "specs_only") if b in R.UNCERTAIN_BASES
            and any(w.basis == b and c.serves.get(w.workload, 0.0) > 1e-6 for c in configs for w in c.workloads)]


def infeasible_explanation(p: Prepared, *, wide: bool = True) -> list[str]:
    """Why nothing fits, with the cheapest and the lowest-power usable candidates and the limits they miss.

    The scenario's candidate grid stops just past its limits (:data:`recommender.planning.grid.HEADROOM`), so
    its cheapest usable candidate may be far dearer than the true one (a model that needs 32 accelerators for
    its memory, under a budget that buys 8). With ``wide`` (answers that are explained) the candidates come from
    the grid without the limits (:func:`recommender.planning.binding.wider`); batch and sweep answers without
    explanations keep the scenario's grid."""
    from recommender.planning.binding import wider

    s = p.scenario
    out = ["No candidate satisfies the scenario's limits."]
    q = wider(p, *p.limits.names()) if wide and p.limits.items() else p
    if not (len(q.table) and base_mask(q).any()):
        q = p
    t = q.table
    usable = base_mask(q)
    if not len(t) or not usable.any():
        t = p.table
        if not p.considered:
            out.append("No accelerator could be considered: see the skipped list (no price, excluded, or not sold as a node).")
        elif len(t) and not t.mem_ok.any():
            out.append(f"No considered accelerator has {fmt.amount(s.min_accelerator_memory_gb)} GB of memory.")
        else:
            inlim = S.within_limits(t.res, p.limits) if len(t) else np.zeros(0, dtype=bool)
            sentence = (memory_sentence(p, inlim, "candidates within the limits") if inlim.any() else
                        memory_sentence(p, np.ones(len(t), dtype=bool)) if len(t) else None)  # fmt: skip
            out.append(sentence or "The performance model has no prediction for the considered accelerators.")
        return out
    idx = np.flatnonzero(usable)
    mixes, per_day = risk_arrays(q)[1], R.unit_label("mixes/day", s.risk)
    cheapest = int(idx[np.lexsort((t.power[idx], t.capex[idx]))[0]])
    lowest = int(idx[np.lexsort((t.capex[idx], t.power[idx]))[0]])
    picks = [("cheapest", cheapest), ("lowest-power", lowest)] if cheapest != lowest else [
        ("cheapest (and lowest-power)", cheapest)]
    for label, j in picks:
        c = configuration(q, j)
        v = S.violations(t.res, p.limits, j)
        misses = []
        for name, rel in v.items():
            use = float(t.res.usage(name)[j])
            limit = dict(p.limits.items())[name]
            over = (f"{rel * 100:,.0f} % over" if rel < 10 else f"{use / limit:,.0f} times the limit of") \
                if limit > 0 else "over"  # fmt: skip
            misses.append(f"{name} by {fmt.limit(name, use - limit)} ({over} {fmt.limit(name, limit)})")
        what = f"misses {', '.join(misses)}" if misses else ""
        if s.objective == Objective.MIN_TCO and mixes[j] < (s.required_mixes_per_day or 0):
            rate = fmt.shortfall(float(mixes[j]), float(s.required_mixes_per_day or 0), per_day)
            what = f"{what} and {rate}" if what else rate  # (it read "throughput: 0.835 … < 200 required")
        out.append(f"The {label} candidate, {describe(c)} (capex {fmt.money(c.capex_usd)}, "
                   f"{fmt.amount(c.it_power_kw)} kW), {what or 'misses nothing (another limit interacts)'}.")  # fmt: skip
    sentence = memory_sentence(p, S.within_limits(p.table.res, p.limits), "candidates within the limits")
    if sentence is not None:
        out.append(sentence)
    if s.objective == Objective.MIN_TCO:
        pidx = np.flatnonzero(base_mask(p))
        inlim = pidx[S.within_limits(p.table.res.take(pidx), p.limits)]
        if inlim.size:
            most = fmt.per_day(float(risk_arrays(p)[1][inlim].max()), against=s.required_mixes_per_day)
            out.append(f"Within the limits at most {most} {per_day} are reachable; "
                       f"{fmt.amount(s.required_mixes_per_day)} are required.")  # fmt: skip
    return out


def risk_lines(p: Prepared, i: int) -> list[str]:
    """Issue 12: the risk setting used; mark a choice resting on specs_only/carried figures and name the best
    all-measured choice with what it costs or loses."""
    from recommender.planning.feasibility import feasible_mask, value_unit

    s = p.scenario
    cost, sense, _thr, _req = objective_arrays(p)
    note = R.risk_note(i, cost, feasible_mask(p), p.table.basis, p.shares, sense)
    m = note.measured_index
    out = [R.risk_sentence(s.risk, given=s.risk is not None)]
    c = configuration(p, i)
    measured = None
    if m is not None:  # named with its cost beside the choice's (a reviewer: "loses 134 p80 minutes (514.9 %)")
        cm = configuration(p, m)
        measured = f"{describe(cm)} (capex {fmt.money(cm.capex_usd)}, the choice {fmt.money(c.capex_usd)})"
    return out + note.lines(describe(c), measured, value_unit(s.objective), sense, s.risk)
