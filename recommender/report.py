"""The readable exports of a :class:`~recommender.models.Recommendation`: a DataFrame and a Markdown report.

(``Recommendation.to_frame()`` / ``.to_markdown()`` call these; kept here so the result models stay small.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from recommender import format as fmt
from recommender.plan_models import bill_markdown, price_confidence, rent_markdown

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: A ``recommender.models.Recommendation`` (not imported: the models module calls into this one)
Recommendation = Any


def recommendation_frame(rec: Recommendation) -> pd.DataFrame:
    """One row per (configuration, workload): what to buy and its predicted minutes to train."""
    import pandas as pd

    rows: list[dict[str, Any]] = []
    for i, c in enumerate(rec.configurations):
        for w in c.workloads:
            rows.append(
                {
                    "configuration": i,
                    "accelerator_id": c.accelerator_id,
                    "accelerators": c.accelerators,
                    "nodes": c.nodes,
                    "count": c.count,
                    "capex_usd": c.capex_usd,
                    "it_power_kw": c.it_power_kw,
                    "facility_power_kw": c.facility_power_kw,
                    "tco_usd": c.tco_usd,
                    "workload": w.workload,
                    "share": w.share,
                    "serves": c.serves.get(w.workload, 0.0),
                    "minutes": w.minutes,
                    "minutes_low": w.minutes_low,
                    "minutes_high": w.minutes_high,
                    "basis": w.basis,
                }
            )
    columns = [
        "configuration", "accelerator_id", "accelerators", "nodes", "count", "capex_usd", "it_power_kw",
        "facility_power_kw", "tco_usd", "workload", "share", "serves", "minutes", "minutes_low",
        "minutes_high", "basis",
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=columns)
    for col in ("accelerator_id", "workload", "basis"):
        frame[col] = frame[col].astype("string")
    return frame


#: What each ``risk`` setting ranks by (the Markdown report's Risk line).
RISK_TEXT = {"p80": "ranked by the upper end of each minutes figure's 80 % interval (p80 minutes)",
             "expected": "ranked by the point estimates of minutes to train"}


def rent_terms(rec: Recommendation, name: Callable[[str], str] | None = None) -> str | None:
    """What ``consider_cloud`` decided to rent, after the words "decision: rent" — the accelerator (``name(id)``,
    else the quote's display name, as the explanation names it, else its id), provider, pricing, present value and
    what the purchase shown with it is — or None when it did not decide to rent. The CLI, the Markdown report and
    the TUI's headline all say it with this."""
    if getattr(rec, "cloud_decision", None) != "rent" or getattr(rec, "cheapest_rent", None) is None:
        return None
    q = rec.cheapest_rent
    acc = name(q.accelerator_id) if name is not None else getattr(q, "accelerator_name", None) or q.accelerator_id
    sure = price_confidence(q)  # a price the decision rests on, low or medium: said beside it
    return (f"{acc} ({q.provider}, {q.pricing}) for {fmt.money(q.rent_pv_usd)} present value"
            f"{f' ({sure})' if sure else ''}; {comparison_text(rec)}")


def rent_decision_lines(rec: Recommendation) -> list[str]:
    """``consider_cloud`` decided to rent: say so before the purchase table (which is then for comparison)."""
    terms = rent_terms(rec)
    return [] if terms is None else [f"**Decision: rent** {terms}.", ""]


def comparison_text(rec: Recommendation) -> str:
    """What the purchase shown after a rent decision is (a reviewer: "the purchase below" when none fits)."""
    if rec.configurations:
        return "the purchase below is the best one to buy, shown for comparison"
    return "no purchase fits the limits (see why below)"


#: The paragraph under the Markdown report's workload table: what each basis means.
MARKDOWN_BASIS_LEGEND = (
    "*measured* = the MLPerf Training closed-division score of this exact configuration in the target round "
    f"(round division, status · submitter · system; interval = how far identical configurations differ between systems, calibrated over the catalog), {fmt.CUSTOM_MEASURED_NOTE}; *carried* = "
    "measured in an earlier round (the source names it), moved to today's software by the model's trend; "
    "*predicted* = the performance model; *specs_only* = the accelerator has no MLPerf result (datasheet only). "
    "Intervals 80 %. Capex, power, TCO and carried, predicted and specs-only minutes are derived figures, not "
    "MLPerf results.")


def recommendation_markdown(rec: Recommendation) -> str:
    """A readable report: the answer, its numbers, the alternatives, the limits and the assumptions."""
    p80 = " p80" if rec.risk == "p80" else ""
    unit = {"minutes": f"min (share-weighted{p80} minutes to train)", "mixes_per_day": f"mixes/day{p80 and ' at p80 minutes'}",
            "usd": "TCO (present value)"}  # fmt: skip
    lines = [f"# {rec.scenario}: {rec.status.value}", ""]
    if rec.objective_value is not None:  # money as everywhere else: $125,187 (it read "125,187 USD")
        value = (fmt.money(rec.objective_value) if rec.objective_unit == "usd" else fmt.per_day(rec.objective_value)
                 if rec.objective_unit == "mixes_per_day" else _amount(rec.objective_value))
        lines += [f"**Objective** {rec.objective.value}: {value} {unit.get(rec.objective_unit, rec.objective_unit)}", ""]
    if rec.risk:  # issue 12: which minutes were ranked
        lines += [f"**Risk** {rec.risk}: {RISK_TEXT.get(rec.risk, rec.risk)}", ""]
    if rec.minutes_as_of:
        lines += [(f"**Minutes as of** {rec.minutes_as_of}: the catalog's newest round (today's software); results of "
                  "earlier rounds are carried to it"), ""]
    lines += rent_decision_lines(rec)
    if rec.configurations:
        lines += [
            "| buy | accelerator | accelerators | nodes | capex | IT kW | facility kW | TCO | basis |",
            "|---|---|---:|---:|---:|---:|---:|---:|---|",
        ]
        for c in rec.configurations:
            lines.append(
                f"| {fmt.count(c.count)}x | {c.accelerator_name or c.accelerator_id} | {fmt.count(c.accelerators)} | "
                f"{fmt.count(c.nodes)} | "
                f"{fmt.money(c.capex_usd)} | "
                f"{c.it_power_kw:,.2f} | {c.facility_power_kw:,.2f} | {fmt.money(c.tco_usd)} | {c.basis} |"
            )
        lines += ["", "| accelerator | workload | share | minutes | interval | basis | source | serves |",
                  "|---|---|---:|---:|---|---|---|---:|"]  # fmt: skip
        for c in rec.configurations:
            for w in c.workloads:
                interval = (
                    f"{_amount(w.minutes_low)}–{_amount(w.minutes_high)}"
                    if w.minutes_low is not None and w.minutes_high is not None
                    else ""
                )
                lines.append(
                    f"| {c.accelerator_name or c.accelerator_id} x{fmt.count(c.accelerators)} | {w.workload} | "
                    f"{w.share:.2f} | {_amount(w.minutes)} | {interval} | {w.basis} | {w.source or ''} | "
                    f"{c.serves.get(w.workload, 0.0):.2f} |"
                )
        lines += [
            "",
            MARKDOWN_BASIS_LEGEND,
        ]
        lines.append("")
    lines += bill_markdown(rec.configurations, rec.assumptions)
    lines += rent_markdown(rec.rent_or_buy, rec.choice)
    if rec.explanation:
        lines += ["## Why", ""] + [f"- {s}" for s in rec.explanation] + [""]
    if rec.binding:
        lines += [f"**Binding limits:** {fmt.limits(rec.binding, rec.binding_together)}", ""]
    if rec.alternatives:
        lines += ["## Alternatives", ""] + [f"- **{a.accelerator_id}**: {a.reason}" for a in rec.alternatives]
        lines.append("")
    if rec.sensitivity:
        lines += ["## Sensitivity", ""] + [f"- {s.summary}" for s in rec.sensitivity] + [""]
    if rec.skipped:
        lines += ["## Skipped", ""]
        by_reason: dict[str, list[str]] = {}
        for s in rec.skipped:
            what = s.accelerator_id + (f" x{s.accelerators}" if s.accelerators else "")
            by_reason.setdefault(s.reason, []).append(what)
        for reason, whats in by_reason.items():
            lines.append(f"- {reason}: {', '.join(whats)}")
        lines.append("")
    if rec.assumptions:
        lines += ["## Assumptions", "", "| parameter | applies to | value | unit | confidence | as of | source |",
                  "|---|---|---:|---|---|---|---|"]  # fmt: skip
        for a in rec.assumptions:
            lines.append(
                f"| {a.parameter} | {a.applies_to} | {_amount(a.value)} | {a.unit} | {a.confidence or ''} | "
                f"{a.as_of or ''} | {a.source} |"
            )
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _amount(x: float | None) -> str:
    return fmt.amount(x, missing="")
