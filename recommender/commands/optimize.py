"""`recommender optimize FILE`, `recommender batch PATH... --out FILE`, `recommender schema`.

Only click (and the standard library) is imported here; the optimizer, pandas and rich load inside the
commands.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from recommender.format import CUSTOM_MEASURED_NOTE

EXIT_CODES = """\b
Exit codes:
  0  every scenario has a recommendation (optimal or feasible) or, with
     consider_cloud under min_tco, a decision to rent where no purchase fits
  1  at least one scenario is infeasible (and no decision to rent)
  2  at least one input is invalid (the valid scenarios are still solved
     and written), or the command was misused; 2 wins over 1
  3  internal error (one line; RECOMMENDER_DEBUG=1 shows the traceback)
130  interrupted (Ctrl-C); 143 terminated (SIGTERM)
"""

_ERRORS: tuple[type[BaseException], ...] | None = None


def _input_errors() -> tuple[type[BaseException], ...]:
    """Errors that mean bad input (one line on stderr, exit 2), never a traceback."""
    global _ERRORS
    if _ERRORS is None:
        from catalog.errors import CatalogError
        from recommender.errors import RecommenderError

        _ERRORS = (RecommenderError, CatalogError)
    return _ERRORS


def _say(message: str, said: set[str] | None = None) -> None:
    """A line on stderr; with ``said``, a line already said is not repeated (an error in `defaults:` is every
    scenario's, but one line)."""
    if said is not None:
        if message in said:
            return
        said.add(message)
    click.echo(message, err=True)


def _line(exc: BaseException) -> str:
    """One line for an error: ``file:line: field: message`` when located, else ``error: message``."""
    text = " ".join(str(exc).split())
    if getattr(exc, "file", None):
        return text
    return f"error: {text}"


# ------------------------------------------------------------------------------------------------ optimize


@click.command("optimize", epilog=EXIT_CODES)
@click.argument("file", type=click.Path(dir_okay=False, path_type=str))
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table",
              show_default=True, help="table for people, json for programs, markdown for reports.")
@click.option("--name", default=None, help="Solve only the scenario of this name (in a file with `scenarios:`).")
def optimize_cmd(file: str, fmt: str, name: str | None) -> None:
    """Recommend what to buy for the scenario(s) in FILE (YAML).

    FILE holds one scenario, or a `scenarios:` list with `defaults:`; every valid scenario is solved and
    invalid ones are reported as `file:line: field: message` on stderr (and in place of their result: with
    --format json as a record with "status": "error", with --format markdown as a section). With --format json a file with
    one scenario prints one object, a file with `scenarios:` prints a list.
    """
    from recommender.scenario import InvalidScenario, load_located

    errors = _input_errors()
    try:
        located = load_located(file)
    except errors as exc:
        _say(_line(exc))
        if fmt == "json":  # a script reading stdout gets JSON whatever went wrong (a reviewer: it got nothing)
            record = _error_record(Path(file).stem, file, getattr(exc, "line", None) or 1, [_line(exc)])
            _print_results([record], fmt, as_list=False)
        sys.exit(2)
    is_list = _has_scenarios_key(file)
    if name is not None:
        known = list(dict.fromkeys(e.name for e, _ in located if e.name))
        located = [(e, line) for e, line in located if e.name == name]
        if not located:
            _say(f"{file}: no scenario named {name!r}; the file has {', '.join(map(repr, known)) or 'none'}")
            sys.exit(2)
    code = 0
    results: list[Any] = []
    said: set[str] = set()
    from recommender.batch import unanswered
    from recommender.commands.model import show_progress
    from recommender.performance import store

    store.on_fit(show_progress)  # the first run fits the model: say so on stderr
    for entry, line in located:
        if isinstance(entry, InvalidScenario):
            for err in entry.errors:
                _say(_line(err), said)
            code = max(code, 2)
            results.append(_error_record(entry.name, file, line, [_line(e) for e in entry.errors]))
            continue
        try:
            from recommender.api import optimize

            rec = optimize(entry)
        except errors as exc:
            message = _line(exc) if getattr(exc, "file", None) else f"{file}: {entry.name}: {' '.join(str(exc).split())}"
            _say(message)
            code = max(code, 2)
            results.append(_error_record(entry.name, file, line, [message]))
            continue
        except Exception as exc:  # one scenario's failure never stops the others
            if os.environ.get("RECOMMENDER_DEBUG"):
                raise
            message = f"{file}: {entry.name}: internal error: {type(exc).__name__}: {' '.join(str(exc).split())}"
            _say(f"{message} (set RECOMMENDER_DEBUG=1 for the traceback)")
            code = 3
            results.append(_error_record(entry.name, file, line, [message]))
            continue
        if unanswered(rec.status, rec.cloud_decision):  # a decision to rent is an answer (exit 0)
            code = max(code, 1)
        if str(rec.status) == "infeasible":  # what relaxing the limits buys, as the app says it
            rec = _with_relaxation(rec, entry)
        results.append(rec)
    _print_results(results, fmt, as_list=is_list and name is None)
    sys.exit(code)


