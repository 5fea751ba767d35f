"""The ``recommender`` console script.

Subcommands live in ``recommender/commands/``; each module imports only ``click`` at import time so
``recommender --help`` and start-up stay fast (heavy imports happen inside the commands).

Exit codes: 0 success (a recommendation, or a decision to rent where no purchase fits); 1 a scenario is infeasible
(and no decision to rent); 2 invalid input or misuse (2 wins over 1); 3 internal error
(one line on stderr; ``RECOMMENDER_DEBUG=1`` shows the traceback); 130 interrupted (Ctrl-C), 143 terminated.
"""

from __future__ import annotations

import os
import signal
import sys
import warnings
from collections.abc import Sequence

import click

from recommender import workers as _workers
from recommender.commands import catalog as _catalog_cmd


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mlperf-recommender")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Which accelerator to buy, how many, and in which server — grounded in MLPerf Training results.

    With no command on a terminal, opens the interactive app (`recommender tui`).

    \b
    Exit codes: 0 ok (a decision to rent where no purchase fits included) · 1 a scenario is infeasible ·
    2 invalid input or misuse · 3 internal error (RECOMMENDER_DEBUG=1 shows the traceback) · 130 interrupted
    (Ctrl-C).
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


#: Exit codes of the console script.
EXIT_OK, EXIT_INFEASIBLE, EXIT_INVALID, EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_TERMINATED = 0, 1, 2, 3, 130, 143


_Terminated = _workers.Terminated  # SIGTERM, raised like Ctrl-C (``terminated = True``: sweeps exit 143)


def _on_sigterm(signum: int, frame: object) -> None:
    """SIGTERM: raise :class:`_Terminated` where the main thread is, and set the stop flag that sweep and batch loops
    check between chunks and rows (the exception may be swallowed or delayed by the code it lands in). A second
    SIGTERM ends the process at once (the default action), whatever the first one's clean-up is doing."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _workers.request_stop()
    raise _Terminated


def _debug() -> bool:
    return os.environ.get("RECOMMENDER_DEBUG", "") not in ("", "0")


def run(args: Sequence[str] | None = None) -> int:
    """Run the console script with ``args`` (default: ``sys.argv[1:]``); return its exit code.

    0 ok, 1 infeasible, 2 invalid input or misuse, 3 internal error (one line; RECOMMENDER_DEBUG=1 re-raises
    it with its traceback), 130 Ctrl-C, 143 SIGTERM. Warnings (e.g. numpy's RuntimeWarning) are not shown
    unless RECOMMENDER_DEBUG is set: messages on stderr are for the user's input, not the internals.
    """
    debug = _debug()
    with warnings.catch_warnings():
        if not debug:
            warnings.simplefilter("ignore")
        try:
            rv = cli.main(args=list(args) if args is not None else None, prog_name="recommender",
                          standalone_mode=False)
        except click.exceptions.Abort as exc:
            if not isinstance(exc.__cause__, KeyboardInterrupt):
                click.echo("aborted", err=True)
                return EXIT_INFEASIBLE
            return _interrupted(exc.__cause__)
        except KeyboardInterrupt as exc:
            return _interrupted(exc)
        except click.ClickException as exc:
            exc.show()
            return exc.exit_code
        except SystemExit as exc:
            return _code(exc.code)
        except Exception as exc:  # the one place an unexpected error becomes exit code 3
            if debug:
                raise
            text = " ".join(str(exc).split())[:300]
            click.echo(f"internal error: {type(exc).__name__}: {text} (set RECOMMENDER_DEBUG=1 for the traceback)",
                       err=True)
            return EXIT_INTERNAL
    return _code(rv)


def _interrupted(exc: BaseException) -> int:
    _workers.stop_workers()
    if isinstance(exc, _Terminated):
        click.echo("terminated", err=True)
        return EXIT_TERMINATED
    click.echo("interrupted", err=True)
    return EXIT_INTERRUPTED


def _code(value: object) -> int:
    if value is None:
        return EXIT_OK
    if isinstance(value, int):
        return value
    click.echo(str(value), err=True)  # sys.exit("message") convention
    return EXIT_INVALID


def main() -> None:
    signal.signal(signal.SIGTERM, _on_sigterm)
    sys.exit(run())


if __name__ == "__main__":  # pragma: no cover
    main()
