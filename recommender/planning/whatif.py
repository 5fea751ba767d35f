"""What-if re-solves shared by both modes: +10 % budget / power sensitivity."""

from __future__ import annotations

from recommender import format as fmt
from recommender.models import Configuration, Sensitivity, Status
from recommender.planning.explain import describe_many, value_text
from recommender.planning.feasibility import is_better
from recommender.planning.results import configuration
from recommender.planning.table import Prepared

SENSITIVITY_FACTOR = 1.1


#: Branch-and-bound nodes of each what-if MILP re-solve in mix mode (sensitivity, binding checks). A node limit,
#: not a time limit, so the answer does not depend on the machine's load: a re-solve that stops there without
#: a better answer leaves the limit "unknown" (said in the explanation), never silently not binding.
EXPLAIN_MAX_NODES = 3000


#: CBC re-solves (sensitivity) run side by side in threads (each CBC is its own process).
PARALLEL_SOLVES = 2


def sensitivity_of(p: Prepared, attr: str, limit: float, status: Status, index: int | None, value: float | None,
                 base: float | None, sense: str, base_configs: list[Configuration],
                 configs: list[Configuration] | None = None) -> Sensitivity:  # fmt: skip
    new_limit = limit * SENSITIVITY_FACTOR
    label = {"budget_usd": f"+10 % budget ({fmt.money(new_limit)})",
             "power_limit_kw": f"+10 % power ({fmt.amount(new_limit)} kW)"}[attr]  # fmt: skip
    s = p.scenario
    if configs is None:
        configs = [configuration(p, index)] if index is not None else []
    choice = max(configs, key=lambda c: c.capex_usd * c.count) if configs else None
    cut = " within the what-if node limit" if status == Status.FEASIBLE else ""
    if (value is None or choice is None) and base is not None:
        status = Status.FEASIBLE  # a relaxation of a solved problem is feasible: the re-solve hit its node limit
        summary = f"With {label}: unknown (no answer within the what-if node limit)."
    elif value is None or choice is None:
        summary = f"With {label}: still no feasible configuration."
    elif not is_better(value, base, sense):
        found = "unknown: no better answer found within the what-if node limit" if cut else "no better answer found"
        summary = f"With {label}: {found} ({describe_many(base_configs)} stays)."
    else:
        rel = (value / base - 1) * 100 if base else 0.0
        summary = f"With {label}: {describe_many(configs)}, {value_text(s.objective, s.risk, value)} ({fmt.signed_percent(rel / 100)}){cut}."
    return Sensitivity(parameter=attr, factor=SENSITIVITY_FACTOR, value=new_limit, status=status,
                       objective_value=value, choice=choice, summary=summary)  # fmt: skip
