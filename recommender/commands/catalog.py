"""`recommender catalog …`: import MLPerf rounds, rank results in the same configuration."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from catalog.schema import DIVISIONS, STATUSES
from recommender import format as fmt


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


@click.group()
def catalog() -> None:
    """The MLPerf Training results catalog: import rounds, rank results."""


@catalog.command("import-mlperf")
@click.argument("round_dirs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path, file_okay=False),
              help="Folder to write results.csv into (written atomically).")
@click.option("--round", "round_name", default=None, help="Round name (e.g. v5.1) when the folder name isn't one.")
@click.option("--report", "report_path", default=None, type=click.Path(path_type=Path, dir_okay=False),
              help="Write the full import report (every skipped or unscoreable item) as JSON.")
def import_mlperf(round_dirs: tuple[Path, ...], out_dir: Path, round_name: str | None,
                  report_path: Path | None) -> None:
    """Import official MLPerf Training result folders (ROUND_DIR = e.g. training_results_v5.0 or v5.0).

    Scores every (round, submitter, system, benchmark) as MLCommons does and writes OUT/results.csv.

    \b
    Exit codes: 0 imported (the summary says what could not be read, if anything)
                · 2 unusable input (missing directory, not an MLPerf layout).
    """
    import os

    from catalog.errors import CatalogError
    from catalog.mlperf import import_rounds, write_json_atomic, write_results_csv

    seen: dict[Path, Path] = {}
    for d in round_dirs:  # the same folder twice made every result a re-submission of itself
        key = d.resolve()
        if key in seen:
            _fail(f"{d}: given twice (also as {seen[key]}); {_untouched(out_dir)}")
        seen[key] = d
    if report_path is not None:  # checked first, so a bad --report never follows a replaced results.csv
        parent = report_path.parent
        if parent.resolve() == out_dir.resolve() and not parent.exists():  # --out NEW --report NEW/r.json:
            parent = next(a for a in parent.resolve().parents if a.exists())  # NEW is made with results.csv
        if (report_path.is_dir() or report_path.resolve() == out_dir.resolve() or not parent.is_dir()
                or not os.access(parent, os.W_OK)):
            _fail(f"--report: cannot write {report_path} (it is --out, a folder, or in a missing or read-only folder); "
                  f"{_untouched(out_dir)}")  # fmt: skip
    target = out_dir / "results.csv"
    if target.is_file() and not os.stat(target).st_mode & 0o222:  # (the rename would replace it, even as root)
        _fail(f"{target} is write-protected (mode {os.stat(target).st_mode & 0o777:o}); make it writable or choose "
              f"another --out; {_untouched(out_dir)}")
    try:
        rows, report = import_rounds(round_dirs, round_name=round_name)
    except CatalogError as exc:
        _fail(str(exc))
        return
    except OSError as exc:  # an unreadable submitter folder or file (permissions, I/O error)
        _fail(f"{exc.filename or ', '.join(map(str, round_dirs))}: cannot read ({exc.strerror or exc}); "
              f"{_untouched(out_dir)}")
        return
    twice = sorted({r for r in report.rounds if list(report.rounds).count(r) > 1})
    if twice:
        _fail(f"round {', '.join(twice)} comes from more than one folder ({', '.join(map(str, round_dirs))}); "
              f"{_untouched(out_dir)}")  # fmt: skip
    if not rows:
        _fail(f"{', '.join(map(str, round_dirs))}: no results found; {_untouched(out_dir)}")
    try:
        write_results_csv(rows, out_dir / "results.csv")
    except OSError as exc:
        _fail(f"cannot write {out_dir / 'results.csv'}: {exc} (the previous file, if any, is unchanged)")
    if report_path is not None:
        try:
            write_json_atomic(report.to_dict(), report_path)
        except OSError as exc:
            _fail(f"--report: cannot write {report_path}: {exc} ({out_dir / 'results.csv'} was written)")
    _print_summary(report, out_dir / "results.csv")


def _untouched(out_dir: Path) -> str:
    """What a refused import left as it was: the existing results.csv, or nothing at all."""
    target = out_dir / "results.csv"
    return f"{target} left unchanged" if target.exists() else f"nothing written to {out_dir}"


def _print_summary(report, out_path: Path) -> None:  # type: ignore[no-untyped-def]
    click.echo(f"Imported {', '.join(report.rounds)} in {report.seconds:.1f} s -> {out_path}")
    click.echo(f"  results: {report.rows}, scored: {report.rows_scored}, "
               f"unscoreable: {report.rows - report.rows_scored}, re-submissions marked: {report.duplicates}")
    _print_unreadable(report)
    if len(set(report.rounds)) == 1:  # a reviewer imported a new round alone and lost the earlier ones unawares
        click.echo(f"  note: {out_path} holds only {report.rounds[0]}: as MLPERF_RECOMMENDER_CATALOG it replaces the "
                   "shipped rounds\n        (the model learns only from the rounds a catalog holds); to add a round "
                   "to the others, import them together:\n        recommender catalog import-mlperf "
                   ".../mlperf/training/v* NEW_ROUND_DIR --out DIR")
    unscoreable = report.unscoreable
    if unscoreable:
        click.echo("  unscoreable (no minutes):")
        for item in unscoreable[:20]:
            click.echo(f"    {item.round} {item.submitter}/{item.system_id}/{item.benchmark_folder}: {item.reason}")
        if len(unscoreable) > 20:
            click.echo(f"    … {len(unscoreable) - 20} more (see --report)")
    other = report.reason_counts("warning") + report.reason_counts("skipped")
    if other:
        click.echo("  irregularities:")
        for reason, n in other.most_common():
            click.echo(f"    {n:5d} × {reason}")
    if report.unmapped_accelerators:
        click.echo("  unmapped accelerator names (add them to accelerator_aliases.csv):")
        for name, n in sorted(report.unmapped_accelerators.items()):
            click.echo(f"    {name}  ({n} results)")
    else:
        click.echo("  unmapped accelerator names: none")
    if report.cpu_only_systems:
        click.echo(f"  CPU-only systems (no accelerator): {len(report.cpu_only_systems)}")


def _print_unreadable(report) -> None:  # type: ignore[no-untyped-def]
    """What could not be read (permissions, I/O): not the submissions' fault, and the import is incomplete."""
    results, folders = report.unreadable_results, report.unreadable_folders
    if not results and not folders:
        return
    parts = []
    if results:
        parts.append(f"{len(results)} result{'s' * (len(results) != 1)} (an unreadable log: no score)")
    if folders:
        whose = "its" if len(folders) == 1 else "their"
        parts.append(f"{len(folders)} folder{'s' * (len(folders) != 1)} ({whose} results are missing)")
    click.echo(f"  could not be read: {', '.join(parts)}; make them readable and import again")
    for path, why in folders.items():
        click.echo(f"    {path}: {why}")


