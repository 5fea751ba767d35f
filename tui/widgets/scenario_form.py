"""Scenario panel: edit budget, limits, objective, cooling, costs, workloads and the accelerator allow-list.

The form never builds a :class:`recommender.models.Scenario` itself. :meth:`ScenarioForm.collect` turns the
fields into a plain dict (keeping the scenario's fields the form does not show, such as ``prices``) plus the
errors of fields that are not numbers; the app validates that dict with the library's own
``Scenario.parse`` and shows any error back at its field with :meth:`ScenarioForm.show_errors`.
"""

from __future__ import annotations

import re
from typing import Any

from rich.segment import Segment
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.strip import Strip
from textual.widgets import Button, Checkbox, Input, Label, Select, SelectionList
from textual.widgets.selection_list import Selection

from recommender import format as fmt
from recommender.planning.risk import DEFAULT_RISK

OBJECTIVES = [
    ("min_time: fastest", "min_time"),
    ("max_throughput: mixes/day", "max_throughput"),
    ("min_tco: lowest TCO", "min_tco"),
]
#: "Air only" rules the parts sold liquid-cooled only out; the empty choice (:func:`cooling_prompt`) keeps them.
COOLING = [("Air only", "air"), ("Liquid (all parts)", "liquid")]

#: The empty cooling choice's prompt when the catalog sells parts liquid-cooled only: each part cooled as it is
#: sold (``costs.liquid_cooled``: air, liquid for a part that needs it). It read "air; 3 parts liquid", and a
#: buyer read "air" above an answer of liquid-cooled MI355X at PUE 1.20 (a reviewer). 19 characters fit.
AS_SOLD = "as sold: air/liquid"


def cooling_prompt(liquid_only: list[str]) -> tuple[str, str]:
    """The cooling field's prompt when no cooling is named, and its tooltip, from the parts the catalog sells
    liquid-cooled only (``backend.liquid_only_names``; it read "air (NVL72: liquid)" when MI355X was one too). The
    prompt says the rule (:data:`AS_SOLD`), the tooltip names the parts (a prompt fits 19 characters on a
    120-column screen)."""
    if not liquid_only:
        return "air", "Empty: air cooling (the catalog sells no part liquid-cooled only). Liquid: its PUE and racks."
    parts = ", ".join(liquid_only[:-1]) + f" and {liquid_only[-1]}" if len(liquid_only) > 1 else liquid_only[0]
    return AS_SOLD, (
        f"Empty ({AS_SOLD}): each part cooled as it is sold: air-cooled, but {parts} "
        f"{'are' if len(liquid_only) > 1 else 'is'} sold liquid-cooled only and get the liquid-cooled PUE and "
        "direct-liquid racks. Air only: those parts are skipped. Liquid (all parts): the liquid-cooled PUE and "
        "racks for every part.")


#: ``risk`` (issue 12): which minutes the optimizer ranks by; blank = the library's default.
RISK = [("expected: point estimate", "expected"), ("p80: upper end of the 80 % interval", "p80")]

#: Numeric inputs: field id -> (label, placeholder, integer?)
NUMBER_FIELDS: dict[str, tuple[str, str]] = {
    "budget_usd": ("Budget", "no limit, e.g. $325,000 or 325k"),
    "power_limit_kw": ("Power limit (kW IT)", "no limit, e.g. 40"),
    "required_mixes_per_day": ("Mixes/day needed", "for min_tco, e.g. 4"),
    "years": ("Years (TCO)", "5"),
    "energy_usd_per_kwh": ("Energy USD/kWh", "catalog default"),
    "max_accelerators": ("Max accelerators", "no limit"),
    "max_nodes": ("Max nodes", "no limit"),
    "rack_units": ("Rack units (U)", "no limit"),
    "min_accelerator_memory_gb": ("Min memory (GB)", "per accelerator, any"),
}
#: Numeric fields that may be left empty (meaning "no limit" / "default").
#: What a field means where its label cannot say it (a reviewer read a mix as one run of every workload)
FIELD_TIPS = {"required_mixes_per_day": ("Mixes per day the purchase must train (min_tco enforces it). A mix is one "
                                         "training shared among the workloads by their shares, which sum to 1: "
                                         "shares 1 : 4 make a mix 0.2 of a run of the first and 0.8 of the second.")}

