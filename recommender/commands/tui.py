"""``recommender tui [SCENARIO.yaml]``: the interactive app. Textual is imported only when the command runs."""

from __future__ import annotations

from typing import Any

import click


@click.command("tui")
@click.argument("scenario", required=False, type=click.Path(dir_okay=False, path_type=str))
@click.option("--model-until", "model_until", default=None, metavar="ROUND",
              help="Model view: a development evaluation that drops every result after ROUND (e.g. v5.0), "
                   "for whoever changes the model and must not look at the final test.")
@click.option("--name", default=None, help="Open the scenario of this name (in a file with `scenarios:`; without "
                                           "it the app asks which); saving then asks for a file of its own.")
def tui_command(scenario: str | None, model_until: str | None, name: str | None) -> None:
    """Open the interactive app on SCENARIO.yaml (default: the seed scenario, examples/seed.yaml).

    \b
    Keys: the app starts on the recommendation; F2-F5 switch views (Recommend, Frontier, Catalog, Model) ·
    Tab reaches the form, Esc leaves a field · ctrl+o/ctrl+s open/save the scenario · ctrl+e export the
    recommendation · F1 help · ctrl+p command palette · q (outside text fields) or ctrl+q quits (asking first
    when the scenario has unsaved edits).
    """
    from catalog.errors import CatalogError
    from recommender.errors import RecommenderError

    try:
        loaded, pick_from = None, None
        if name is not None and scenario is None:
            click.echo("error: --name needs a SCENARIO.yaml file", err=True)
            raise SystemExit(2)
        if scenario is not None:
            from tui.backend import load_scenario, scenario_choices

            if name is None and scenario_choices(scenario):  # several: the app asks which (as ctrl+o does)
                pick_from = scenario
            else:
                loaded = load_scenario(scenario, name=name)
    except (RecommenderError, CatalogError) as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from None
    except OSError as exc:
        click.echo(f"error: {scenario}: {exc.strerror or exc}", err=True)
        raise SystemExit(2) from None

    report = None
    if model_until is not None:
        report = _development_report(model_until)

    from tui.app import RecommenderApp

    # one scenario of a multi-scenario file: saving it over that file would drop the others
    RecommenderApp(scenario=loaded, scenario_path=None if (name or pick_from) else scenario, model_report=report,
                   open_after_start=pick_from).run()


def _development_report(until: str) -> Any:
    """The Model view's report cut at ``until``; a bad round name, or the catalog's latest round or a later one,
    exits 2 with a message before the app starts."""
    from functools import partial

    from catalog.registry import is_round_name

    if not is_round_name(until):
        click.echo(f"error: --model-until: {until!r} is not a round name (expected e.g. v5.0)", err=True)
        raise SystemExit(2)
    import catalog
    from catalog.registry import round_key

    latest = catalog.load().latest_round  # loaded once per process: the app reuses it
    if round_key(until) >= round_key(latest):
        click.echo(f"error: --model-until {until}: name a round before the catalog's latest ({latest}); testing "
                   "on the latest round is the final test (plain `recommender tui` shows it)", err=True)
        raise SystemExit(2)
    from tui.backend import model_report

    return partial(model_report, until=until)


def register(cli: click.Group) -> None:
    cli.add_command(tui_command)
