"""The ``recommender`` console script.

Subcommands live in ``recommender/commands/``; each module imports only ``click`` at import time so
``recommender --help`` and start-up stay fast (heavy imports happen inside the commands).

Exit codes: 0 success; 1 a scenario is infeasible; 2 invalid input or misuse (2 wins over 1).
"""

from __future__ import annotations

import sys

import click

from recommender.commands import catalog as _catalog_cmd


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mlperf-recommender")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Which accelerator to buy, how many, and in which server — grounded in MLPerf Training results.

    With no command on a terminal, opens the interactive app (`recommender tui`).

    \b
    Exit codes: 0 ok · 1 a scenario is infeasible · 2 invalid input or misuse.
    """
    if ctx.invoked_subcommand is None:
        tui_cmd = cli.commands.get("tui")
        if tui_cmd is not None and sys.stdin.isatty() and sys.stdout.isatty():
            ctx.invoke(tui_cmd)
        else:
            click.echo(ctx.get_help())


cli.add_command(_catalog_cmd.catalog)

for _name in ("model", "optimize", "sweep", "tui"):
    # Optional command modules (performance model, optimizer/batch/schema, TUI) register themselves here.
    try:
        _mod = __import__(f"recommender.commands.{_name}", fromlist=["register"])
    except ModuleNotFoundError as _exc:  # pragma: no cover - only while a module is missing
        if _exc.name != f"recommender.commands.{_name}":
            raise
        continue
    _mod.register(cli)


def main() -> None:
    cli(prog_name="recommender")


if __name__ == "__main__":  # pragma: no cover
    main()