OPTIONAL_FIELDS = {"budget_usd", "power_limit_kw", "required_mixes_per_day", "energy_usd_per_kwh", "max_accelerators",
                   "max_nodes", "rack_units", "min_accelerator_memory_gb"}
#: Fields shown as money (``$110,000``); they accept ``110000``, ``110k``, ``1.2M``, ``$325,000``.
MONEY_FIELDS = {"budget_usd"}
#: Fields the scenario holds as whole numbers (typed 8 or 8.0 -> 8; 8.5 is the model's error).
INTEGER_FIELDS = {"max_accelerators", "max_nodes", "rack_units"}

_WL_RE = re.compile(r"^workloads\[(\d+)\](?:\.(\w+))?")


class ErrorLabel(Label):
    """A field's error message, hidden while empty. An unchanged message is left alone: every ``update`` costs
    a layout of the whole screen, and the form's errors are re-set on each keystroke."""

    def __init__(self, *, id: str) -> None:
        super().__init__("", id=id, classes="error")
        self._message = ""
        self.display = False

    def set_message(self, message: str) -> None:
        if message == self._message:
            return
        self._message = message
        self.update(message)
        self.display = bool(message)


class AllowList(SelectionList[str]):
    """The allow-list of accelerators; focusing it highlights its first row (a reviewer tabbed in, saw no row
    highlighted, and the first Down then Space ticked off the row they had not meant). A row shows its mark only
    when ticked: Textual draws the same X for both states, told apart by colour alone (a reviewer)."""

    def on_focus(self) -> None:
        if self.highlighted is None and self.option_count:
            self.highlighted = 0

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        segments = list(strip)
        meta = segments[1].style.meta if len(segments) > 1 and segments[1].style is not None else {}
        if segments[1:] and segments[1].text == Checkbox.BUTTON_INNER and meta.get("option") is not None \
                and self.get_option_at_index(meta["option"]).value not in set(self.selected):  # fmt: skip
            segments[1] = Segment(" ", segments[1].style)
            return Strip(segments, strip.cell_length)
        return strip


class Tick(Checkbox):
    """A checkbox whose mark shows only when ticked (Textual's X of both states differs by colour alone)."""

    @property  # type: ignore[override]
    def BUTTON_INNER(self) -> str:
        return "X" if self.value else " "


class WorkloadRow(Horizontal):
    """One workload: which one (benchmark or custom) and its share; a button removes it."""

    def __init__(self, options: list[tuple[str, str]], key: str, share: float) -> None:
        super().__init__(classes="workload-row")
        self._options = options
        self._key = key
        self._share = share

    def compose(self) -> ComposeResult:
        yield Select(self._options, value=self._key, allow_blank=False, classes="wl-key", compact=True,
                     tooltip="MLPerf benchmark or custom workload")
        yield Input(fmt.plain_number(self._share), classes="wl-share", placeholder="share", compact=True,
                    tooltip="Relative share of the work (shares are normalised)")
        yield Button("✕", classes="wl-remove", tooltip="Remove this workload", compact=True)

    @property
    def key(self) -> str:
        value = self.query_one(".wl-key", Select).value
        return self._key if value is Select.NULL else str(value)

    @property
    def share_text(self) -> str:
        return self.query_one(".wl-share", Input).value