def _has_scenarios_key(file: str) -> bool:
    from recommender.scenario import parse_file

    try:
        data = parse_file(file).data
    except Exception:  # noqa: BLE001 - only a hint for the output shape
        return False
    return isinstance(data, dict) and "scenarios" in data


def _error_record(name: str, file: str, line: int, errors: list[str]) -> dict[str, Any]:
    """A scenario with no result, as --format json shows it in its place (``scenario`` is its name, as in a
    result; ``status``/``error`` as in a `batch` error row); Markdown gives it a section, tables leave it to
    stderr."""
    return {"scenario": name, "file": file, "line": line, "status": "error", "error": "; ".join(errors)}


def _with_relaxation(rec: Any, scenario: Any) -> Any:
    """An infeasible answer's explanation gains what relaxing its limits buys (as the app shows it); a failure to
    work it out leaves the answer as it is."""
    try:
        import catalog
        from recommender.planning.relax import relaxation_sentences

        more = relaxation_sentences(scenario, catalog.load())
    except Exception:  # noqa: BLE001 - the answer stands without it
        return rec
    return rec.model_copy(update={"explanation": [*rec.explanation, *more]})


def _print_results(results: list[Any], fmt: str, *, as_list: bool) -> None:
    if fmt == "json":
        import json

        records = [r if isinstance(r, dict) else r.to_dict() for r in results]
        payload: Any = records if as_list else (records[0] if records else None)
        if payload is None:
            return
        click.echo(json.dumps(payload, indent=2))
        return
    if fmt == "markdown":  # an unsolved scenario keeps its place in the report (a reviewer: it vanished)
        click.echo("\n".join(_error_markdown(r) if isinstance(r, dict) else r.to_markdown() for r in results),
                   nl=False)  # fmt: skip
        return
    results = [r for r in results if not isinstance(r, dict)]
    if fmt == "table":
        for i, rec in enumerate(results):
            if i:
                click.echo("")
            _print_table(rec)


def _error_markdown(record: dict[str, Any]) -> str:
    return f"# {record['scenario']}: error\n\n**Not solved**: {record['error']}\n"


#: The line under the CLI table that says what each basis means.
BASIS_LEGEND = ("measured = MLPerf Training closed-division score of this exact configuration in the target round "
                f"(round division, status · submitter · system), {CUSTOM_MEASURED_NOTE}; carried = measured in an earlier round (the source names it), moved "
                "to today's software by the model's trend; predicted = performance model; specs_only = no MLPerf "
                "result for the accelerator (datasheet only). Capex, power and carried, predicted and specs-only "
                "minutes are derived, not MLPerf results.")


