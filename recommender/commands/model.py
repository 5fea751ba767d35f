"""`recommender model …`: fit/warm the performance model, predict one configuration, evaluate accuracy.

Exit codes: 0 ok · 2 invalid input (unknown id, bad count) or an unusable catalog.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from recommender import format as fmt


def _fail(message: str, as_json: bool = False) -> None:
    """Say why on stderr and exit 2; with ``--json`` stdout also gets ``{"status": "error", "error": …}`` so a
    script reading it sees a refusal, not empty output."""
    click.echo(f"error: {message}", err=True)
    if as_json:
        click.echo(json.dumps({"status": "error", "error": message}, indent=2))
    sys.exit(2)


@click.group()
def model() -> None:
    """The performance model: minutes to train for configurations nobody measured."""


@model.command("fit")
@click.option("--force", is_flag=True, help="Refit even when a cached model exists.")
def fit_cmd(force: bool) -> None:
    """Fit the model on the shipped catalog and cache it (later processes load it in milliseconds)."""
    import time

    import catalog as catalog_pkg
    from catalog.errors import CatalogError
    from recommender.errors import RecommenderError
    from recommender.performance import store

    try:
        cat = catalog_pkg.load()
        path = store.cache_path(cat.fingerprint)
        if force:
            store.forget(cat.fingerprint)
            path.unlink(missing_ok=True)
        cached = store.model_is_cached(cat)
        t0 = time.perf_counter()
        with fit_progress() as progress:
            est = store.default_model(cat, progress=progress)
    except (RecommenderError, CatalogError) as exc:
        _fail(str(exc))
        return
    verb = "loaded" if cached else "fitted"
    click.echo(f"{verb} in {time.perf_counter() - t0:.1f} s on {est.model_.n_train_} results; cache: {path}")


_STATUS: list[Any] = []


def show_progress(message: str | None) -> None:
    """One progress line on stderr: a rich spinner on a terminal (updated in place, stopped by ``None``), a
    plain line otherwise."""
    if message is None:
        while _STATUS:
            _STATUS.pop().stop()
        return
    if not sys.stderr.isatty():
        click.echo(message, err=True)
    elif _STATUS:
        _STATUS[0].update(message)
    else:
        from rich.console import Console

        status = Console(stderr=True).status(message)
        status.start()
        _STATUS.append(status)


@contextmanager
def fit_progress() -> Iterator[Callable[[str | None], None]]:
    """:func:`show_progress` for the duration of a block (the spinner always stops at its end)."""
    try:
        yield show_progress
    finally:
        show_progress(None)


@model.command("predict")
@click.argument("accelerator_id")
@click.argument("accelerators", type=float)
@click.argument("benchmark")
@click.option("--nodes", type=int, default=None, help="Node count (default: fewest nodes of the usual size).")
@click.option("--round", "round_name", default=None, help="Round to predict for (default: latest / measured).")
@click.option("--coverage", type=float, default=0.8, show_default=True, help="Interval coverage.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def predict_cmd(accelerator_id: str, accelerators: float, benchmark: str, nodes: int | None,
                round_name: str | None, coverage: float, as_json: bool) -> None:
    """Minutes to train for ACCELERATORS x ACCELERATOR_ID on BENCHMARK, with an interval."""
    import pandas as pd

    from catalog.errors import CatalogError
    from recommender.errors import RecommenderError
    from recommender.performance import store
    from recommender.performance.answers import check_node_size, predict

    if not (math.isfinite(accelerators) and accelerators >= 1 and accelerators == int(accelerators)):
        _fail(f"ACCELERATORS: must be a whole number >= 1, got {accelerators:g}", as_json)
    from recommender.performance.answers import MAX_PREDICT_ACCELERATORS  # defined once, with predict()

    if accelerators > MAX_PREDICT_ACCELERATORS:
        _fail(f"ACCELERATORS: at most {MAX_PREDICT_ACCELERATORS:,} (the largest MLPerf Training result used 11,616; "
              f"far beyond that the count curve is pure extrapolation), got {accelerators:,.0f}", as_json)
    if nodes is not None and not (1 <= nodes <= accelerators and accelerators % nodes == 0):
        _fail(f"--nodes: must be between 1 and ACCELERATORS and divide it (equal accelerators per node), got {nodes} "
              f"for {accelerators:g} accelerators", as_json)
    row: dict[str, Any] = {"accelerator_id": accelerator_id, "accelerators": accelerators, "benchmark": benchmark}
    if nodes is not None:
        row["nodes"] = nodes
    if round_name is not None:
        from catalog.registry import canonical_round

        try:  # "2.0" is round v2.0 (it was taken as an unknown round: no anchors, another answer)
            row["round"] = canonical_round(round_name)
        except ValueError as exc:
            _fail(f"--round: {exc}", as_json)
    try:
        import catalog as catalog_pkg

        cat = catalog_pkg.load()
        check_node_size(cat, pd.DataFrame([row]))  # a layout no server has is said before a first fit
        with fit_progress() as progress:
            bundle = store.load_bundle(cat, progress=progress)
        out = predict(pd.DataFrame([row]), catalog=cat, coverage=coverage).iloc[0]
    except (RecommenderError, CatalogError) as exc:
        _fail(str(exc), as_json)
        return
    def num(v: Any) -> float | None:
        f = float(v)
        return f if math.isfinite(f) else None

    from recommender.performance.training import FALLBACK_PER_NODE

    per_node = bundle.per_node.get(accelerator_id, FALLBACK_PER_NODE)  # the layout answered, as predict() takes it
    rec = {"accelerator_id": accelerator_id, "accelerators": int(accelerators), "benchmark": benchmark,
           "nodes": nodes if nodes is not None else math.ceil(accelerators / per_node),
           "round": row.get("round", bundle.latest_round),
           "minutes": num(out["minutes"]), "minutes_low": num(out["minutes_low"]),
           "minutes_high": num(out["minutes_high"]), "basis": str(out["basis"]), "source": str(out["source"]),
           "coverage": coverage}
    if as_json:
        click.echo(json.dumps(rec, indent=2))
        return
    if rec["minutes"] is None:
        click.echo(f"{rec['accelerators']} x {accelerator_id} on {benchmark}: {rec['basis']}: {rec['source']}")
        return
    click.echo(f"{rec['accelerators']} x {accelerator_id} on {benchmark}: {rec['minutes']:.2f} minutes as of "
               f"{rec['round']} ({coverage:.0%} interval {rec['minutes_low']:.2f}–{rec['minutes_high']:.2f}); "
               f"{rec['basis']}: {rec['source']}")  # (the round answered for: a reviewer found it only in --json)


@model.command("evaluate")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (all metrics).")
@click.option("--markdown", "as_markdown", is_flag=True, help="README-ready Markdown tables.")
@click.option("--split", "splits", multiple=True,
              type=click.Choice(["forward", "leave-systems-out", "leave-accelerators-out", "first-appearances",
                                 "custom"]),
              help="Evaluate only these split families (default: all).")
@click.option("--coverage", type=float, default=0.8, show_default=True, help="Nominal interval coverage.")
@click.option("--per-benchmark/--no-per-benchmark", default=True, show_default=True,
              help="Show per-benchmark rows in the table.")
@click.option("--until", "until", metavar="ROUND", default=None,
              help="Drop every result of a round after ROUND first (e.g. v5.0): a development evaluation "
                   "ending at ROUND, not the final test.")
def evaluate_cmd(as_json: bool, as_markdown: bool, splits: tuple[str, ...], coverage: float,
                 per_benchmark: bool, until: str | None) -> None:
    """Accuracy of predict() on grouped held-out splits, next to two baselines (takes several minutes).

    \b
    Splits: train on rounds before R / test on R for the last three rounds (the last is the final test);
    systems held out (grouped 5-fold; new configurations and replicates apart); accelerators held out;
    first appearances of every accelerator from v1.0 on; custom workloads from one result of each benchmark
    new in the latest round, stating its task (the Must-show figure) and not. Groups: seen accelerators, first appearances, above 64 accelerators, each basis.
    Baselines: (a) nearest-linear = the nearest measured
    count of the same accelerator and benchmark scaled linearly; (b) flops-ratio = the nearest measured
    configuration of the accelerator with the closest peak BF16 FLOPS, scaled by the FLOPS ratio.
    MdAPE/MAPE in percent; coverage of the model's intervals in percent; regret = how much slower the
    accelerator ranked fastest truly is than the fastest (mean over round x benchmark x count groups).
    With --until ROUND every split ends at ROUND (settings are chosen there; the final test is run once).
    """
    from catalog.errors import CatalogError
    from recommender.errors import RecommenderError
    from recommender.performance.evaluate import SPLITS, evaluate

    chosen = tuple(splits) if splits else SPLITS
    try:
        with fit_progress() as progress:
            ev = evaluate(splits=chosen, coverage=coverage, until=until, progress=progress)
    except (RecommenderError, CatalogError) as exc:
        _fail(str(exc))
        return
    if as_json:
        click.echo(json.dumps(ev.to_dict(), indent=2))
        return
    if as_markdown:
        click.echo(_markdown(ev, per_benchmark))
        return
    _print_tables(ev, per_benchmark)


def _fmt(v: Any, pct: bool = True) -> str:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return "—"
    if math.isnan(f):
        return "—"
    return f"{f:.1f}" if pct else f"{f:.0f}"


_GROUP_LABELS = {"seen accelerators": "seen accel.", "unseen accelerators": "unseen accel.",
                 "rows nearest-linear answers": "rows (a) answers", "rows flops-ratio answers": "rows (b) answers"}


def _print_tables(ev: Any, per_benchmark: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    from recommender.performance.evaluate import must_show, split_label

    console = Console(width=None if sys.stdout.isatty() else 120)
    console.print(f"[bold]{split_label(ev.until)}[/bold]")
    t = Table(title="Must show (issue 11): the model's answers (predict()) on held-out results", title_justify="left")
    for col in ("figure", "split", "n", "MdAPE %", "bias %", "coverage %", "goal", "met"):
        t.add_column(col, justify="left" if col in ("figure", "split", "goal") else "right")
    for rec in must_show(ev.metrics).to_dict(orient="records"):
        t.add_row(rec["figure"], rec["split"] or "not run", _fmt(rec["n"], False), _fmt(rec["mdape"]),
                  fmt.signed_points(rec["bias"]), _fmt(rec["coverage"]), rec["goal"], _met(rec["met"]))
    console.print(t)
    console.print("bias: median signed error of the answers, + = slower than measured (pessimistic), "
                  "- = faster (optimistic)")
    m = ev.metrics
    for split in list(dict.fromkeys(m["split"])):
        sub = m[m["split"] == split]
        t = Table(title=f"{split}: MdAPE / MAPE in %, model interval coverage in % (target {ev.coverage:.0%}); "
                        "(a) nearest-linear, (b) flops-ratio on the rows they answer",
                  title_justify="left")
        for col in ("group", "n", "model MdAPE", "model MAPE", "coverage", "(a) MdAPE", "(a) rows",
                    "(b) MdAPE", "(b) rows"):
            t.add_column(col, justify="left" if col == "group" else "right")
        for g, mod, a, b in _methods_by_group(sub, per_benchmark):
            t.add_row(_GROUP_LABELS.get(g, g), _fmt(mod.get("n"), False), _fmt(mod.get("mdape")),
                      _fmt(mod.get("mape")), _fmt(mod.get("coverage")), _fmt(a.get("mdape")),
                      _fmt(a.get("answered"), False), _fmt(b.get("mdape")), _fmt(b.get("answered"), False))
        console.print(t)
        if split in ev.notes:
            console.print(f"  note: {ev.notes[split]}")
    r = Table(title="ranking regret: how much slower the accelerator ranked fastest truly is "
                    "(groups = round x benchmark x count with >= 2 accelerators)", title_justify="left")
    for col in ("split", "method", "groups", "mean regret %", "within 5 % of fastest, % of groups"):
        r.add_column(col, justify="left" if col in ("split", "method") else "right")
    for rec in ev.regret.to_dict(orient="records"):
        r.add_row(rec["split"], rec["method"], _fmt(rec["groups"], False), _fmt(rec["mean_regret_pct"]),
                  _fmt(rec["within_5pct"]))
    console.print(r)
    console.print(f"evaluated in {ev.seconds:.0f} s")


def _methods_by_group(sub: Any, per_benchmark: bool) -> Any:
    """(group, model row, nearest-linear row, flops-ratio row) for each group of one split's metrics."""
    groups = list(dict.fromkeys(sub["group"]))
    if not per_benchmark:
        groups = [g for g in groups if not g.startswith("benchmark ")]
    for g in groups:
        rows = {r["method"]: r for r in sub[sub["group"] == g].to_dict(orient="records")}
        yield g, rows.get("model", {}), rows.get("nearest-linear", {}), rows.get("flops-ratio", {})


