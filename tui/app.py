"""The Textual app: explore the catalog, edit a scenario, and watch the recommendation update.

``RecommenderApp`` takes its dependencies in its constructor so tests (and embedders) can run it on a
small catalog with a fake optimizer. Blocking work (loading the catalog, fitting the model, optimize,
frontier, ranking, model accuracy) runs in thread workers that only post typed messages
(:mod:`tui.messages`); widgets are updated in the ``@on`` handlers on the app's thread.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Header, Input, TabbedContent, TabPane
from textual.widgets._tabbed_content import ContentTabs
from textual.worker import get_current_worker

from tui import backend
from tui import messages as msg
from tui.file_actions import FileActions
from tui.keys import APP_BINDINGS, VIEWS
from tui.widgets.catalog_view import CatalogView
from tui.widgets.footer import FitFooter
from tui.widgets.frontier_view import FrontierView
from tui.widgets.model_view import ModelView
from tui.widgets.recommendation import SOLVE_FAILED_TEXT, RecommendationPanel, status_text
from tui.widgets.scenario_form import ScenarioForm

if TYPE_CHECKING:  # pragma: no cover
    from catalog import Catalog
    from recommender.models import Recommendation, Scenario


class RecommenderApp(FileActions, App[None]):
    """mlperf-recommender's interactive app.

    Args:
        catalog: a loaded :class:`catalog.Catalog`; loaded in a worker when None.
        scenario: the scenario to open; the seed scenario from ``examples/`` when None.
        scenario_path: where ``scenario`` came from (the default path for saving).
        optimize: ``(scenario, catalog) -> Recommendation``; ``recommender.optimize`` when None.
        frontier: ``(scenario, catalog) -> DataFrame``; ``recommender.frontier`` when None.
        model_report: ``(catalog, *, cached_only=False) -> (by_benchmark, points, source)`` for the Model view
            (:class:`tui.backend.ModelReportFn`: with ``cached_only``, the cached summary or None).
        debounce: seconds of quiet after an edit before the scenario is solved again.
        check_model_cache: whether to look for a cached performance model (progress while it is fitted).
        warm_start: show the last answer for identical inputs while the first solve runs, and store the answer
            (:mod:`tui.warm_start`); on by default with the real optimizer only.
    """

    CSS_PATH = Path(__file__).with_name("app.tcss")
    # Focus starts on the answer, so q quits at launch (F2-F5 switch views from anywhere); Tab reaches the form.
    AUTO_FOCUS = "#recommendation"
    #: Screen classes by terminal width (app.tcss narrows the form and the tables with them).
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-narrow"), (100, "-medium"), (140, "-wide")]
    TITLE = "mlperf-recommender"
    SUB_TITLE = "which accelerator to buy, grounded in MLPerf Training"

    BINDINGS: ClassVar[list[BindingType]] = APP_BINDINGS  # (tui.keys: views on F2-F5, never digits)

    def __init__(
        self,
        *,
        catalog: Catalog | None = None,
        scenario: Scenario | None = None,
        scenario_path: str | Path | None = None,
        optimize: backend.OptimizeFn | None = None,
        frontier: backend.FrontierFn | None = None,
        model_report: backend.ModelReportFn | None = None,
        candidates: backend.CandidatesFn | None = None,
        debounce: float = 0.35,
        check_model_cache: bool | None = None,
        warm_start: bool | None = None,
        open_after_start: str | None = None,
    ) -> None:
        super().__init__()
        self._open_after_start = open_after_start  # a file of several scenarios: ask which once started
        self.catalog = catalog
        self.scenario = scenario
        self.scenario_path = Path(scenario_path) if scenario_path else None
        self._optimize = optimize or backend.optimize
        self._frontier = frontier or backend.frontier
        self._model_report = model_report or backend.model_report
        self._candidates = candidates or backend.candidates
        self._clean_scenario: Scenario | None = scenario  # as opened or last saved (quit asks when it differs)
        self._check_model_cache = (optimize is None) if check_model_cache is None else check_model_cache
        self.debounce = debounce
        self.recommendation: Recommendation | None = None
        self.generation = 0
        self.solved_generation = -1
        self.last_solve_seconds: float | None = None
        self._solve_timer: Timer | None = None
        self._names: dict[str, str] = {}
        self._frontier_generation = -1
        self._form_invalid = False
        self._started = False  # the catalog is loaded and the scenario shown
        self._solving = False  # a solve of the current generation is in flight
        self._warm_start = (optimize is None) if warm_start is None else warm_start
        self._warm_key: str | None = None  # tui.warm_start key of the inputs as opened
        self._warm_generation = -1  # the solve of the scenario as opened (its answer is stored)
        self.showing_cached = False  # the panel shows a cached answer, not yet re-checked
        self._cached_answer: Any = None

    # ------------------------------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(id="views", initial="recommend"):
            with TabPane(VIEWS["recommend"], id="recommend"), Horizontal(id="recommend-body"):
                yield ScenarioForm(id="scenario-form")
                yield RecommendationPanel(id="recommendation")
            # The other views are mounted when first shown: start-up only pays for what is on screen.
            yield TabPane(VIEWS["frontier"], id="frontier")
            yield TabPane(VIEWS["catalog"], id="catalog")
            yield TabPane(VIEWS["model"], id="model")
        yield FitFooter()  # compact; where its keys do not fit, they give way in a stated order (Esc, Save stay)

    def on_load(self) -> None:
        # A cached answer for identical inputs is read first and painted before the catalog's imports start
        # (they would hold the GIL); without one, reading the catalog starts before the widgets are built.
        self._cached_answer = self._read_cached_answer()
        if (self.catalog is None or self.scenario is None) and self._cached_answer is None:
            self._load_worker()

    def on_mount(self) -> None:
        self.query_one(ScenarioForm).display = False  # shown with its first scenario (_show_scenario)
        panel = self.query_one(RecommendationPanel)
        panel.busy(True)
        if self._cached_answer is not None:
            from tui import warm_start

            self.showing_cached = True
            warm_start.show_cached(panel, self._cached_answer)
        if self.catalog is None or self.scenario is None:
            if self._cached_answer is None:
                panel.set_status("Loading the catalog…")
            else:
                self.call_after_refresh(self._load_worker)  # once the cached answer is on screen
        else:
            self.post_message(msg.CatalogLoaded(self.catalog, 0.0))

    def _read_cached_answer(self) -> Any:
        """The answer last computed for identical inputs (``tui.warm_start.CachedAnswer``), or None."""
        if not self._warm_start:
            return None
        from tui import warm_start

        seed = backend.default_scenario_path() if self.scenario is None else None
        self._warm_key = warm_start.startup_key(self.scenario, seed, getattr(self.catalog, "fingerprint", None))
        return warm_start.read_answer(self._warm_key)

    @property
    def is_busy(self) -> bool:
        """True while start-up, a debounced solve, a solve or any other worker is still pending."""
        return (not self._started or self._solve_timer is not None or self._solving
                or any(w.is_running for w in self.workers))

    # ------------------------------------------------------------------------------------------ workers
    # Each worker has a fixed ``description``: without one Textual builds it from ``repr()`` of the arguments,
    # and the repr of a Catalog (four DataFrames) costs ~0.1 s on every solve.
    @work(thread=True, exclusive=True, group="load", exit_on_error=False, description="load")
    def _load_worker(self) -> None:
        t0 = time.perf_counter()
        try:
            cat = self.catalog or backend.load_catalog()
            if self.scenario is None:
                scenario, path = backend.default_scenario()
                self.scenario = scenario
                self._clean_scenario = scenario
                self.scenario_path = self.scenario_path or path
        except Exception as exc:  # noqa: BLE001 - shown in the app
            self.post_message(msg.CatalogFailed(f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(msg.CatalogLoaded(cat, time.perf_counter() - t0))

    @work(thread=True, exclusive=True, group="solve", exit_on_error=False, description="solve")
    def _solve_worker(self, generation: int, scenario: Scenario, catalog: Catalog) -> None:
        from recommender.errors import RecommenderError, ScenarioError

        worker = get_current_worker()
        if self._check_model_cache and not backend.model_is_cached():
            self.post_message(msg.ModelStatus(True, "Fitting the performance model for the first time "
                                                    "(about 10 s; cached for the next start)…"))
        t0 = time.perf_counter()
        try:
            rec = self._optimize(scenario, catalog)
        except ScenarioError as exc:
            if not worker.is_cancelled:
                self.post_message(msg.SolveFailed(generation, exc.message, exc.field))
            return
        except RecommenderError as exc:
            if not worker.is_cancelled:
                self.post_message(msg.SolveFailed(generation, str(exc)))
            return
        except Exception as exc:  # noqa: BLE001 - a bug must not kill the app
            self.post_message(msg.SolveFailed(generation, f"internal error: {type(exc).__name__}: {exc}"))
            return
        seconds = time.perf_counter() - t0
        why = None
        if str(getattr(rec.status, "value", rec.status)) == "infeasible":
            try:  # which limits the candidates break, and by how much (the library's answer does not say)
                why = backend.infeasibility(scenario, self._candidates(scenario, catalog))
            except Exception as exc:  # noqa: BLE001 - the answer is still shown without it
                self.post_message(msg.WorkerError("infeasibility", f"{type(exc).__name__}: {exc}"))
        if not worker.is_cancelled:
            self.post_message(msg.RecommendationReady(generation, scenario, rec, seconds, why))

    @work(thread=True, exclusive=True, group="frontier", exit_on_error=False, description="frontier")
    def _frontier_worker(self, generation: int, scenario: Scenario, catalog: Catalog) -> None:
        try:
            frame = self._frontier(scenario, catalog)
        except Exception as exc:  # noqa: BLE001
            from recommender.errors import RecommenderError

            said = str(exc) if isinstance(exc, RecommenderError) else f"{type(exc).__name__}: {exc}"  # a user's error
            self.post_message(msg.FrontierFailed(generation, said))  # reads as a sentence, an internal one by its type
            return
        self.post_message(msg.FrontierReady(generation, frame))

    @work(thread=True, exclusive=True, group="rank", exit_on_error=False, description="rank")
    def _rank_worker(self, row: dict[str, Any], metric: str = "minutes") -> None:
        assert self.catalog is not None
        try:
            title, frame = backend.rank(self.catalog, row, metric)
        except Exception as exc:  # noqa: BLE001
            self.post_message(msg.RankingReady(f"Ranking failed: {exc}", None, metric))  # type: ignore[arg-type]
            return
        self.post_message(msg.RankingReady(title, frame, metric))

    @work(thread=True, exclusive=True, group="io", exit_on_error=False, description="io")
    def _open_worker(self, path: str, name: str | None = None) -> None:
        try:
            choices = backend.scenario_choices(path) if name is None else []
            if choices:  # several scenarios: the user picks one, then it is read by name (tui.file_actions)
                self.post_message(msg.ScenarioChoices(path, choices))
                return
            scenario = backend.load_scenario(path, name)
        except Exception as exc:  # noqa: BLE001 - ScenarioError carries file:line
            self.post_message(msg.ScenarioLoadFailed(path, str(exc)))
            return
        self.post_message(msg.ScenarioLoaded(scenario, path, name))

    # ------------------------------------------------------------------------------------------ handlers
    @on(msg.CatalogLoaded)
    async def _catalog_loaded(self, message: msg.CatalogLoaded) -> None:
        self.catalog = message.catalog
        assert self.scenario is not None
        self._names = backend.accelerator_names(self.catalog)
        panel = self.query_one(RecommendationPanel)
        panel.names = self._names
        # Solve first: the optimizer works (in its thread) while the form is filled.
        self._form_invalid = False  # the form is about to show this valid scenario
        self.solve_now()
        self._warm_generation = self.generation
        await self._show_scenario(self.scenario)
        self._started = True
        if self.query_one(TabbedContent).active == "model":  # visited while the catalog loaded
            await self._fill_view("model")
        if self._open_after_start:
            self._open_worker(self._open_after_start)

    @on(msg.CatalogFailed)
    def _catalog_failed(self, message: msg.CatalogFailed) -> None:
        self._started = True
        panel = self.query_one(RecommendationPanel)
        panel.busy(False)
        panel.set_status(self._unless_cached(f"Could not load the catalog: {message.error}"), kind="error")

    def _unless_cached(self, error: str) -> str:
        from tui import warm_start  # a cached answer on screen stays, labelled as not re-checked

        return warm_start.not_rechecked(error) if self.showing_cached else error

    async def _show_scenario(self, scenario: Scenario) -> None:
        form = self.query_one(ScenarioForm)
        assert self.catalog is not None
        form.set_choices(
            benchmarks=backend.benchmark_choices(self.catalog),
            accelerators=backend.priced_accelerators(self.catalog, scenario),
            all_accelerators=sorted(((n, a) for a, n in self._names.items()), key=lambda t: t[0].lower()),
            liquid_only=backend.liquid_only_names(self.catalog),
        )
        await form.load(backend.scenario_data(scenario))
        form.display = True  # hidden until it has a scenario: start-up lays out and paints it once
        self.show_unsaved()  # (tui.file_actions: the name, unmarked when opened)
        if isinstance(self.focused, Input) and form in self.focused.ancestors:
            self.focused.action_select_all()  # typing replaces the value just loaded

    @on(msg.ModelStatus)
    def _model_status(self, message: msg.ModelStatus) -> None:
        panel = self.query_one(RecommendationPanel)
        panel.busy(message.fitting)
        if message.detail:
            panel.set_status(message.detail, kind="busy")

    @on(ScenarioForm.Edited)
    def _scenario_edited(self) -> None:
        if not self._started:
            return  # the empty form's widgets settling before it shows its first scenario: not an edit
        was_invalid = self._form_invalid
        scenario = self._validated_form()
        if scenario is None:
            self.show_unsaved()
            return
        if scenario == self.scenario and not was_invalid:
            return  # e.g. the form echoing a scenario it was just given
        self.scenario = scenario
        self.show_unsaved()
        self.generation += 1
        self.query_one(RecommendationPanel).set_status("Scenario changed — solving…", kind="busy")
        if self._solve_timer is not None:
            self._solve_timer.stop()
        self._solve_timer = self.set_timer(self.debounce, self._start_solve)

    def _validated_form(self) -> Scenario | None:
        """The form as a valid Scenario, or None after showing the errors at their fields."""
        from recommender.errors import ScenarioError

        form = self.query_one(ScenarioForm)
        data, errors = form.collect()
        if not errors:
            try:
                scenario = backend.parse_scenario(data)
            except ScenarioError as exc:
                errors = {exc.field or "": exc.message}
            else:
                form.show_errors({})
                self._form_invalid = False
                self.query_one(RecommendationPanel).set_stale(False)
                return scenario
        self._form_invalid = True
        self.query_one(RecommendationPanel).set_stale(self.recommendation is not None, form.field_names(errors))
        self._solving = False  # whatever is in flight is stale now
        if self._solve_timer is not None:  # a valid state passed within the debounce (e.g. "6" -> "" -> "abc")
            self._solve_timer.stop()
            self._solve_timer = None
        form.show_errors(errors)
        self.generation += 1  # results of earlier scenarios are stale now
        self.query_one(RecommendationPanel).set_status(
            "Not solved: a field is invalid (highlighted).", kind="error")
        return None

    def _start_solve(self) -> None:
        if self.catalog is None or self.scenario is None or self._form_invalid:
            return
        self._solve_timer = None
        self._solving = True
        self._solve_worker(self.generation, self.scenario, self.catalog)

    @on(msg.RecommendationReady)
    def _recommendation_ready(self, message: msg.RecommendationReady) -> None:
        if message.generation != self.generation:
            return  # stale: the scenario changed while this was solving
        self._solving = False
        self.recommendation = message.recommendation
        self.solved_generation = message.generation
        self.last_solve_seconds = message.seconds
        panel = self.query_one(RecommendationPanel)
        panel.busy(False)
        panel.years = message.scenario.years
        panel.set_cached(False)
        panel.set_stale(False)  # (after a failed solve)
        self.showing_cached = False
        panel.show(message.recommendation, message.infeasibility)
        rec = message.recommendation
        latest = self.catalog.latest_round if self.catalog is not None else ""
        panel.set_status(f"{rec.scenario} · {status_text(rec, message.scenario.objective.value)} · catalog {latest}",
                         kind="ok")
        if message.generation == self._warm_generation and self._warm_start:
            self._store_answer(message, latest)
        if self.query_one(TabbedContent).active == "frontier":
            self._request_frontier()

    def _store_answer(self, message: msg.RecommendationReady, latest_round: str) -> None:
        """Keep the answer for the scenario as opened: the next start with identical inputs shows it at once."""
        from tui import warm_start

        warm_start.write_answer(self._warm_key, warm_start.CachedAnswer(
            message.recommendation, dict(self._names), latest_round, message.scenario.years))

    @on(msg.WorkerError)
    def _worker_error(self, message: msg.WorkerError) -> None:
        self.notify(message.error, title=f"Error in {message.task}", severity="error", timeout=10)

    def on_worker_state_changed(self, event: Any) -> None:
        """A worker that raised (a bug: workers catch what they expect) becomes a notification, not an exit."""
        from textual.worker import WorkerState

        if event.state == WorkerState.ERROR:
            self._solving = False
            err = event.worker.error
            self.notify(f"{type(err).__name__}: {err}", title=f"Error in {event.worker.group}", severity="error",
                        timeout=10)

    @on(msg.SolveFailed)
    def _solve_failed(self, message: msg.SolveFailed) -> None:
        if message.generation != self.generation:
            return
        self._solving = False
        panel = self.query_one(RecommendationPanel)
        panel.busy(False)
        if message.field:
            self.query_one(ScenarioForm).show_errors({message.field: message.error})
        text = f"Cannot solve: {message.field + ': ' if message.field else ''}{message.error}"
        panel.set_status(self._unless_cached(text), kind="error")
        if self.recommendation is not None:  # a reviewer: the answer below still read [optimal] for this scenario
            panel.set_stale(True, text=SOLVE_FAILED_TEXT)

    # -- frontier / catalog / model ------------------------------------------------------------------
    async def _view(self, pane_id: str) -> Any:
        """The view of a tab, mounted the first time it is shown (start-up pays only for what is on screen)."""
        pane = self.query_one(f"#{pane_id}", TabPane)
        cls = {"frontier": FrontierView, "catalog": CatalogView, "model": ModelView}[pane_id]
        found = pane.query(cls)
        if found:
            return found.first()
        view = ModelView(self._model_report, id="model-view") if cls is ModelView else cls(id=f"{pane_id}-view")
        await pane.mount(view)
        return view

    @on(TabbedContent.TabActivated)
    async def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        pane = event.pane.id
        await self._fill_view(pane)
        target = {"frontier": "#frontier-table", "catalog": "#catalog-table",
                  "model": "#model-view"}.get(pane or "")  # (its button while offered)
        if target:  # keyboard first: the view's main widget takes the focus
            self.call_after_refresh(lambda: self.query_one(target).focus())

    async def _fill_view(self, pane: str | None) -> None:
        if pane == "frontier":
            frontier_view = await self._view("frontier")
            frontier_view.names = self._names
            self._request_frontier()
        elif pane == "catalog":
            view = await self._view("catalog")
            if not view.loaded and self.catalog is not None:
                view.set_catalog(self.catalog.results, self._names)
        elif pane == "model":  # the cached summary, if any: the evaluation runs only when asked (e)
            (await self._view("model")).visit(self.catalog)

    def _request_frontier(self) -> None:
        if self._frontier_generation == self.generation and self.solved_generation == self.generation:
            self.query_one(FrontierView).mark(self.recommendation, self.generation)  # solved after its frontier came
        if self.catalog is None or self.scenario is None or self._frontier_generation == self.generation:
            return
        self._frontier_generation = self.generation
        self.query_one(FrontierView).set_status("Computing the frontier…")
        self._frontier_worker(self.generation, self.scenario, self.catalog)

    @on(msg.FrontierReady)
    def _frontier_ready(self, message: msg.FrontierReady) -> None:
        if message.generation != self.generation:
            return
        rec = self.recommendation if self.solved_generation == self.generation else None  # not a stale choice
        self.query_one(FrontierView).show_for(message.frontier, rec, self.scenario, generation=message.generation)

    @on(msg.FrontierFailed)
    def _frontier_failed(self, message: msg.FrontierFailed) -> None:
        self._frontier_generation = -1
        self.query_one(FrontierView).show_error(f"Cannot compute the frontier: {message.error}")

    @on(CatalogView.RankRequested)
    def _rank_requested(self, message: CatalogView.RankRequested) -> None:
        self._rank_worker(message.row, message.metric)

    @on(msg.RankingReady)
    def _ranking_ready(self, message: msg.RankingReady) -> None:
        self.query_one(CatalogView).show_ranking(message.title, message.ranking, message.metric)

    @on(msg.ScenarioLoaded)
    async def _scenario_loaded(self, message: msg.ScenarioLoaded) -> None:
        await self.open_loaded(message)  # (tui.file_actions: asks first about unsaved edits)

    @on(msg.ScenarioChoices)
    def _scenario_choices(self, message: msg.ScenarioChoices) -> None:
        self.pick_scenario(message)  # (tui.file_actions: a dialog lists them)

    @on(msg.ScenarioLoadFailed)
    def _scenario_load_failed(self, message: msg.ScenarioLoadFailed) -> None:
        # The scenario on screen stays as it was; the error names the file, line and field.
        self.notify(message.error, title=f"Cannot open {Path(message.path).name}", severity="error", timeout=15)

    # ------------------------------------------------------------------------------------------ actions
    def solve_now(self) -> None:
        """Solve the current scenario now (no debounce)."""
        if self._solve_timer is not None:
            self._solve_timer.stop()
            self._solve_timer = None
        self.generation += 1
        if not self.showing_cached:  # else its status says it is being re-checked
            self.query_one(RecommendationPanel).set_status("Solving…", kind="busy")
        self._start_solve()

    def action_solve_now(self) -> None:
        scenario = self._validated_form()
        if scenario is not None:
            self.scenario = scenario
            self.solve_now()

    def action_leave_field(self) -> None:
        """Escape: to the view's own content — the answer on Recommend (as at start: view keys work, PageDown
        scrolls it; a reviewer found the tab bar focused and the answer unscrollable), the results table on
        Catalog (its ctrl+l stays on offer), the table on Frontier and Model (its run button while offered)."""
        tabs = self.query_one(TabbedContent)
        main = {"recommend": "RecommendationPanel", "catalog": "#catalog-table", "frontier": "#frontier-table",
                "model": "#model-view"}.get(str(tabs.active))
        (self.query_one(main) if main else tabs.query_one(ContentTabs)).focus()

    def action_show_view(self, view: str) -> None:
        tabs = self.query_one(TabbedContent)
        tabs.query_one(ContentTabs).focus()  # (leave the view first: a pane whose widget has focus comes back)
        tabs.active = view
        self.call_after_refresh(self._focus_view, view)  # then its content (a reviewer's arrows moved the tabs)

    def _focus_view(self, view: str) -> None:
        if not self._dialog_open() and self.query_one(TabbedContent).active == view:  # (not another view since)
            with contextlib.suppress(NoMatches):  # (a view not mounted yet)
                self.action_leave_field()

    async def action_evaluate_model(self) -> None:
        """The Model view's evaluation (the palette's entry; ``e`` in the view)."""
        self.action_show_view("model")
        (await self._view("model")).evaluate(self.catalog)

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def _dialog_open(self) -> bool:
        from textual.screen import ModalScreen

        return isinstance(self.screen, ModalScreen)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        from tui.palette import app_commands

        yield from super().get_system_commands(screen)
        yield from app_commands(self, VIEWS)


def run(scenario_path: str | None = None) -> None:
    """Open the app on a scenario file (or the seed scenario)."""
    scenario = backend.load_scenario(scenario_path) if scenario_path else None
    RecommenderApp(scenario=scenario, scenario_path=scenario_path).run()
