"""Where the model errs on first appearances: a diagnostic table on a DEVELOPMENT evaluation.

    python benchmarks/first_appearance_errors.py [--until v5.0] [--by benchmark] [--csv out.csv]

Runs ``recommender model evaluate``'s forward and first-appearance splits on the catalog cut at ``--until``
(default v5.0: every split is a development evaluation, never the final test) and prints, for every
accelerator in the round of its first MLPerf result (predicted from the earlier rounds only, basis
``specs_only``): rows, median signed error of ``predict()`` (+ = predicted too slow, - = too fast), MdAPE,
the counts, and how its datasheet differs from its nearest relative among the accelerators measured before
that round (ratios of BF16 and best low-precision peak, memory bandwidth and size, interconnect, TDP; the
relative's form factor when it differs). ``--by benchmark`` splits the rows per benchmark as well.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

#: datasheet columns compared with the nearest measured relative (features.py names -> short labels)
_RATIOS = {"log_bf16_tflops": "bf16", "log_lowp_tflops": "lowp", "log_mem_bw_gbps": "bw", "log_mem_gb": "mem",
           "log_interconnect_gbps": "ic", "log_tdp_watts": "tdp"}


def nearest_relatives(cat: object, rounds_first: dict[str, str], train: pd.DataFrame) -> pd.DataFrame:
    """For each accelerator (first round R), the nearest accelerator in log-spec space measured before R."""
    from catalog.registry import round_key
    from recommender.performance.features import raw_spec_features, standardise

    raw = raw_spec_features(cat.accelerators)  # type: ignore[attr-defined]
    z, _, _ = standardise(raw[list(_RATIOS)])
    form = cat.accelerators.set_index("accelerator_id")["form_factor"].astype("string")  # type: ignore[attr-defined]
    first_of = train.groupby("accelerator_id")["round"].agg(lambda r: min(r.astype(str), key=round_key))
    rows = []
    for acc, R in rounds_first.items():
        before = [a for a, r in first_of.items() if round_key(str(r)) < round_key(R) and a != acc]
        if not before:
            continue
        d = ((z.loc[before] - z.loc[acc]) ** 2).sum(axis=1)
        rel = str(d.idxmin())
        ratio = np.exp(raw.loc[acc, list(_RATIOS)] - raw.loc[rel, list(_RATIOS)])
        rec = {"accelerator_id": acc, "relative": rel}
        rec.update({lab: round(float(ratio[c]), 2) for c, lab in _RATIOS.items()})
        rec["form"] = "" if form.get(acc) == form.get(rel) else f"{form.get(acc)} vs {form.get(rel)}"
        rows.append(rec)
    return pd.DataFrame(rows)


def table(pred: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Signed error, MdAPE and counts of the first-appearance rows, grouped by ``by``."""
    f = pred[~pred["seen"].astype(bool) & pred["split"].str.startswith("first appearances")].copy()
    f["err_pct"] = (f["model"] / f["minutes"] - 1.0) * 100.0
    g = f.groupby(by)
    return pd.DataFrame({
        "rows": g.size(),
        "median_err_pct": g["err_pct"].median().round(1),
        "mdape_pct": g["err_pct"].agg(lambda e: float(np.median(np.abs(e)))).round(1),
        "counts": g["accelerators"].agg(lambda n: f"{int(n.min())}-{int(n.max())}"),
    }).reset_index()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--until", default="v5.0", help="last round kept (a development evaluation)")
    ap.add_argument("--by", choices=["accelerator", "benchmark"], default="accelerator")
    ap.add_argument("--csv", default=None, help="also write the held-out first-appearance rows here")
    args = ap.parse_args()

    import catalog
    from recommender.performance.evaluate import catalog_until, evaluate, split_label
    from recommender.performance.training import training_frame

    full = catalog.load()
    cat = catalog_until(full, args.until)
    ev = evaluate(full, splits=("forward", "first-appearances"), until=args.until)
    pred = ev.predictions
    keys = ["round", "accelerator_id"] + (["benchmark"] if args.by == "benchmark" else [])
    out = table(pred, keys)
    firsts = dict(zip(out["accelerator_id"], out["round"]))
    rel = nearest_relatives(cat, firsts, training_frame(cat))
    out = out.merge(rel, on="accelerator_id", how="left")
    print(split_label(args.until))
    print("first appearances (predicted from earlier rounds only); err = predict()/measured - 1, + = too slow")
    with pd.option_context("display.width", 250, "display.max_rows", 1000, "display.max_columns", 30):
        print(out.to_string(index=False))
    if args.csv:
        pred.to_csv(args.csv, index=False)


if __name__ == "__main__":
    main()
