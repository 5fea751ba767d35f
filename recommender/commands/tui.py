"""``recommender tui [SCENARIO.yaml]``: the interactive app. Textual is imported only when the command runs."""

from __future__ import annotations

import click


@click.command("tui")
@click.argument("scenario", required=False, type=click.Path(dir_okay=False, path_type=str))
def tui_command(scenario: str | None) -> None:
    """Open the interactive app on SCENARIO.yaml (default: the seed scenario, examples/seed.yaml).

    \b
    Keys: the app starts on the recommendation; 1-4 switch views (Recommend, Frontier, Catalog, Model) ·
    Tab reaches the form, Esc leaves a field · ctrl+o/ctrl+s open/save the scenario · ctrl+e export the
    recommendation · F1 help · ctrl+p command palette · q (outside text fields) or ctrl+q quits (asking first
    when the scenario has unsaved edits).
    """
    from catalog.errors import CatalogError
    from recommender.errors import RecommenderError

    try:
        loaded = None
        if scenario is not None:
            from tui.backend import load_scenario

            loaded = load_scenario(scenario)
    except (RecommenderError, CatalogError) as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from None
    except OSError as exc:
        click.echo(f"error: {scenario}: {exc.strerror or exc}", err=True)
        raise SystemExit(2) from None

    from tui.app import RecommenderApp

    RecommenderApp(scenario=loaded, scenario_path=scenario).run()


def register(cli: click.Group) -> None:
    cli.add_command(tui_command)