@catalog.command("rank")
@click.option("--benchmark", "-b", required=True, help="Benchmark id, e.g. bert, resnet, retinanet, llama2_70b_lora.")
@click.option("--accelerator", "-a", default=None, help="Accelerator id, e.g. nvidia-a30-pcie-24gb.")
@click.option("--accelerators", "-n", type=click.IntRange(min=1), default=None, help="Total accelerator count.")
@click.option("--round", "-r", "round_name", default=None, help="Round, e.g. v2.0.")
@click.option("--division", default="closed", show_default=True, type=click.Choice([*DIVISIONS, "all"]))
@click.option("--status", default=None, type=click.Choice(STATUSES))
@click.option("--submitter", default=None)
@click.option("--metric", "-m", default="minutes", show_default=True, type=click.Choice(["minutes", "energy"]),
              help="Rank by minutes to train, or by energy to train (MLPerf Power results only).")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True, help="Rows shown in the table.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of row objects.")
def rank_cmd(benchmark: str, accelerator: str | None, accelerators: int | None, round_name: str | None,
             division: str, status: str | None, submitter: str | None, metric: str, limit: int,
             as_json: bool) -> None:
    """Results of one benchmark ranked by minutes to train (or energy to train), "same configuration" first.

    `rank` counts within (round, division, accelerator, accelerator count), the way vendors quote wins.
    Energy (kWh to train, average kW) is shown where the submission measured power: MLPerf Power results.
    """
    import catalog as cat_mod
    from catalog.errors import CatalogError

    try:
        cat = cat_mod.load()
    except CatalogError as exc:
        _fail(str(exc))
        return
    from catalog.errors import CatalogQueryError

    try:  # the library checks every filter against the catalog (closest ids for a typo)
        df = cat_mod.rank(benchmark, accelerator=accelerator, accelerators=accelerators, round=round_name,
                          division=None if division == "all" else division, status=status, submitter=submitter,
                          metric=metric, catalog=cat)
    except CatalogQueryError as exc:
        _fail(f"--{exc.field}: {exc.message}")
        return
    if as_json:
        rows = [{k: cat_mod._jsonable(v) for k, v in rec.items()} for rec in df.to_dict(orient="records")]
        click.echo(json.dumps(rows, indent=1))
        return
    _print_rank_table(df.head(limit), benchmark, len(df), metric)


_ENERGY_CAPTION = ("Energy: MLPerf Power results (energy to train, MLCommons' rule; avg kW = energy ÷ time to train, "
                   "kW/node = avg kW ÷ nodes). AC is measured at the wall, DC after the power supplies: each is ranked "
                   "among its own kind.")


