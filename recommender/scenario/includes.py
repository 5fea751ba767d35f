"""Files a scenario references (price lists, custom workloads) and the validation of one entry."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from recommender.errors import ScenarioError
from recommender.models import Scenario, field_path
from recommender.scenario.files import PriceList
from recommender.scenario.ids import UNREAD, check_ids, known_ids
from recommender.scenario.located import Doc, Loc, PathT, display_name, parse_file
from recommender.scenario.messages import (
    bools_as_numbers,
    check_version,
    error_at,
    get_path,
    kind_of,
    validation_errors,
)
from recommender.scenario.safe_io import include_problem, real_key

if TYPE_CHECKING:  # pragma: no cover
    from catalog import Catalog


class Includes:
    """Files referenced by relative path (price lists, custom workloads), each parsed once per load.

    A path is relative to the file that names it.
    """

    def __init__(self, main_file: str, base: Path) -> None:
        self.dirs: dict[str, Path] = {main_file: base}
        self.main_base = base
        self.cache: dict[str, Doc | ScenarioError] = {}

    def _locate(self, where: Loc, ref: str) -> tuple[Path, str]:
        """(the file's path, its name as shown in messages) of ``ref`` named at ``where``."""
        if os.path.isabs(ref):
            return Path(ref), ref
        return (self.dirs.get(where.file, self.main_base) / ref,
                display_name(os.path.join(os.path.dirname(where.file), ref)))

    def get(self, ref_doc: Doc, path: PathT, ref: str) -> Doc:
        where = ref_doc.loc(path)
        real, shown = self._locate(where, ref)
        key = real_key(real)
        if key not in self.cache:
            problem = include_problem(real, shown)  # a regular file within the size limit (scenario.safe_io)
            if problem is not None:
                self.cache[key] = ScenarioError(problem)
            else:
                try:
                    self.cache[key] = parse_file(real, name=shown)
                    self.dirs[shown] = real.parent
                except ScenarioError as exc:
                    self.cache[key] = exc
        found = self.cache[key]
        if isinstance(found, ScenarioError):
            if found.file is None:
                raise ScenarioError(found.message, field=field_path(where.path) or None, file=where.file,
                                    line=where.line)
            raise found
        return found


    def cloud_price_list(self, ref_doc: Doc, ref: str, catalog: Catalog | None, check: bool) -> str:
        """The absolute path of the cloud price list ``ref`` (relative to the file that names it, like
        ``prices:``), read and checked now: an unreadable, empty or binary file, a bad row or (``check``) an
        accelerator id the catalog does not know is a ScenarioError naming the file and line."""
        from recommender.errors import CatalogError
        from recommender.planning.cloud import parse_price_list
        from recommender.scenario.safe_io import read_text

        where = ref_doc.loc(("cloud_prices",))
        real, shown = self._locate(where, ref)
        problem = include_problem(real, shown)
        if problem is not None:
            raise ScenarioError(problem, field="cloud_prices", file=where.file, line=where.line)
        text = read_text(real, file=shown)
        ids = set(known_ids(catalog)[1]) if check else None
        try:
            parse_price_list(text, shown, ids)
        except CatalogError as exc:  # each problem on its own line, saying which scenario line names the file
            named = f" (the cloud_prices of {where.file}:{where.line})" if where.line else ""
            located = getattr(exc, "located", [(None, str(exc))])
            raise Errors([ScenarioError(why + named, file=shown, line=line) for line, why in located]) from None
        return os.path.abspath(real)


def validate_entry(doc: Doc, name: str, includes: Includes, catalog: Catalog | None,
                    check: bool) -> Scenario | list[ScenarioError]:
    """Resolve references, merge, validate and check ids of one entry."""
    errors: list[ScenarioError] = []
    data = dict(doc.data)
    locs = dict(doc.locs)
    data.setdefault("name", name)
    # -- prices: a mapping, an inline list of quotes, or a price list file
    prices = data.get("prices")
    if isinstance(prices, str | list):
        try:
            if isinstance(prices, str):
                pdoc = includes.get(doc, ("prices",), prices)
                csv = " (a CSV of rental prices per accelerator-hour goes in `cloud_prices:`)" if str(
                    prices).lower().endswith(".csv") else ""  # fmt: skip
                _require_mapping(pdoc, "a price list (`quotes:`)", csv)
                pl_doc, prefix = pdoc, ()
            else:
                pl_doc = Doc({"quotes": prices}, {(): doc.loc(("prices",)),
                                                  **{("quotes",) + p[1:]: l for p, l in locs.items()
                                                     if p[:1] == ("prices",)}})
                prefix = ("prices",)
            try:
                plist = PriceList.model_validate(pl_doc.data)
            except ValidationError as exc:  # its unknown ids too (a reviewer: they waited for the next run)
                found = validation_errors(exc, pl_doc, PriceList) + (check_ids(pl_doc.data, pl_doc, catalog)
                                                                     if check else [])  # fmt: skip
                found.sort(key=lambda e: (str(e.file), e.line or 0))
                raise Errors(relocate(found, prefix)) from None
            new_prices, notes, new_locs = _prices_from_quotes(plist, pl_doc)
            data["prices"] = new_prices
            user_notes = data.get("price_notes") if isinstance(data.get("price_notes"), dict) else {}
            data["price_notes"] = {**notes, **user_notes}
            locs = {p: l for p, l in locs.items() if p[:1] != ("prices",)}
            locs[("prices",)] = doc.loc(("prices",))
            for acc, loc in new_locs.items():
                locs[("prices", acc)] = loc
                if acc not in user_notes:
                    locs[("price_notes", acc)] = loc
        except ScenarioError as exc:
            errors.append(exc)
            data["prices"] = {}
        except Errors as exc:
            errors.extend(exc.errors)
            data["prices"] = {}
    # -- cloud_prices: a CSV file, relative to the file that names it (it was read from the working directory)
    cloud = data.get("cloud_prices")
    if isinstance(cloud, str) and cloud.strip():
        try:
            data["cloud_prices"] = includes.cloud_price_list(doc, cloud, catalog, check)
        except ScenarioError as exc:
            errors.append(exc)
            data["cloud_prices"] = None
        except Errors as exc:
            errors.extend(exc.errors)
            data["cloud_prices"] = None
    # -- workloads[].custom: a mapping or a custom workload file
    _resolve_custom_workloads(doc, data, locs, includes, errors)
    edoc = Doc(data, locs)
    bools = bools_as_numbers(Scenario, data, ())
    errors.extend(error_at(edoc, p, f"must be a number, not {str(v).lower()}") for p, v in bools)
    if bools:  # validate the rest with a stand-in number, so no error follows from the flagged ones
        data = copy.deepcopy(data)
        for p, _ in bools:
            get_path(data, p[:-1])[p[-1]] = 1
    scenario: Scenario | None = None
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        errors.extend(validation_errors(exc, edoc, Scenario))
    if check:  # unknown ids are said with the entry's other errors (they waited for a clean schema)
        said = {e.field for e in errors}
        errors.extend(e for e in check_ids(scenario or data, edoc, catalog) if e.field not in said)
    return _named_by(errors, doc, includes) or scenario  # type: ignore[return-value]


def _named_by(errors: list[ScenarioError], doc: Doc, includes: Includes) -> list[ScenarioError]:
    """Errors inside a file the entry names (``prices:``, ``workloads[i].custom``) say which line named it, as the
    cloud price list's do: in a file of several scenarios, ``quotes.yaml:4: …`` alone did not say whose."""
    refs: dict[str, str] = {}
    workloads = doc.data.get("workloads")
    named = [(("prices",), doc.data.get("prices"))] + ([
        (("workloads", i, "custom"), w.get("custom")) for i, w in enumerate(workloads)
        if isinstance(w, dict)] if isinstance(workloads, list) else [])  # fmt: skip
    for path, ref in named:
        if isinstance(ref, str) and ref.strip():
            where = doc.loc(path)
            if where.line:
                refs.setdefault(includes._locate(where, ref)[1], f" (the {field_path(where.path)} of "
                                f"{where.file}:{where.line})")
    return [ScenarioError(e.message + refs[e.file], field=e.field, file=e.file, line=e.line)
            if e.file in refs and not e.message.endswith(refs[e.file]) else e for e in errors]


def _resolve_custom_workloads(doc: Doc, data: dict, locs: dict, includes: Includes,
                              errors: list[ScenarioError]) -> None:
    """Replace each ``workloads[i].custom`` file reference by the file's mapping (``data`` and ``locs`` in place;
    a file's errors are appended to ``errors`` and a stand-in keeps the rest of the entry validating)."""
    workloads = data.get("workloads")
    if isinstance(workloads, list):
        new_workloads = list(workloads)
        for i, w in enumerate(workloads):
            if isinstance(w, dict) and isinstance(w.get("custom"), str):
                try:
                    cdoc = includes.get(doc, ("workloads", i, "custom"), w["custom"])
                    _require_mapping(cdoc, "a custom workload (name, measurements)")
                    cdata = dict(cdoc.data)
                    if "version" in cdata:
                        check_version(cdoc)
                        cdata.pop("version")
                    new_workloads[i] = {**w, "custom": cdata}
                    for p, l in cdoc.locs.items():
                        if p:
                            locs[("workloads", i, "custom") + p] = l
                except ScenarioError as exc:
                    errors.append(exc)
                    # keep validating the rest of the entry: stand in a benchmark for the missing file
                    new_workloads[i] = {k: v for k, v in w.items() if k not in ("custom", "benchmark")}
                    new_workloads[i]["benchmark"] = UNREAD  # (no "unknown benchmark" beside the file's error)
        data["workloads"] = new_workloads


class Errors(Exception):
    def __init__(self, errors: list[ScenarioError]) -> None:
        super().__init__("; ".join(map(str, errors)))
        self.errors = errors


def relocate(errors: list[ScenarioError], prefix: PathT) -> list[ScenarioError]:
    """Inline price lists are validated as ``quotes``: show them under ``prices`` as written."""
    if not prefix:
        return errors
    out = []
    for e in errors:
        f = e.field or ""
        if f.startswith("quotes"):
            f = "prices" + f[len("quotes"):]
        out.append(ScenarioError(e.message, field=f or None, file=e.file, line=e.line))
    return out


def _require_mapping(doc: Doc, what: str, hint: str = "") -> None:
    if not isinstance(doc.data, dict):
        raise ScenarioError(f"must hold {what} as a mapping, not {kind_of(doc.data)}{hint}",
                            file=doc.locs[()].file, line=1)


def _prices_from_quotes(plist: PriceList, doc: Doc) -> tuple[dict[str, float], dict[str, str], dict[str, Loc]]:
    prices: dict[str, float] = {}
    notes: dict[str, str] = {}
    locs: dict[str, Loc] = {}
    for j, q in enumerate(plist.quotes):
        if q.accelerator_id in prices and prices[q.accelerator_id] <= q.price_usd:
            continue
        prices[q.accelerator_id] = q.price_usd
        parts = [p for p in (f"quote from {q.vendor}" if q.vendor else "vendor quote", q.as_of, q.note) if p]
        where = doc.loc(("quotes", j, "accelerator_id"))
        notes[q.accelerator_id] = f"{', '.join(parts)} ({where.file}:{where.line})"
        locs[q.accelerator_id] = where
    return prices, notes, locs
