"""Rent or buy: the cost of renting the same accelerator-hours in a cloud over the same years.

The price list (``cloud_prices.csv``; users override it with their own file) has one row per provider,
accelerator and pricing model, in USD per accelerator-hour. Columns read: :data:`REQUIRED_COLUMNS`
(``gpus_per_instance``, ``region``, ``confidence``, ``notes`` are optional).

Rules (stated in every quote):

* The work is the scenario's: ``required_mixes_per_day`` x 365.25 mixes a year, or, without it, what the bought
  configuration trains in a year at ``utilization``. A mix takes ``accelerators x minutes / 60``
  accelerator-hours on a configuration; each accelerator, the bought one included, is rented on its
  configuration with the fewest (a rent can run several copies side by side to keep up with the work).
* ``on_demand`` and ``spot`` bill the hours used; ``commit_1y`` / ``commit_3y`` reserve capacity and bill every
  hour of the term: enough accelerators, in whole instances, to do the year's work around the clock — for the
  whole term even when the scenario's ``years`` end inside it (a 3-year commitment for 1 year of work costs 3
  years; for 4 years, two terms: 6 years). Where ``years`` end inside a later term, the commitment's whole
  terms within the years followed by the same provider's cheapest way to rent the rest — on demand or a
  shorter commitment — are quoted too (``commit_3y+commit_1y``: 5 years = one 3-year term, then two 1-year
  terms), as a procurement team would plan it.
* Present values use the same annuity as buying (``finance.py``), so rent and buy compare in today's dollars.
* Break-even utilisation (pay-per-hour models, same accelerator): the bought configuration's utilisation at which
  owning it (capex + energy - salvage) costs what the quote's own rental of the same work does (on the count it
  rents, whose hours scale with the work); ``None`` when renting is cheaper at any utilisation, ``> 1`` when it is
  cheaper up to full use.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from recommender.errors import CatalogError
from recommender.planning.costs import HOURS_PER_YEAR
from recommender.planning.finance import Financing
from recommender.scenario.numbers import AS_OF_PATTERN, is_calendar_date

PAY_PER_HOUR = ("on_demand", "spot")
COMMITMENTS = {"commit_1y": 1.0, "commit_3y": 3.0}
PRICING_MODELS = PAY_PER_HOUR + tuple(COMMITMENTS)
REQUIRED_COLUMNS = ("provider", "accelerator_id", "pricing", "usd_per_accelerator_hour", "source", "as_of")
OPTIONAL_COLUMNS = ("gpus_per_instance", "instance_type", "region", "confidence", "notes")


def read_price_list(path: str | Path) -> pd.DataFrame:
    """Read and check a cloud price list (CSV); CatalogError naming the file (and line and column)."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")  # a byte-order mark (Excel's "CSV UTF-8") is dropped
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(f"{path}: cannot read the cloud price list ({exc})") from exc
    return parse_price_list(text, str(path))