def _print_rank_table(df, benchmark: str, total: int, metric: str = "minutes") -> None:  # type: ignore[no-untyped-def]
    from rich.console import Console
    from rich.table import Table

    from catalog.registry import benchmark_name

    energy = metric == "energy" or bool(df["energy_kwh"].notna().any())
    what = "kWh to train (MLPerf Power results)" if metric == "energy" else "minutes to train"
    caption = ("rank = position within the same round, division, accelerator and count. "
               "'vs fastest' / 'vs lowest' are derived, not MLPerf results.")
    table = Table(title=f"MLPerf Training · {benchmark_name(benchmark)} · {what} (lower is better)",
                  caption=caption + (" " + _ENERGY_CAPTION if energy else ""), caption_justify="left")
    columns = [("rank", {"justify": "right"}), ("round", {}), ("division", {}), ("status", {}), ("submitter", {}),
               ("system", {"overflow": "fold"}), ("accelerator", {}), ("count", {"justify": "right"}),
               ("minutes", {"justify": "right"}), ("vs fastest (derived)", {"justify": "right"})]
    if energy:
        columns += [("energy kWh", {"justify": "right"}), ("avg kW", {"justify": "right"}),
                    ("kW/node", {"justify": "right"}), ("AC/DC", {})]
        if metric == "energy":
            columns.append(("vs lowest (derived)", {"justify": "right"}))
    for col, kw in columns:
        table.add_column(col, **kw)
    for rec in df.itertuples(index=False):
        table.add_row(*_rank_cells(rec, energy, metric))
    console = Console(width=None if sys.stdout.isatty() else 200)
    if total == 0:
        console.print("no scored results match these filters"
                      + (" (energy exists only for MLPerf Power submissions)" if metric == "energy" else ""))
        return
    console.print(table)
    if total > len(df):
        console.print(f"… {total - len(df)} more rows (--limit, or --json for all)")


def _rank_cells(rec, energy: bool, metric: str) -> list[str]:  # type: ignore[no-untyped-def]
    import pandas as pd

    def num(v, fmt: str) -> str:  # type: ignore[no-untyped-def]
        return "—" if v is None or pd.isna(v) else format(v, fmt)

    def pct(v) -> str:  # type: ignore[no-untyped-def]
        return "—" if v is None or pd.isna(v) else ("best" if v == 0 else f"+{v:.1f} %")

    dup = " (re-submission)" if isinstance(rec.duplicate_of, str) else ""
    cells = [str(rec.rank), rec.round, rec.division, rec.status, rec.submitter, f"{rec.system_id}{dup}",
             str(rec.accelerator_name) if not pd.isna(rec.accelerator_name) else "—", str(rec.accelerators),
             f"{rec.minutes:.3f}", "fastest" if rec.derived_vs_fastest_pct == 0 else f"+{rec.derived_vs_fastest_pct:.1f} %"]
    if energy:
        cells += [num(rec.energy_kwh, ".3f"), num(rec.avg_power_kw, ".2f"), num(rec.avg_node_power_kw, ".2f"),
                  rec.power_measurement_type if isinstance(rec.power_measurement_type, str) else "—"]
        if metric == "energy":
            cells.append(pct(rec.derived_vs_lowest_energy_pct))
    return cells


@catalog.command("accelerators")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of row objects.")
def accelerators_cmd(as_json: bool) -> None:
    """The accelerator table: ids, names, key specs and the reference price with its confidence."""
    import catalog as cat_mod
    from catalog.errors import CatalogError

    try:
        cat = cat_mod.load()
    except CatalogError as exc:
        _fail(str(exc))
        return
    acc = cat.accelerators
    r = cat.scored(division="closed")
    counts = r.groupby("accelerator_id").size()
    cols = ["accelerator_id", "name", "form_factor", "memory_gb", "peak_fp16_bf16_dense_tflops", "tdp_watts",
            "reference_price_usd", "reference_price_confidence", "reference_price_as_of"]
    df = acc[cols].copy()
    df["closed_results"] = df["accelerator_id"].map(counts).fillna(0).astype("Int64")
    if as_json:
        rows = [{k: cat_mod._jsonable(v) for k, v in rec.items()} for rec in df.to_dict(orient="records")]
        click.echo(json.dumps(rows, indent=1))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Accelerators (reference prices are estimates; override with vendor quotes)")
    for col in ["id", "name", "form", "memory GB", "BF16 TFLOPS", "TDP W", "reference price", "conf.", "as of",
                "closed results"]:
        table.add_column(col, justify="right" if col in {"memory GB", "BF16 TFLOPS", "TDP W", "reference price",
                                                           "closed results"} else "left")
    for rec in df.to_dict(orient="records"):
        v = {k: cat_mod._jsonable(x) for k, x in rec.items()}
        price = v["reference_price_usd"]
        table.add_row(v["accelerator_id"], v["name"], v["form_factor"], fmt.whole(v["memory_gb"]),
                      fmt.whole(v["peak_fp16_bf16_dense_tflops"]), fmt.whole(v["tdp_watts"]),
                      fmt.money(price, missing="no sourced price"),
                      v["reference_price_confidence"] or "", v["reference_price_as_of"] or "",
                      str(v["closed_results"]))
    Console(width=None if sys.stdout.isatty() else 200).print(table)