class ScenarioForm(VerticalScroll, can_focus=False):
    """The scenario editor. Posts :class:`ScenarioForm.Edited` whenever the user changes a field."""

    class Edited(Message):
        """A field of the scenario changed (the app re-validates and re-solves, debounced)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._base: dict[str, Any] = {}
        self._customs: dict[str, Any] = {}
        self._benchmarks: list[tuple[str, str]] = []
        self._accelerators: list[tuple[str, str]] = []
        self._all_accelerators: list[tuple[str, str]] = []
        self.labels: dict[str, str] = {}  # field id -> its label on screen (filled by compose)
        self.errors: dict[str, str] = {}  # the messages shown at their fields (show_errors)

    # -- layout -------------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield ErrorLabel(id="form-error")
        yield self._field("name", "Name", Input(id="name", placeholder="scenario", compact=True))
        for fid in ("budget_usd", "power_limit_kw"):
            yield self._number_field(fid)
        yield self._field("objective", "Objective",
                          Select(OBJECTIVES, id="objective", allow_blank=False, value="min_time", compact=True))
        yield self._number_field("required_mixes_per_day")
        yield self._field("cooling", "Cooling", Select(COOLING, id="cooling", prompt="air", compact=True))
        yield self._field("risk", "Risk", Select(
            RISK, id="risk", prompt=f"default ({DEFAULT_RISK})", compact=True,
            tooltip="expected: rank by the point estimate; p80: by the upper end of the 80 % interval, so an "
                    "uncertain prediction must win by its own doubt"))
        yield self._number_field("years")
        yield self._number_field("energy_usd_per_kwh")
        yield Label("More limits", classes="section-label")
        for fid in ("max_accelerators", "max_nodes", "rack_units", "min_accelerator_memory_gb"):
            yield self._number_field(fid)
        yield Tick("Mix: split workloads (a fleet)", id="mix", compact=True,  # (fits a 120-column screen's form)
                   tooltip="Mix of configurations: the optimizer may buy several configurations and split the "
                           "workloads among them")
        yield Label("Workloads: benchmark or custom, share", classes="section-label")
        yield Vertical(id="workloads")
        yield ErrorLabel(id="workloads-error")
        with Horizontal(id="workload-buttons"):
            yield Button("+ Add workload", id="add-workload", compact=True,
                         tooltip="Add an MLPerf benchmark to the mix")
            yield Button("+ Custom workload…", id="add-custom", compact=True,
                         tooltip="Add your own workload, described by one measured training time")
        yield Label("Allowed accelerators (none ticked = all priced)", classes="section-label")
        yield AllowList(id="accelerators", compact=True)
        yield ErrorLabel(id="accelerators-error")

    def _field(self, fid: str, label: str, widget: Any) -> Vertical:
        self.labels[fid] = label
        return Vertical(
            Horizontal(Label(label, classes="field-label"), widget, classes="field-line"),
            ErrorLabel(id=f"{fid}-error"),
            classes="field",
        )

    def _number_field(self, fid: str) -> Vertical:
        label, placeholder = NUMBER_FIELDS[fid]
        tip = FIELD_TIPS.get(fid)
        return self._field(fid, label, Input(id=fid, placeholder=placeholder, classes="number", compact=True,
                                             tooltip=tip))

    # -- filling ------------------------------------------------------------------------------------
    def set_choices(self, *, benchmarks: list[tuple[str, str]], accelerators: list[tuple[str, str]],
                    all_accelerators: list[tuple[str, str]] | None = None,
                    liquid_only: list[str] | None = None) -> None:  # fmt: skip
        """Benchmarks and (priced) accelerators as ``(label, id)`` offered by the form; ``all_accelerators``
        (priced or not) are offered for a custom workload's measurement; ``liquid_only``: the names of the parts
        sold liquid-cooled only, which the cooling field's empty choice cools with liquid."""
        self._benchmarks = benchmarks
        self._accelerators = accelerators
        self._all_accelerators = all_accelerators or accelerators
        cooling = self.query_one("#cooling", Select)
        cooling.prompt, cooling.tooltip = cooling_prompt(liquid_only or [])

    async def load(self, data: dict[str, Any]) -> None:
        """Show a scenario (``Scenario.model_dump(mode="json")``) in the form, without posting Edited."""
        self._base = dict(data)
        self._customs = {
            w["custom"]["name"]: w["custom"] for w in data.get("workloads", []) if w.get("custom")
        }
        blocked = (Input.Changed, Select.Changed, Checkbox.Changed, SelectionList.SelectedChanged)
        with self.prevent(*blocked):
            self.query_one("#name", Input).value = str(data.get("name") or "")
            for fid in NUMBER_FIELDS:
                value = data.get(fid)
                shown = fmt.money(value) if fid in MONEY_FIELDS and not fmt.is_missing(value) else \
                    fmt.plain_number(value)
                self.query_one(f"#{fid}", Input).value = shown
            self.query_one("#objective", Select).value = data.get("objective") or "min_time"
            cooling = self.query_one("#cooling", Select)
            if data.get("cooling"):
                cooling.value = data["cooling"]
            else:
                cooling.clear()
            risk = self.query_one("#risk", Select)
            if data.get("risk"):
                risk.value = data["risk"]
            else:
                risk.clear()
            self.query_one("#mix", Checkbox).value = bool(data.get("mix"))
            allowed = set(data.get("accelerators") or [])
            sel = self.query_one("#accelerators", SelectionList)
            sel.clear_options()
            ids = {a for _, a in self._accelerators}
            extra = [(a, a) for a in sorted(allowed - ids)]
            options = self._accelerators + extra
            options = [o for o in options if o[1] in allowed] + [o for o in options if o[1] not in allowed]
            sel.add_options([Selection(label, aid, aid in allowed) for label, aid in options])  # ticked first
            box = self.query_one("#workloads", Vertical)
            await box.remove_children()
            rows = [
                WorkloadRow(self._workload_options(), self._key_of(w), float(w.get("share", 1.0)))
                for w in data.get("workloads", [])
            ]
            await box.mount_all(rows)
        self.show_errors({})

    def _key_of(self, workload: dict[str, Any]) -> str:
        if workload.get("custom"):
            return "custom:" + workload["custom"]["name"]
        return str(workload.get("benchmark"))

    def _workload_options(self) -> list[tuple[str, str]]:
        opts = list(self._benchmarks)
        opts += [(f"custom: {name}", "custom:" + name) for name in self._customs]
        return opts

    # -- reading ------------------------------------------------------------------------------------
    def collect(self) -> tuple[dict[str, Any], dict[str, str]]:
        """The scenario as a dict, and ``{field: message}`` for fields that are not valid numbers."""
        data = dict(self._base)
        errors: dict[str, str] = {}
        data["name"] = self.query_one("#name", Input).value.strip() or "scenario"
        for fid in NUMBER_FIELDS:
            text = self.query_one(f"#{fid}", Input).value
            if not text.strip():
                if fid in OPTIONAL_FIELDS:
                    data[fid] = None
                else:
                    data.pop(fid, None)  # the model's default
                continue
            try:
                value = fmt.parse_number(text)
            except ValueError as exc:
                errors[fid] = str(exc)
                continue
            data[fid] = int(value) if fid in INTEGER_FIELDS and value.is_integer() else value
        data["objective"] = self.query_one("#objective", Select).value
        cooling = self.query_one("#cooling", Select).value
        data["cooling"] = None if cooling is Select.NULL else cooling
        risk = self.query_one("#risk", Select).value
        data["risk"] = None if risk is Select.NULL else risk
        data["mix"] = self.query_one("#mix", Checkbox).value
        workloads = []
        for i, row in enumerate(self.query(WorkloadRow)):
            try:
                share = fmt.parse_number(row.share_text)
            except ValueError as exc:
                errors[f"workloads[{i}].share"] = str(exc)
                share = 1.0
            key = row.key
            if key.startswith("custom:"):
                workloads.append({"custom": self._customs[key[len("custom:"):]], "share": share})
            else:
                workloads.append({"benchmark": key, "share": share})
        data["workloads"] = workloads
        selected = list(self.query_one("#accelerators", SelectionList).selected)
        before = list(self._base.get("accelerators") or [])
        ordered = [a for a in before if a in selected] + [a for a in selected if a not in before]
        data["accelerators"] = ordered or None
        return data, errors

    def field_names(self, errors: dict[str, str]) -> list[str]:
        """The form's own names of the fields ``errors`` are about (``Budget``, ``workload 2``), in form order."""
        out: list[str] = []
        for key in errors:
            m = _WL_RE.match(key)
            name = f"workload {int(m.group(1)) + 1}" if m else self.labels.get(key.split(".")[0].split("[")[0], key)
            if name and name not in out:
                out.append(name)
        return out

    def problems(self) -> str:
        """The errors shown, by the field names the stale banner uses, each with why:
        ``Budget: must be greater than 0; Power limit (kW IT): not a number: 'abc'``."""
        return "; ".join(f"{names[0]}: {why}" if (names := self.field_names({key: why})) else why
                         for key, why in self.errors.items())

    def show_errors(self, errors: dict[str, str]) -> None:
        """Show each message at its field (``budget_usd``, ``workloads[1].share`` ...); clear the others."""
        self.errors = dict(errors)
        remaining = dict(errors)
        for fid in ["name", "objective", "cooling", "risk", "accelerators", "workloads", *NUMBER_FIELDS]:
            msg = remaining.pop(fid, "")
            self.query_one(f"#{fid}-error", ErrorLabel).set_message(msg)
            self.query_one(f"#{fid}").set_class(bool(msg), "-invalid")
        rows = list(self.query(WorkloadRow))
        wl_msgs: list[str] = []
        for row in rows:
            row.query_one(".wl-share", Input).set_class(False, "-invalid")
        for key in [k for k in remaining if k.startswith("workloads")]:
            msg = remaining.pop(key)
            m = _WL_RE.match(key)
            if m and int(m.group(1)) < len(rows):
                idx = int(m.group(1))
                row = rows[idx]
                row.query_one(".wl-share", Input).set_class(m.group(2) == "share", "-invalid")
                wl_msgs.append(f"workload {idx + 1}: {msg}")
            else:
                wl_msgs.append(msg)
        if wl_msgs:
            self.query_one("#workloads-error", ErrorLabel).set_message("\n".join(wl_msgs))
        general = "; ".join(f"{k}: {v}" if k else v for k, v in remaining.items())
        self.query_one("#form-error", ErrorLabel).set_message(general)

    # -- events -------------------------------------------------------------------------------------
    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    @on(SelectionList.SelectedChanged)
    def _changed(self, event: Message) -> None:
        event.stop()
        self.post_message(self.Edited())

    @on(Input.Blurred)
    def _money_shown_as_money(self, event: Input.Blurred) -> None:
        """A money field shows its amount as money once left (``250k`` -> ``$250,000``, as an opened file shows
        it; a reviewer saw both); the value is the same, so nothing is re-solved."""
        if event.input.id not in MONEY_FIELDS or not event.value.strip():
            return
        try:
            amount = fmt.parse_money(event.value)
        except ValueError:
            return  # the field's own error says what is wrong
        shown = fmt.money(amount) if isinstance(amount, float | int) and amount > 0 else event.value
        if shown != event.value and fmt.parse_money(shown) == amount:  # (never a rounded, other amount)
            with self.prevent(Input.Changed):
                event.input.value = shown

    @on(Button.Pressed, "#add-workload")
    async def add_workload(self) -> None:
        used = {row.key for row in self.query(WorkloadRow)}
        options = self._workload_options()
        key = next((k for _, k in options if k not in used), options[0][1] if options else "bert")
        row = WorkloadRow(options, key, 1.0)
        await self.query_one("#workloads", Vertical).mount(row)
        row.query_one(".wl-key", Select).focus()
        self.post_message(self.Edited())

    @on(Button.Pressed, "#add-custom")
    def ask_custom(self) -> None:
        from tui.screens.custom_workload import CustomWorkloadDialog

        taken = {row.key.removeprefix("custom:") for row in self.query(WorkloadRow)}
        self.app.push_screen(
            CustomWorkloadDialog(benchmarks=self._benchmarks, accelerators=self._all_accelerators, taken=taken),
            self.add_custom,
        )

    async def add_custom(self, custom: dict[str, Any] | None) -> None:
        """Add a custom workload (a ``CustomWorkload``-shaped dict) to the mix with share 1."""
        if not custom:
            return
        self._customs[custom["name"]] = custom
        row = WorkloadRow(self._workload_options(), "custom:" + custom["name"], 1.0)
        await self.query_one("#workloads", Vertical).mount(row)
        self.post_message(self.Edited())

    @on(Button.Pressed, ".wl-remove")
    async def _remove_workload(self, event: Button.Pressed) -> None:
        event.stop()
        row = event.button.parent
        if isinstance(row, WorkloadRow):
            rows = list(self.query(WorkloadRow))
            at = rows.index(row)
            await row.remove()
            # focus stays in the list (Textual moved it to the next focusable widget, the Mix checkbox above):
            # the next row's share, else the previous row's, else "+ Add workload" — not a ✕, where a second
            # Enter removed another workload
            left = [r for r in rows if r is not row]
            target = (left[min(at, len(left) - 1)].query_one(".wl-share", Input) if left
                      else self.query_one("#add-workload", Button))
            target.focus()
            self.post_message(self.Edited())