def parse_price_list(text: str, name: str, accelerator_ids: set[str] | None = None) -> pd.DataFrame:
    """Check the CSV text of a cloud price list (``name`` for messages); with ``accelerator_ids``, every row's
    ``accelerator_id`` must be one of them (a typo would never match a bought accelerator).

    Problems are reported as the catalog's own files report them, ``name:line: column (row n): why``, the first
    few in line order: the catalog's row checks for ``cloud_prices.csv`` (numbers, duplicated (provider,
    accelerator, instance, pricing, region) rows — the first was shown, the second ignored) and this list's own
    (pricing model, as_of date, price below 1,000,000, known ids, rows no longer than the header)."""
    import csv
    import io

    from catalog.validate import row_problems

    text = text.removeprefix("\ufeff")  # a byte-order mark (a scenario's file is read as UTF-8) is no column name
    if not text.strip():
        raise _refused(name, [(None, (f"empty file (a cloud price list is a CSV with the columns "
                                     f"{', '.join(REQUIRED_COLUMNS)})"))])  # fmt: skip
    problems = row_problems(name, text, "cloud_prices.csv")
    rows = csv.reader(io.StringIO(text), strict=True)
    width = None
    too_long: list[tuple[int, str]] = []
    try:
        for fields in rows:  # pandas would silently take a longer row's first field as an index
            width = len(fields) if width is None else width
            if len(fields) > width and any(f.strip() for f in fields[width:]):
                message = f"{name}:{rows.line_num}: {len(fields)} fields, the header has {width}"
                too_long.append((rows.line_num, message))
    except csv.Error as exc:  # an unclosed quote: the rest of the file would be one cell
        too_long.append((rows.line_num, f"{name}:{rows.line_num}: unreadable CSV: {exc} (an unclosed quote?)"))
    problems += too_long
    if not too_long:
        try:
            frame = pd.read_csv(io.StringIO(text), dtype={"as_of": "string"}, index_col=False)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
            raise _refused(name, [(None, f"not a CSV cloud price list ({' '.join(str(exc).split())})")]) from exc
        missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
        if missing:
            raise _refused(name, [(1, f"cloud price list lacks columns {', '.join(missing)}")])
        unknown = [str(c) for c in frame.columns if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
        if unknown:  # a misspelt optional column (gpus_per_instanse) was dropped without a word
            import difflib

            known = list(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)
            near = difflib.get_close_matches(unknown[0], known, n=2, cutoff=0.6)  # a misspelling, not any column
            hint = f"; did you mean {' or '.join(near)}?" if near else ""
            raise _refused(name, [(1, f"unknown column {unknown[0]!r}{hint} (the columns read: {', '.join(known)})")])
        if frame.empty:
            raise _refused(name, [(None, "no price rows (only a header)")])
        problems += _own_problems(frame, name, accelerator_ids)
    if problems:  # the checks write "name:line: why"; keep (line, why) for a scenario to locate each
        raise _refused(name, [(line, message.removeprefix(f"{name}:{line}: ")) for line, message in problems])
    price = pd.to_numeric(frame["usd_per_accelerator_hour"], errors="coerce")
    frame["usd_per_accelerator_hour"] = price.astype("float64")
    gpus = pd.to_numeric(frame["gpus_per_instance"], errors="coerce") if "gpus_per_instance" in frame else None
    frame["gpus_per_instance"] = (gpus.fillna(1) if gpus is not None else 1)
    frame["gpus_per_instance"] = frame["gpus_per_instance"].astype("int64")
    return frame


def _refused(name: str, problems: list[tuple[int | None, str]]) -> CatalogError:
    """A CatalogError for a price list's ``problems`` (line or None, why), the first three in line order in its
    message (``name:line: why``); ``.located`` keeps every one, for a scenario to report each at its line."""
    problems = sorted(problems, key=lambda p: p[0] or 0)
    shown = [f"{name}:{line}: {why}" if line else f"{name}: {why}" for line, why in problems]
    more = f" (and {len(shown) - 3} more)" if len(shown) > 3 else ""
    exc = CatalogError("; ".join(shown[:3]) + more)
    exc.located = problems
    return exc


def _own_problems(frame: pd.DataFrame, name: str, accelerator_ids: set[str] | None) -> list[tuple[int, str]]:
    """The price list's checks beyond the catalog's row checks, as (line, message)."""
    out: list[tuple[int, str]] = []

    def add(mask: pd.Series, column: str, why: Any) -> None:
        for i in map(int, frame.index[mask.to_numpy(dtype=bool)]):
            out.append((i + 2, f"{name}:{i + 2}: {column} (row {i + 1}): {why(i) if callable(why) else why}"))

    pricing = frame["pricing"]
    add(~pricing.isin(PRICING_MODELS) & pricing.notna(), "pricing",
        lambda i: f"must be one of {', '.join(PRICING_MODELS)} (got {pricing.iloc[i]!r})")
    for column in ("provider", "accelerator_id", "pricing", "usd_per_accelerator_hour", "source"):
        add(frame[column].astype("string").fillna("").str.strip() == "", column, "must not be empty")
    price = pd.to_numeric(frame["usd_per_accelerator_hour"], errors="coerce")  # (not numbers: the row checks)
    add((price >= 1e6) & (price < float("inf")), "usd_per_accelerator_hour",
        "must be below 1,000,000 (USD per accelerator-hour)")
    as_of = frame["as_of"].astype("string").fillna("").str.strip()
    dated = as_of.str.fullmatch(AS_OF_PATTERN).fillna(False).astype(bool) & as_of.map(is_calendar_date).astype(bool)
    add(~dated, "as_of", lambda i: f"must be a date YYYY, YYYY-MM or YYYY-MM-DD (got {as_of.iloc[i]!r})")
    today = date.today().isoformat()  # a quote from the future is a typo (2062 for 2026): its age would be wrong
    future = pd.Series([bool(d) and d > today[: len(d)] for d in as_of], index=frame.index)  # 2026-12 is today
    add(dated & future, "as_of", lambda i: f"is after today ({today}; got {as_of.iloc[i]!r}): a price list says "
        "when it was quoted")
    if "gpus_per_instance" in frame:
        gpus = pd.to_numeric(frame["gpus_per_instance"], errors="coerce")
        add(gpus > 65_536, "gpus_per_instance", "must be a whole number from 1 to 65,536")
    if accelerator_ids is not None:
        from catalog.registry import closest_ids

        ids = frame["accelerator_id"].astype("string").fillna("")
        add(~ids.isin(accelerator_ids), "accelerator_id", lambda i: f"unknown accelerator id {ids.iloc[i]!r}; "
            f"closest: {', '.join(closest_ids(str(ids.iloc[i]), sorted(accelerator_ids)))}")  # fmt: skip
    return out


@dataclass(frozen=True)
class RentQuote:
    """Renting the scenario's work from one price-list row."""

    provider: str
    accelerator_id: str
    pricing: str
    usd_per_accelerator_hour: float
    accelerator_hours_per_year: float  # billed hours (commitments: every hour of the reserved accelerators)
    rent_usd_per_year: float
    rent_pv_usd: float
    break_even_utilization: float | None  # pay-per-hour rows of the bought accelerator only
    source: str
    as_of: str
    accelerators: int | None = None  # the configuration whose accelerator-hours per mix the quote rents
    minutes: float | None = None  # that configuration's minutes to train one mix
    confidence: str | None = None  # the price row's confidence (H, M, L; None: the list gives none)
    notes: str | None = None  # the price row's notes (why its confidence is what it is)


@dataclass(frozen=True)
class RentOrBuy:
    """Buy versus rent for one configuration and the scenario's work."""

    buy_tco_pv_usd: float
    buy_usd_per_year: float
    utilization: float
    mixes_per_year: float
    quotes: tuple[RentQuote, ...]  # cheapest first

    @property
    def cheapest(self) -> RentQuote | None:
        return self.quotes[0] if self.quotes else None

    def shown(self, accelerator_id: str) -> list[RentQuote]:
        """What a rent table lists: the cheapest quote of each pricing model for the bought accelerator and the
        cheapest quote of all, cheapest first (the other accelerator's was put last whatever it cost)."""
        out = list(self.cheapest_per_pricing(accelerator_id).values())
        if self.cheapest is not None and self.cheapest not in out:
            out.append(self.cheapest)
        return sorted(out, key=lambda q: q.rent_pv_usd)

    def cheapest_per_pricing(self, accelerator_id: str) -> dict[str, RentQuote]:
        """The cheapest quote of each pricing model for one accelerator."""
        out: dict[str, RentQuote] = {}
        for q in self.quotes:
            if q.accelerator_id == accelerator_id and q.pricing not in out:
                out[q.pricing] = q
        return out


_RECORDS: dict[int, tuple[pd.DataFrame, list[dict]]] = {}


def _records(prices: pd.DataFrame) -> list[dict]:
    """The price list's rows as dicts, cached per frame (the frame is kept alive so its id stays unique)."""
    hit = _RECORDS.get(id(prices))
    if hit is None or hit[0] is not prices:
        if len(_RECORDS) > 8:
            _RECORDS.clear()
        hit = _RECORDS[id(prices)] = (prices, prices.to_dict("records"))
    return hit[1]


def break_even_utilization(capex_usd: float, energy_usd_per_year_full: float, accelerator_hours_full: float,
                           usd_per_accelerator_hour: float, f: Financing) -> float | None:  # fmt: skip
    """Utilisation of a purchase at which renting its work by the hour costs what owning it does.

    ``accelerator_hours_full``: the rented accelerator-hours of a year of the purchase's work at utilisation 1
    (the bought count x 8,766 h when the rent runs the work as bought; fewer on a more efficient count). Owning at
    utilisation u: capex - salvage + u x energy at full use (per year, discounted); renting: u x
    ``accelerator_hours_full`` x price (per year, discounted). None if renting is cheaper at every utilisation."""
    fixed = capex_usd * (1 - f.salvage_fraction * (1 + f.cost_of_capital) ** -f.years)
    per_u = f.pv_of_yearly(accelerator_hours_full * usd_per_accelerator_hour - energy_usd_per_year_full)
    if per_u <= 0:
        return None
    return fixed / per_u


def _quote(row: dict, hours_per_mix: float, mixes_per_year: float, f: Financing,
           be: float | None, accelerators: int | None = None) -> RentQuote:  # fmt: skip
    price = float(row["usd_per_accelerator_hour"])
    hours = hours_per_mix * mixes_per_year
    billed = f
    if row["pricing"] in COMMITMENTS:
        per_instance = max(int(row.get("gpus_per_instance") or 1), 1)
        reserved = math.ceil(hours / HOURS_PER_YEAR / per_instance - 1e-9) * per_instance
        hours = reserved * HOURS_PER_YEAR
        term = COMMITMENTS[str(row["pricing"])]
        whole_terms = math.ceil(f.years / term - 1e-9) * term  # each term is paid whole: 4 years of work = 2 x 3
        if whole_terms > f.years:  # (a 3-year commitment for 1 year of work costs 3 years)
            billed = replace(f, years=whole_terms)
    per_year = hours * price
    return RentQuote(provider=str(row["provider"]), accelerator_id=str(row["accelerator_id"]),
                     pricing=str(row["pricing"]), usd_per_accelerator_hour=price, accelerator_hours_per_year=hours,
                     rent_usd_per_year=per_year, rent_pv_usd=billed.pv_of_yearly(per_year), break_even_utilization=be,
                     source=str(row["source"]), as_of=str(row["as_of"]), accelerators=accelerators,
                     minutes=None if not accelerators else hours_per_mix * 60.0 / accelerators,
                     confidence=_cell(row.get("confidence")), notes=_cell(row.get("notes")))  # fmt: skip


#: Confidence grades from weakest to strongest (the catalog's files use H, M, L and the ranges between).
CONFIDENCE_ORDER = ("VL", "L", "L-M", "M", "M-H", "H")


def weaker_confidence(a: str | None, b: str | None) -> str | None:
    """The weaker of two confidence grades (a quote made of two price rows is as sure as its weaker one); an
    ungraded row (None) leaves the other's, an unknown grade reads as the weakest."""
    if a is None or b is None:
        return a or b
    rank = {g: i for i, g in enumerate(CONFIDENCE_ORDER)}
    return a if rank.get(a, -1) <= rank.get(b, -1) else b


def _cell(value: Any) -> str | None:
    """A price-list cell as text, None when empty (pandas reads an empty cell as NaN)."""
    if value is None or (not isinstance(value, str) and bool(pd.isna(value))):
        return None
    text = str(value).strip()
    return text or None


def _then(rows: list[dict], quotes: list[RentQuote], per_mix: dict[str, float], mixes_per_year: float,
          f: Financing) -> list[RentQuote]:  # fmt: skip
    """For each commitment whose whole terms overrun ``f.years`` after at least one term: its whole terms within
    the years, then the cheapest way the same provider rents the accelerator for the rest — on demand (the hours
    used) or a shorter commitment (its whole terms) — discounted from the end of the last term. Priced as
    ``commit_3y+on_demand`` or ``commit_3y+commit_1y``; ``usd_per_accelerator_hour`` is the first commitment's."""
    out = []
    for q in quotes:
        term = COMMITMENTS.get(q.pricing)
        if term is None or f.years <= term or math.isclose(f.years % term, 0.0, abs_tol=1e-9):
            continue
        within = math.floor(f.years / term + 1e-9) * term
        best: tuple[float, dict] | None = None
        for row in rows:
            then = str(row["pricing"])
            if (str(row["provider"]), str(row["accelerator_id"])) != (q.provider, q.accelerator_id) or not (
                    then == "on_demand" or COMMITMENTS.get(then, term) < term):
                continue
            t2 = COMMITMENTS.get(then)
            end = f.years if t2 is None else within + math.ceil((f.years - within) / t2 - 1e-9) * t2
            per_year = _quote(row, per_mix[q.accelerator_id], mixes_per_year, f, None).rent_usd_per_year
            pv = replace(f, years=end).pv_of_yearly(per_year) - replace(f, years=within).pv_of_yearly(per_year)
            if best is None or pv < best[0]:
                best = (float(pv), row)
        if best is not None:
            total = float(replace(f, years=within).pv_of_yearly(q.rent_usd_per_year)) + best[0]
            out.append(replace(q, pricing=f"{q.pricing}+{best[1]['pricing']}", rent_pv_usd=total,
                               rent_usd_per_year=float(f.yearly(total)), break_even_utilization=None,
                               source=f"{q.source}; then {best[1]['pricing']}: {best[1]['source']}",
                               confidence=weaker_confidence(q.confidence, _cell(best[1].get("confidence"))),
                               notes="; then ".join(filter(None, (q.notes, _cell(best[1].get("notes")))))
                               or None))  # fmt: skip
    return out


def rent_or_buy(
    prices: pd.DataFrame,
    *,
    accelerator_id: str,
    accelerators: int,
    minutes_per_mix: float,
    capex_usd: float,
    energy_usd_per_year_full: float,
    financing: Financing,
    utilization: float,
    required_mixes_per_day: float | None = None,
    accelerator_hours_per_mix: dict[str, float] | None = None,
    rented_counts: dict[str, int] | None = None,
) -> RentOrBuy:
    """Buy TCO and the rent cost of every price row that can do the same work (see the module doc).

    ``energy_usd_per_year_full``: the bought configuration's energy bill of a year at utilisation 1.
    ``accelerator_hours_per_mix``: for other accelerators, accelerator-hours one mix takes on their best
    configuration (from the candidate table); rows of accelerators absent from it are skipped.
    ``rented_counts``: those configurations' accelerator counts (each quote says which it rents).
    """
    own_hours = accelerators * minutes_per_mix / 60.0
    if required_mixes_per_day is not None:
        # the same work: what is required, but never more than the purchase can do (under min_time the bought
        # configuration may fall short of the rate; renting more than it trains would compare unequal work)
        capacity = HOURS_PER_YEAR * 60.0 / minutes_per_mix
        mixes = min(required_mixes_per_day * 365.25, capacity)
        utilization = min(1.0, mixes * minutes_per_mix / (HOURS_PER_YEAR * 60.0))
    else:
        mixes = utilization * HOURS_PER_YEAR * 60.0 / minutes_per_mix
    buy = financing.tco(capex_usd, energy_usd_per_year_full * utilization)
    per_mix = dict(accelerator_hours_per_mix or {})
    # the bought accelerator's rows too rent the work on its most efficient configuration, like every other
    # accelerator's (a reviewer: 40 B300 priced hour for hour beside other accelerators' best counts named a B200
    # rent "cheapest" though 8 B300 did the same work for $360,000 less); its break-even is that rental's too (a
    # reviewer: 120 MI300X bought, the row renting 8 read "0.84x" of buying beside a break-even of 46 %, the
    # utilisation at which renting 120 would cost as much)
    counts = dict(rented_counts or {})
    if own_hours <= per_mix.get(accelerator_id, own_hours):
        counts[accelerator_id] = accelerators
    per_mix[accelerator_id] = min(own_hours, per_mix.get(accelerator_id, own_hours))
    hours_full = per_mix[accelerator_id] * HOURS_PER_YEAR * 60.0 / minutes_per_mix  # a year's work at utilisation 1
    quotes = []
    for row in _records(prices):
        acc = str(row["accelerator_id"])
        if acc not in per_mix:
            continue
        be = None
        if acc == accelerator_id and row["pricing"] in PAY_PER_HOUR:
            be = break_even_utilization(capex_usd, energy_usd_per_year_full, hours_full,
                                        float(row["usd_per_accelerator_hour"]), financing)  # fmt: skip
        quotes.append(_quote(row, per_mix[acc], mixes, financing, be, counts.get(acc)))
    quotes += _then(_records(prices), quotes, per_mix, mixes, financing)
    quotes.sort(key=lambda q: q.rent_pv_usd)
    return RentOrBuy(buy_tco_pv_usd=float(buy), buy_usd_per_year=float(financing.yearly(buy)),
                     utilization=utilization, mixes_per_year=mixes, quotes=tuple(quotes))  # fmt: skip


def cheapest_rent_per_accelerator(prices: pd.DataFrame, accelerator_hours_per_mix: dict[str, float],
                                  mixes_per_year: float, financing: Financing,
                                  rented_counts: dict[str, int] | None = None) -> pd.DataFrame:  # fmt: skip
    """For ``consider_cloud`` under ``min_tco``: each accelerator's cheapest way to rent the work, as rows
    (accelerator_id, provider, pricing, rent_pv_usd, source, accelerators rented) the optimizer can set beside
    the purchases."""
    counts = rented_counts or {}
    quotes = [_quote(row, accelerator_hours_per_mix[str(row["accelerator_id"])], mixes_per_year, financing, None,
                     counts.get(str(row["accelerator_id"])))
              for row in _records(prices) if str(row["accelerator_id"]) in accelerator_hours_per_mix]
    quotes += _then(_records(prices), quotes, accelerator_hours_per_mix, mixes_per_year, financing)
    rows = [{"accelerator_id": q.accelerator_id, "provider": q.provider, "pricing": q.pricing,
             "usd_per_accelerator_hour": q.usd_per_accelerator_hour, "rent_usd_per_year": q.rent_usd_per_year,
             "rent_pv_usd": q.rent_pv_usd, "source": q.source, "as_of": q.as_of,
             "accelerators": q.accelerators, "minutes": q.minutes, "confidence": q.confidence,
             "notes": q.notes} for q in quotes]  # fmt: skip
    frame = pd.DataFrame(rows, columns=["accelerator_id", "provider", "pricing", "usd_per_accelerator_hour",
                                        "rent_usd_per_year", "rent_pv_usd", "source", "as_of",
                                        "accelerators", "minutes", "confidence", "notes"])  # fmt: skip
    return frame.sort_values("rent_pv_usd").drop_duplicates("accelerator_id").reset_index(drop=True)
