"""Catalog view: the MLPerf Training results table with filters and the same-configuration ranking."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, Label, Select

from recommender import format as fmt
from tui.widgets.tables import add_fixed_columns

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: Most rows the table shows at once (filters narrow it down; the count line says how many matched).
MAX_ROWS = 1000

#: Filters: widget id -> results column.
FILTER_COLUMNS = {
    "f-round": "round",
    "f-benchmark": "benchmark",
    "f-accelerator": "accelerator_id",
    "f-submitter": "submitter",
    "f-division": "division",
}


class CatalogView(Vertical):
    """Results table with filters. Posts :class:`CatalogView.RankRequested` when a row is chosen."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+l", "clear_filters", "Clear filters", id="catalog.clear_filters",
                tooltip="Reset every filter of the catalog view."),
    ]

    class RankRequested(Message):
        """The user chose a result row; the app ranks the configurations like it."""

        def __init__(self, row: dict[str, Any]) -> None:
            super().__init__()
            self.row = row

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._results: pd.DataFrame | None = None
        self._names: dict[str, str] = {}
        self._shown: pd.DataFrame | None = None
        self.loaded = False

    def compose(self) -> ComposeResult:
        with Horizontal(id="catalog-filters"):
            yield Select([], prompt="Round", id="f-round", compact=True, classes="filter")
            yield Select([], prompt="Benchmark", id="f-benchmark", compact=True, classes="filter")
            yield Select([], prompt="Accelerator", id="f-accelerator", compact=True, classes="filter wide")
            yield Input(placeholder="Count", id="f-count", classes="filter narrow", type="integer", compact=True,
                        tooltip="Total accelerator count (exact)")
            yield Select([], prompt="Submitter", id="f-submitter", compact=True, classes="filter")
            yield Select([], prompt="Division", id="f-division", compact=True, classes="filter narrow")
        yield Label("", id="catalog-count")
        table: DataTable[Any] = DataTable(id="catalog-table", cursor_type="row", zebra_stripes=True)
        yield table
        yield Label("Enter on a result ranks every result of the same configuration (benchmark, accelerator, "
                    "count, division).", id="ranking-title")
        yield DataTable(id="ranking-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one("#catalog-table", DataTable)
        add_fixed_columns(table, [("Round", 5), ("Div.", 6), ("Status", 9), ("Submitter", 16), ("System", 28),
                                  ("Benchmark", 16), ("Accelerator", 26), ("Count", 5), ("Nodes", 5),
                                  ("Minutes", 8)])
        ranking = self.query_one("#ranking-table", DataTable)
        add_fixed_columns(ranking, [("#", 3), ("Accelerator", 26), ("Count", 5), ("Submitter", 16), ("System", 28),
                                    ("Round", 5), ("Minutes", 8), ("vs fastest (derived)", 20)])

    # -- data ---------------------------------------------------------------------------------------
    def set_catalog(self, results: pd.DataFrame, accelerator_names: dict[str, str]) -> None:
        """Fill the filter choices and the table from a catalog's ``results`` frame."""
        from catalog.registry import benchmark_name, round_key

        self._results = results
        self._names = accelerator_names
        rounds = sorted({r for r in results["round"].dropna().unique()}, key=round_key, reverse=True)
        benches = sorted(results["benchmark"].dropna().unique())
        accs = sorted(results["accelerator_id"].dropna().unique(), key=lambda a: self._names.get(a, a))
        subs = sorted(results["submitter"].dropna().unique(), key=str.lower)
        divs = sorted(results["division"].dropna().unique())
        with self.prevent(Select.Changed):
            self.query_one("#f-round", Select).set_options([(r, r) for r in rounds])
            self.query_one("#f-benchmark", Select).set_options(
                [(f"{benchmark_name(b)} ({b})", b) for b in benches])
            self.query_one("#f-accelerator", Select).set_options(
                [(self._names.get(a, a), a) for a in accs])
            self.query_one("#f-submitter", Select).set_options([(s, s) for s in subs])
            self.query_one("#f-division", Select).set_options([(d, d) for d in divs])
        self.loaded = True
        self.refresh_table()

    def filters(self) -> dict[str, Any]:
        """The active filters as ``{column: value}`` (``accelerators`` for the count)."""
        out: dict[str, Any] = {}
        for wid, column in FILTER_COLUMNS.items():
            value = self.query_one(f"#{wid}", Select).value
            if value is not Select.NULL:
                out[column] = value
        count = self.query_one("#f-count", Input).value.strip()
        if count.isdigit():
            out["accelerators"] = int(count)
        return out

    def filtered(self) -> pd.DataFrame:
        """The results matching the filters, newest round first, fastest first."""
        from catalog.registry import round_key

        assert self._results is not None
        df = self._results
        mask = None
        for column, value in self.filters().items():
            m = df[column] == value
            mask = m if mask is None else (mask & m)
        if mask is not None:
            df = df[mask.fillna(False).astype(bool)]
        order = df["round"].map(round_key)
        df = df.assign(_rk=order).sort_values(
            ["_rk", "benchmark", "minutes"], ascending=[False, True, True], na_position="last"
        )
        return df.drop(columns="_rk")

    def refresh_table(self) -> None:
        if self._results is None:
            return
        df = self.filtered()
        self._shown = df.head(MAX_ROWS)
        table = self.query_one("#catalog-table", DataTable)
        table.clear()
        rows = []
        for rec in self._shown.itertuples(index=False):
            acc = rec.accelerator_id
            acc_label = self._names.get(acc, acc) if not fmt.is_missing(acc) else (rec.accelerator_name_raw or "—")
            rows.append((
                rec.round, rec.division, rec.status, rec.submitter, _short(rec.system_name, 28),
                rec.benchmark, _short(str(acc_label), 26), _int(rec.accelerators), _int(rec.nodes),
                fmt.minutes(rec.minutes),
            ))
        table.add_rows(rows)
        table.check_idle()  # DataTable sizes its columns when idle; rows added from outside do not wake it
        total = len(self._results)
        shown = len(self._shown)
        more = f" (showing the first {shown:,})" if len(df) > shown else ""
        self.query_one("#catalog-count", Label).update(f"{len(df):,} of {total:,} results match{more}")

    def selected_row(self) -> dict[str, Any] | None:
        table = self.query_one("#catalog-table", DataTable)
        if self._shown is None or not len(self._shown) or table.cursor_row is None:
            return None
        idx = min(max(table.cursor_row, 0), len(self._shown) - 1)
        return self._shown.iloc[idx].to_dict()

    def show_ranking(self, title: str, ranking: pd.DataFrame) -> None:
        self.query_one("#ranking-title", Label).update(title)
        table = self.query_one("#ranking-table", DataTable)
        table.clear()
        if ranking is None or not len(ranking):
            return
        for i, rec in enumerate(ranking.to_dict("records"), start=1):
            acc = rec.get("accelerator_id")
            slower = rec.get("derived_vs_fastest_pct")
            table.add_row(
                str(rec.get("rank", i)) if not fmt.is_missing(rec.get("rank")) else str(i),
                _short(self._names.get(acc, acc) if isinstance(acc, str) else "—", 26),
                _int(rec.get("accelerators")), str(rec.get("submitter", "—")),
                _short(str(rec.get("system_name", "—")), 28), str(rec.get("round", "—")),
                fmt.minutes(rec.get("minutes")),
                "fastest" if not fmt.is_missing(slower) and float(slower) == 0 else
                ("—" if fmt.is_missing(slower) else f"+{float(slower):.1f} %"),
            )
        table.check_idle()

    # -- events -------------------------------------------------------------------------------------
    @on(Select.Changed, ".filter")
    @on(Input.Changed, "#f-count")
    def _filter_changed(self) -> None:
        self.refresh_table()

    @on(DataTable.RowSelected, "#catalog-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        row = self.selected_row()
        if row is not None:
            self.post_message(self.RankRequested(row))

    def action_clear_filters(self) -> None:
        with self.prevent(Select.Changed, Input.Changed):
            for wid in FILTER_COLUMNS:
                self.query_one(f"#{wid}", Select).clear()
            self.query_one("#f-count", Input).value = ""
        self.refresh_table()


def _short(text: Any, width: int) -> str:
    s = "—" if fmt.is_missing(text) else str(text)
    return s if len(s) <= width else s[: width - 1] + "…"


def _int(value: Any) -> str:
    return "—" if fmt.is_missing(value) else str(int(value))
