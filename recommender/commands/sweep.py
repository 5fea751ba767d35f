"""`recommender sweep FILE --out OUT.parquet` and `recommender sweep --summary OUT.parquet`.

Only click (and the standard library) is imported here; the sweep machinery loads inside the command.
"""

from __future__ import annotations

import sys
from typing import Any

import click

EPILOG = """\b
Exit codes:
  0    every scenario has a recommendation, or a decision to rent where no
       purchase fits (consider_cloud under min_tco)
  1    at least one scenario is infeasible (and no decision to rent)
  2    invalid sweep file or options, or at least one scenario is an error row
  3    internal error (one line; RECOMMENDER_DEBUG=1 shows the traceback)
  130  interrupted (Ctrl-C): finished chunks are kept; --resume finishes the sweep; 143 on SIGTERM
"""


def _say(message: str) -> None:
    click.echo(message, err=True)


@click.command("sweep", epilog=EPILOG)
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=str))
@click.option("--out", "-o", "out", type=click.Path(path_type=str),
              help="Results: OUT.parquet (a Parquet dataset, written chunk by chunk) or OUT.csv (small sweeps).")
@click.option("--dry-run", is_flag=True, help="Validate the sweep file and print how many scenarios it holds.")
@click.option("--resume", is_flag=True, help="Finish an interrupted sweep: skip the scenarios already in OUT.")
@click.option("--jobs", "-j", type=int, default=None,
              help="Local worker processes (-1 = all cores; 1 = this process). Default: all cores from "
                   "5,000 scenarios.")
@click.option("--dask", "dask", default=None, metavar="ADDRESS",
              help="Run on a Dask distributed scheduler (tcp://host:8786), or local:N for a local cluster "
                   "of N worker processes. Needs the `distributed` extra.")
@click.option("--chunk", type=click.IntRange(min=1), default=None, help="Scenarios per task (and per Parquet file).")
@click.option("--explain", is_flag=True, help="Add the optimizer's explanation to each row (much slower).")
@click.option("--summary", "summary", type=click.Path(path_type=str), default=None, metavar="OUT",
              help="Print where the choice changes along each axis of a finished sweep, and exit.")
def sweep_cmd(file: str | None, out: str | None, dry_run: bool, resume: bool, jobs: int | None,
              dask: str | None, chunk: int | None, explain: bool, summary: str | None) -> None:
    """Solve every scenario of the sweep FILE (a base scenario x axes of values) into OUT.

    One row per scenario: its axis values, status, objective value, choice, capex, IT power, minutes and
    binding limits. A progress bar shows on a terminal.
    """
    from catalog.errors import CatalogError
    from recommender.errors import RecommenderError

    errors = (RecommenderError, CatalogError, OSError)
    try:
        if summary is not None:
            _summary(summary)
            return
        if file is None:
            raise click.UsageError("give a sweep FILE (or --summary OUT)")
        _run(file, out, dry_run, resume, jobs, dask, chunk, explain)
    except errors as exc:
        for e in getattr(exc, "errors", None) or [exc]:
            _say(_line(e))
        sys.exit(2)


def _line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if getattr(exc, "file", None) else f"error: {text}"


def _summary(path: str) -> None:
    from recommender.sweep import read_results, summary_text

    click.echo(summary_text(read_results(path)), nl=False)


def _run(file: str, out: str | None, dry_run: bool, resume: bool, jobs: int | None, dask: str | None,
         chunk: int | None, explain: bool) -> None:
    import catalog as catalog_pkg
    from recommender.sweep import load_sweep, open_output, run_sweep

    cat = catalog_pkg.load()
    plan = load_sweep(file, catalog=cat)
    if dry_run:
        axes = " x ".join(f"{len(a)} {a.column}" for a in plan.axes)
        click.echo(f"{plan.total:,} scenarios ({axes}) in {plan.layout.groups:,} group"
                   f"{'s' if plan.layout.groups != 1 else ''} sharing a candidate table")
        return
    if out is None:
        raise click.UsageError("--out is required (OUT.parquet, or OUT.csv for small sweeps)")
    from recommender.workers import jobs_problem

    if problem := jobs_problem(jobs):
        raise click.BadParameter(problem, param_hint="'--jobs'")
    plan = plan.for_run(getattr(cat, "fingerprint", None), explain)
    output = open_output(out, plan, resume=resume)
    for note in getattr(output, "notes", []):
        _say(note)
    progress, on_progress = _progress()
    try:
        if progress is not None:
            progress.start()
        stats = run_sweep(plan, output, catalog=cat, jobs=jobs, dask=dask, explain=explain, chunk=chunk,
                          on_progress=on_progress)
    finally:
        if progress is not None:
            progress.stop()
    counts = ", ".join(f"{n:,} {s}" for s, n in sorted(stats.statuses.items()))
    if stats.interrupted:
        word = "terminated" if stats.terminated else "interrupted"
        if out.lower().endswith(".csv"):  # a CSV is written whole or not at all
            _say(f"{word}: nothing written to {out} (a CSV is written only when the sweep completes; any "
                 f"previous {out} is unchanged; write .parquet to be able to resume)")
        else:
            _say(f"{word}: {stats.done:,} of {stats.total:,} scenarios are in {out}; "
                 f"`recommender sweep {file} --out {out} --resume{' --explain' if explain else ''}` finishes it")
        sys.exit(143 if stats.terminated else 130)
    _say(f"{stats.total:,} scenarios ({stats.written:,} solved now{': ' + counts if counts else ''}) -> {out}")
    statuses, rent, spot = dict(stats.statuses), stats.rented, stats.spot
    if stats.written < stats.total:  # resumed: the exit code is the whole output's, not this run's share
        from recommender.sweep import read_results
        from recommender.sweep.runners import rented, spot_rents

        frame = read_results(out)
        whole = frame["status"].dropna().astype(str).value_counts()
        statuses, rent = {str(k): int(v) for k, v in whole.items()}, rented(frame)
        spot = spot_rents(frame["rent_caveat"]) if "rent_caveat" in frame else 0
        _say("whole output: " + ", ".join(f"{int(n):,} {st}" for st, n in sorted(whole.items()))
             + " (the exit code is the whole output's; `--summary` shows it)")
    if rent:
        _say(f"{rent:,} infeasible scenario{'s' if rent != 1 else ''} decided to rent (consider_cloud): answered")
    if spot:  # said once here; the rows carry it in `rent_caveat`
        from recommender.plan_models import spot_rents_note

        _say(spot_rents_note(f"{spot:,} of {stats.total:,} scenarios"))
    # infeasible with a decision to rent is an answer (batch.unanswered): exit 1 only for the others
    sys.exit(2 if "error" in statuses else 1 if statuses.get("infeasible", 0) > rent else 0)


def _progress() -> tuple[Any, Any]:
    """A rich progress bar on a terminal (stderr), nothing when piped."""
    if not sys.stderr.isatty():
        return None, None
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    progress = Progress(TextColumn("sweeping"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        TimeRemainingColumn(), console=Console(stderr=True), transient=True)
    task = progress.add_task("sweep", total=None)

    def on_progress(done: int, total: int) -> None:
        progress.update(task, completed=done, total=total)

    return progress, on_progress


def register(cli: click.Group) -> None:
    """Add `sweep` to the `recommender` command group."""
    cli.add_command(sweep_cmd)