def _print_table(rec: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    out = sys.stdout
    console = Console(file=out, width=None if out.isatty() else 120, highlight=False)
    from recommender import format as fmt

    unit = {"minutes": " min", "mixes_per_day": " mixes/day"}.get(rec.objective_unit, "")
    shown = (fmt.money(rec.objective_value) if rec.objective_unit == "usd" else fmt.per_day(rec.objective_value or 0)
             if rec.objective_unit == "mixes_per_day" else f"{rec.objective_value or 0:,.4g}")
    value = "" if rec.objective_value is None else f" = {shown}{unit}"
    risk = f", risk {rec.risk}" if rec.risk else ""  # issue 12: which minutes were ranked
    risk += f", minutes as of {rec.minutes_as_of}" if rec.minutes_as_of else ""  # (a reviewer: never said)
    console.print(f"[bold]{rec.scenario}[/bold]: {rec.status} ({rec.objective}{value}{risk})", soft_wrap=True)
    from recommender.report import rent_terms

    terms = rent_terms(rec)  # consider_cloud chose renting: the table below is the best purchase, for comparison
    if terms is not None:
        console.print(f"decision: rent {terms}", soft_wrap=True, markup=False)
    if rec.configurations:
        table = Table(show_edge=False, header_style="bold")
        for col, justify in [("buy", "right"), ("accelerator", "left"), ("accelerators", "right"),
                             ("nodes", "right"), ("capex", "right"), ("IT kW", "right"),
                             ("minutes", "right"), ("basis", "left")]:
            table.add_column(col, justify=justify)  # type: ignore[arg-type]
        for c in rec.configurations:
            table.add_row(f"{fmt.count(c.count)}x", c.accelerator_name or c.accelerator_id, fmt.count(c.accelerators),
                          fmt.count(c.nodes), fmt.money(c.capex_usd), f"{c.it_power_kw:,.2f}", f"{c.weighted_minutes:,.2f}",
                          c.basis)
        console.print(table)
        per = Table(show_edge=False, header_style="bold", title_justify="left")
        for col, justify in [("workload", "left"), ("minutes", "right"), ("80 % interval", "right"),
                             ("basis", "left"), ("source", "left")]:
            per.add_column(col, justify=justify)  # type: ignore[arg-type]
        for c in rec.configurations:
            for w in c.workloads:
                interval = ("" if w.minutes_low is None or w.minutes_high is None
                            else f"{w.minutes_low:,.1f}–{w.minutes_high:,.1f}" if w.minutes_high >= 1
                            else f"{w.minutes_low:.2f}–{w.minutes_high:.2f}"  # as the minutes (0.66: 0.51–0.86)
                            if f"{w.minutes_low:.2f}" != f"{w.minutes_high:.2f}"
                            else f"{fmt.amount(w.minutes_low)}–{fmt.amount(w.minutes_high)}")  # not "0.20–0.20"
                per.add_row(w.workload if len(rec.configurations) == 1  # (a fleet: which of its configurations)
                            else f"{w.workload} ({c.accelerator_name or c.accelerator_id} x{fmt.count(c.accelerators)})",
                            f"{w.minutes:,.2f}", interval, w.basis, w.source or "")
        console.print(per)
        console.print(BASIS_LEGEND, soft_wrap=not out.isatty(), markup=False)
    for c in rec.configurations:  # issue 12: the whole bill, power and yearly cost
        _print_bill(console, c, rec.assumptions)
    if rec.rent_or_buy is not None:
        _print_rent(console, rec.rent_or_buy, rec.choice)
    if rec.binding:
        console.print(f"binding limits: {fmt.limits(rec.binding, rec.binding_together)}", soft_wrap=True)
    for sentence in rec.explanation:  # one line per sentence when piped (grep-able); wrapped on a terminal
        console.print(f"- {sentence}", soft_wrap=not out.isatty(), markup=False)
    if rec.skipped:  # what was not considered, and why (the explanation may point here)
        by_reason: dict[str, list[str]] = {}
        for k in rec.skipped:
            by_reason.setdefault(k.reason, []).append(k.accelerator_id + (f" x{k.accelerators}" if k.accelerators else ""))
        for reason, whats in by_reason.items():
            console.print(f"skipped ({reason}): {', '.join(whats)}", soft_wrap=not out.isatty(), markup=False)


def _print_bill(console: Any, c: Any, assumptions: Any) -> None:
    """One configuration's bill down to its TCO: the energy and the salvage as lines (the salvage negative, its
    source under the table), so a TCO below capex reads as the resale it holds; then power and the yearly cost."""
    from rich.table import Table

    from recommender import format as fmt
    from recommender.plan_models import rack_limit_text, tco_lines

    if not c.bill:
        return
    bill = Table(show_edge=False, header_style="bold", title_justify="left",
                 title=f"bill: {fmt.count(c.accelerators)} x {c.accelerator_name or c.accelerator_id}"
                       + (f" (per copy, {fmt.count(c.count)} copies)" if c.count > 1 else ""))  # fmt: skip
    for col, justify in [("item", "left"), ("quantity", "right"), ("unit", "right"), ("total", "right")]:
        bill.add_column(col, justify=justify)  # type: ignore[arg-type]
    for ln in c.bill:
        bill.add_row(ln.item, f"{ln.quantity:,.0f}", fmt.money(ln.unit_usd), fmt.money(ln.total_usd))
    bill.add_row("capex", "", "", fmt.money(c.capex_usd))
    lines = tco_lines(c, assumptions)
    for item, total, _ in lines:
        bill.add_row(item, "", "", fmt.money(total))
    console.print(bill)
    if lines:  # where the salvage comes from, and what the TCO leaves out (a TCO below capex: say why)
        salvage = [f"salvage = {source}; " for _, total, source in lines if total < 0]
        below = " The TCO is below capex: the resale outweighs the energy." if c.tco_usd < c.capex_usd else ""
        console.print(f"TCO = {lines[-1][2]}; {''.join(salvage)}energy and salvage are present values.{below}",
                      soft_wrap=not console.is_terminal, markup=False)  # fmt: skip
    if c.average_draw_kw is not None:
        limit = getattr(c, "rack_power_limit", None)  # the rack count's limit, with its source (no Assumptions here)
        rack = f" ({rack_limit_text(limit, full=True)})" if limit is not None else ""
        console.print(f"power: provisioned {c.it_power_kw:,.2f} kW in {c.racks} rack(s){rack}, average draw "
                      f"{c.average_draw_kw:,.2f} kW; energy {fmt.money(c.energy_usd_per_year)} a year"
                      f"{fmt.at_utilization(c.utilization)}; TCO {fmt.money(c.yearly_cost_usd)} a year (the present "
                      "value's equivalent annual cost)", soft_wrap=True, markup=False)  # fmt: skip


def _print_rent(console: Any, r: Any, choice: Any = None) -> None:
    """The rent-or-buy table: the same work bought or rented under each price row."""
    from rich.table import Table

    from recommender import format as fmt
    from recommender.plan_models import BREAK_EVEN_NOTE, RENT_BASIS_NOTE, buy_terms, rent_minutes

    rent = Table(show_edge=False, header_style="bold", title_justify="left",
                 title=f"rent or buy, the same work (buy {fmt.money(r.buy_tco_usd)} present value at the work's "
                       f"utilisation, {fmt.percent(r.utilization)}{buy_terms(r, choice)})")  # fmt: skip
    for col, justify in [("provider", "left"), ("accelerator", "left"), ("as", "right"), ("min", "right"),
                         ("pricing", "left"),
                         ("USD/acc-h", "right"), ("rent", "right"), ("vs buy", "right"),
                         ("break-even", "right"), ("as of", "left")]:  # fmt: skip
        rent.add_column(col, justify=justify, overflow="fold")  # type: ignore[arg-type]  # ids whole, not "…"
    for q in r.quotes:  # (the quote's date: a reviewer found sources and dates only in --format markdown)
        be = fmt.break_even(q.break_even_utilization)
        rent.add_row(q.provider, q.accelerator_id, fmt.count(q.accelerators or None), rent_minutes(q), q.pricing,
                     f"{q.usd_per_accelerator_hour:.2f}",
                     fmt.money(q.rent_pv_usd), f"{q.rent_pv_usd / r.buy_tco_usd:.2f}x", be, q.as_of)  # fmt: skip
    rent.caption, rent.caption_justify = f"{RENT_BASIS_NOTE}; {BREAK_EVEN_NOTE}", "left"
    console.print(rent)


# ------------------------------------------------------------------------------------------------ batch


@click.command("batch", epilog=EXIT_CODES)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--out", "-o", "out", required=True, type=click.Path(dir_okay=False, path_type=str),
              help="Results file: .csv, .json or .md (written atomically).")