def _met(v: Any) -> str:
    return {True: "yes", False: "no"}.get(v, "") if isinstance(v, bool) else ""


def _markdown(ev: Any, per_benchmark: bool) -> str:
    """Three Markdown tables: the Must-show figures; accuracy per split and group; ranking regret."""
    from recommender.performance.evaluate import must_show, split_label

    m = ev.metrics
    lines = [f"**{split_label(ev.until)}**", "",
             "| figure | split | n | MdAPE % | bias % | coverage % | goal | met |", "|---|---|--:|--:|--:|--:|---|---|"]
    for rec in must_show(m).to_dict(orient="records"):
        lines.append(f"| {rec['figure']} | {rec['split'] or 'not run'} | {_fmt(rec['n'], False)} | "
                     f"{_fmt(rec['mdape'])} | {fmt.signed_points(rec['bias'])} | {_fmt(rec['coverage'])} | {rec['goal']} | "
                     f"{_met(rec['met'])} |")
    lines += ["", "bias: median signed error of the answers, + = slower than measured (pessimistic), - = faster."]
    lines += ["", (f"| split | rows | n | model MdAPE % | model MAPE % | {ev.coverage:.0%} coverage % | "
             "(a) nearest-linear MdAPE % (rows) | (b) flops-ratio MdAPE % (rows) |"),
             "|---|---|--:|--:|--:|--:|--:|--:|"]
    for split in list(dict.fromkeys(m["split"])):
        sub = m[m["split"] == split]
        for g, mod, a, b in _methods_by_group(sub, per_benchmark):
            lines.append(f"| {split} | {_GROUP_LABELS.get(g, g)} | {_fmt(mod.get('n'), False)} | "
                         f"{_fmt(mod.get('mdape'))} | {_fmt(mod.get('mape'))} | {_fmt(mod.get('coverage'))} | "
                         f"{_fmt(a.get('mdape'))} ({_fmt(a.get('answered'), False)}) | "
                         f"{_fmt(b.get('mdape'))} ({_fmt(b.get('answered'), False)}) |")
    lines += ["", "| split | method | groups | mean regret % | within 5 % of fastest (% of groups) |",
              "|---|---|--:|--:|--:|"]
    for rec in ev.regret.to_dict(orient="records"):
        lines.append(f"| {rec['split']} | {rec['method']} | {_fmt(rec['groups'], False)} | "
                     f"{_fmt(rec['mean_regret_pct'])} | {_fmt(rec['within_5pct'])} |")
    for split, note in ev.notes.items():
        lines.append(f"\n{split}: {note.strip()}")
    return "\n".join(lines)


def register(cli: click.Group) -> None:
    """Add the ``model`` group to the console script."""
    cli.add_command(model)