@click.option("--jobs", "-j", type=int, default=None,
              help="Worker processes (-1 = all cores; 1 = no workers). Default: no workers for small batches, "
                   "all cores from 200 scenarios.")
def batch_cmd(paths: tuple[str, ...], out: str, jobs: int | None) -> None:
    """Solve every scenario of PATHS (files, or directories of *.yaml) and write one row per scenario.

    Each row has name, file, status (optimal | feasible | infeasible | error), choice, capex_usd,
    it_power_kw, minutes, binding limits and error. Invalid scenarios and unreadable files become error rows
    (and lines on stderr); the others are still solved and written. A progress bar shows on a terminal.
    """
    suffix = Path(out).suffix.lower()
    if suffix not in (".csv", ".json", ".md"):
        raise click.BadParameter("must end in .csv, .json or .md", param_hint="'--out'")
    parent = Path(out).parent
    if not parent.is_dir():
        raise click.BadParameter(f"directory {str(parent)!r} does not exist", param_hint="'--out'")
    if not os.access(parent, os.W_OK):  # known before every scenario is solved, not after
        raise click.BadParameter(f"directory {str(parent)!r} is not writable", param_hint="'--out'")
    from recommender.workers import jobs_problem

    if problem := jobs_problem(jobs):
        raise click.BadParameter(problem, param_hint="'--jobs'")

    from recommender.batch import RowStatus, exit_code, run_batch, spot_note, status_counts, write_rows

    errors = _input_errors()
    progress, on_progress = _progress()
    try:
        if progress is not None:
            progress.start()
        rows = run_batch(list(paths), jobs=jobs, on_progress=on_progress)
    except errors as exc:  # pragma: no cover - run_batch turns input errors into rows
        _say(_line(exc))
        sys.exit(2)
    finally:
        if progress is not None:
            progress.stop()
    said: set[str] = set()
    for row in rows:
        if row.status == RowStatus.ERROR:
            for message in row.errors or (row.error or f"{row.file}: error",):
                _say(message, said)
    try:
        write_rows(rows, out)
    except OSError as exc:
        _say(f"error: cannot write {out}: {exc.strerror or exc}")
        sys.exit(2)
    summary = status_counts(rows)
    files = len({r.file for r in rows})
    _say(f"{len(rows)} scenario{'s' if len(rows) != 1 else ''} from {files} file{'s' if files != 1 else ''}: "
         f"{summary or 'nothing to do'} -> {out}")
    if note := spot_note(rows):
        _say(note)
    sys.exit(exit_code(rows))


def _progress() -> tuple[Any, Any]:
    """A rich progress bar on a terminal (stderr), nothing when piped."""
    if not sys.stderr.isatty():
        return None, None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=Console(stderr=True), transient=True)
    tasks: dict[str, Any] = {}

    def on_progress(phase: str, done: int, total: int) -> None:
        if phase not in tasks:
            tasks[phase] = progress.add_task("loading files" if phase == "load" else "solving", total=total)
        progress.update(tasks[phase], completed=done, total=total)

    return progress, on_progress


# ------------------------------------------------------------------------------------------------ schema


@click.command("schema")
@click.option("--kind", type=click.Choice(["scenario", "price-list", "workload"]), default="scenario",
              show_default=True, help="Which file format: scenario files, price lists or custom workloads.")
def schema_cmd(kind: str) -> None:
    """Print the JSON Schema of scenario files (for editor completion and validation).

    \b
    Put this first line in a scenario file so editors with the YAML language server complete it:
      # yaml-language-server: $schema=<path or URL of scenario.schema.json>
    The committed copies are recommender/scenario.schema.json, price-list.schema.json, workload.schema.json.
    """
    from recommender.scenario import schema_text

    click.echo(schema_text(kind), nl=False)


def register(cli: click.Group) -> None:
    """Add `optimize`, `batch` and `schema` to the `recommender` command group."""
    cli.add_command(optimize_cmd)
    cli.add_command(batch_cmd)
    cli.add_command(schema_cmd)
