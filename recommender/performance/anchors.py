"""Measured and carried results, and the monotone envelope every final answer passes through.

For one (accelerator, benchmark, target round) the *anchors* are the configurations measured in the catalog
no later than the target round: measured in the target round itself (``measured``: the median system's
score) or in an earlier one (``carried``).

**The carried answer** is the precision-weighted combination, in log space, of two estimates of the same
configuration at the target round: the latest earlier measurement moved forward by the fitted model's own
round-to-round change (its software trend and maturity terms; where the accelerator measured some count on the
benchmark in both rounds, joined by its own change beyond the trend there, :func:`own_drift`), and the model's
prediction for that
configuration today. Each is weighted by 1/variance of its own error, both measured on forward splits at fit
time (:mod:`.calibration`): the carry's variance grows linearly with the gap in years (``a + b * gap``: the
software moves in ways the trend does not capture, so a four-year-old result is weak evidence about today);
the prediction's variance is that of the forward-fitted model on such configurations. A carry from the
previous round weighs about as much as the model; one from four years back little — so an old 10-card result
no longer makes 10 cards look slower than a recent 8-card one. Its interval is normalised split-conformal:
the quantile of forward-split combined errors divided by their standard deviation, times this one's.

Anchors are on the accelerator's usual node layout (its usual accelerators per node, fewest nodes). A round's
representative result is taken among its usual-layout systems when it has any; a result measured spread over
more nodes (Dell's 2 x 4-card A100 PCIe system) is moved to the usual layout by the model's node term, and
``predict()`` moves it back for a row of the measured layout — there it is the measurement; on any other
layout it is the model's figure (``predicted``, its source says from which layout it was moved) — unless
that row is spread wider than usual and its own layout was measured in an earlier round: then that measurement,
carried (:func:`.answers._same_layout`).

Anchors of one group can still disagree with each other, so they are made non-increasing in count by weighted
isotonic regression in log space (pool-adjacent-violators; weights 1 / half-width², so a measurement outweighs
a carried result, a recent carry an old one). A model figure of a group with anchors is first drawn through
them (:func:`follow_anchors`: between two, the model's curve rescaled to pass through both; beyond them, moved by
the nearest one's difference from the model). Every other row — predicted, specs only, custom — is then
clipped between the fitted anchors on either side of its count: never slower than a smaller count's anchor,
never faster than a larger count's. The model's own count curve is non-increasing, and a clip of
non-increasing functions by non-increasing bounds stays non-increasing, so the final answers are monotone in
count across all bases. Intervals move with their point (same ratios), and their ends are bounded by the
anchors' ends the same way (:func:`bound_to_anchors`), so a p80 figure does not grow with the count past an
anchor either.
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pandas as pd

from recommender.performance.basis import years_of
from recommender.performance.training import round_rank


def pav_decreasing(y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted isotonic (non-increasing) fit of ``y`` in order (pool adjacent violators); a few anchors per
    group, so plain Python is faster than importing scikit-learn here."""
    vals: list[float] = []
    wts: list[float] = []
    sizes: list[int] = []
    for yi, wi in zip(y.tolist(), w.tolist()):
        vals.append(yi)
        wts.append(wi)
        sizes.append(1)
        while len(vals) > 1 and vals[-2] < vals[-1]:
            wsum = wts[-2] + wts[-1]
            v = (vals[-2] * wts[-2] + vals[-1] * wts[-1]) / wsum
            sizes[-2] += sizes[-1]
            vals[-2], wts[-2] = v, wsum
            vals.pop()
            wts.pop()
            sizes.pop()
    return np.repeat(np.array(vals), sizes)


def anchor_table(measured: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """Anchors of each requested group (``accelerator_id, benchmark, target`` rows): per count, the latest
    measurement not after the target round; columns add ``accelerators, minutes, source, round, measured``."""
    g = groups.drop_duplicates().copy()
    g["_tk"] = np.array([round_rank(str(r)) for r in g["target"]], dtype=np.int64)
    m = measured.merge(g, on=["accelerator_id", "benchmark"], how="inner")
    m = m[m["_rk"].to_numpy() <= m["_tk"].to_numpy()]
    m = m.sort_values("_rk", kind="stable").drop_duplicates(
        ["accelerator_id", "benchmark", "target", "accelerators"], keep="last")
    m["measured"] = (m["round"].astype(str) == m["target"].astype(str)).to_numpy()
    return m.reset_index(drop=True)


def anchor_values(anchors: pd.DataFrame, model, est, coverage: float,
                  measured: pd.DataFrame | None = None) -> pd.DataFrame:
    """Anchor log-values at the target round (carried where needed) on the accelerator's usual node layout: adds
    ``_raw`` (log-minutes), ``_q`` (log half-width: replicate spread, or the carry error of that gap) and
    ``_basis``. A result measured spread wider than usual (``spread`` > 0) is moved to the usual layout by the
    model's node term; :func:`.answers.predict` moves it back for a row of the measured layout. With the
    ``measured`` table, a carry also follows its group's own change between the two rounds (:func:`own_drift`)."""
    a = anchors.copy()
    kappa = float(model.coef_[model.layout_.kappa])
    spread = a["spread"].to_numpy(dtype=float) if "spread" in a.columns else np.zeros(len(a))
    base = np.log(a["minutes"].to_numpy(dtype=float)) - kappa * spread
    carry = ~a["measured"].to_numpy(dtype=bool)
    mu = base.copy()
    q = np.full(len(a), est.replicate_halfwidth(coverage))
    if carry.any():
        c = a[carry]
        frame = c[["accelerator_id", "accelerators", "benchmark"]]
        now = model.predict_log(frame.assign(round=c["target"].to_numpy(dtype=object)))[0]
        then = model.predict_log(frame.assign(round=c["round"].to_numpy(dtype=object)))[0]
        gap = years_of(c["target"].to_numpy(dtype=object)) - years_of(c["round"].to_numpy(dtype=object))
        w = est.carry_weight(gap)  # precision weight of the carried measurement against the model's own answer
        drift, drift_note = own_drift(c, measured, model, kappa)
        then = then - drift  # (the trend, and beyond it this accelerator's own change on this benchmark)
        through = model_through_results(a, base, carry, model)
        today = now + through  # the model's part, drawn through the target round's results
        moved = base[carry] + now - then
        mu[carry] = w * moved + (1.0 - w) * today
        # the two estimates' disagreement widens the interval (the variance of their mixture: w (1 - w) d^2; a
        # reviewer: MI300X 8 x BERT, tinycorp's 112 min moved to 94 and the model's 5.8 gave "28.0, 25.4–30.9")
        z = NormalDist().inv_cdf(0.5 + coverage / 2.0)
        q[carry] = np.hypot(est.carry_halfwidth(coverage, gap), z * np.sqrt(w * (1.0 - w)) * (moved - today))
        a["_note"] = ""
        layout = kappa * spread[carry]  # (the note's figures on the measured layout, as the source names it)
        a.loc[carry, "_note"] = carry_notes(c["minutes"].to_numpy(dtype=float), c["round"].to_numpy(dtype=object),
                                            np.exp(moved + layout), np.exp(today + layout), w, drift_note,
                                            np.where(np.abs(through) >= 0.005, " (drawn through this round's results)",
                                                     ""))
    a["_raw"] = mu
    a["_q"] = q
    a["_q_lo"], a["_q_hi"] = q, q
    if "lo_minutes" in a.columns:  # each end reaches the configuration's other results in its round (a reviewer:
        # 32 B200 "measured 3.10, 2.9–3.4" though another system of the same configuration scored 3.58)
        m = a["minutes"].to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            a["_q_lo"] = np.maximum(q, np.nan_to_num(np.log(m / a["lo_minutes"].to_numpy(dtype=float)), nan=0.0))
            a["_q_hi"] = np.maximum(q, np.nan_to_num(np.log(a["hi_minutes"].to_numpy(dtype=float) / m), nan=0.0))
    a["_basis"] = np.where(carry, "carried", "measured")
    return a


def carry_notes(minutes: np.ndarray, rounds: np.ndarray, moved: np.ndarray, model: np.ndarray,
                weight: np.ndarray, drift: np.ndarray | None = None, through: np.ndarray | None = None) -> list[str]:
    """How each carried figure was made, for its source (a reviewer: 49.8 min "carried" from results of 42.7 and
    45.8 min, with nothing saying the model's slower figure was combined in): ``"42.68 min in v3.0 → 40.12 by
    the trend; model 58.71; combined 62:38"`` (``drift``: what the trend was joined by, :func:`own_drift`)."""
    w = np.broadcast_to(np.asarray(weight, dtype=float), np.shape(minutes))
    d = np.full(len(w), "", dtype=object) if drift is None else drift
    th = np.full(len(w), "", dtype=object) if through is None else through
    return [f"{m:.2f} min in {r} → {t:.2f} by the trend{x_d}; model {p:.2f}{x_t}; combined {100 * x:.0f}:"
            f"{100 * (1 - x):.0f} (trend : model)"
            for m, r, t, p, x, x_d, x_t in zip(minutes, rounds, moved, model, w, d, th)]  # (which is which?)


def model_through_results(a: pd.DataFrame, base: np.ndarray, carry: np.ndarray, model) -> np.ndarray:
    """For each carried anchor (``carry`` rows of ``a``), how far its group's results measured in the target round
    differ from the model (log), interpolated in log count between the nearest such results and held beyond them
    (``np.interp``): the model's part of a carry is drawn through them as :func:`follow_anchors` draws a model
    figure (GB200 256 on llama31_405b combined 168.6 by the trend with the model's 198.6, which runs 15 % slow
    beside the measured 512). 0 where the group measured nothing in the target round."""
    shift = np.zeros(int(carry.sum()))
    if carry.all():
        return shift
    keys = ["accelerator_id", "benchmark", "target"]
    meas = a.loc[~carry, keys + ["accelerators"]]
    resid = base[~carry] - model.predict_log(meas[["accelerator_id", "accelerators", "benchmark"]].assign(
        round=meas["target"].to_numpy(dtype=object)))[0]
    found = {k: (np.log(g["accelerators"].to_numpy(dtype=float)), resid[g["_i"].to_numpy()])
             for k, g in meas.assign(_i=np.arange(len(meas))).sort_values("accelerators").groupby(keys, sort=False)}
    c = a.loc[carry, keys + ["accelerators"]]
    for i, (acc, bench, target, n) in enumerate(c.itertuples(index=False, name=None)):
        hit = found.get((acc, bench, target))
        if hit is not None:
            shift[i] = np.interp(np.log(float(n)), hit[0], hit[1])
    return shift


def own_drift(carried: pd.DataFrame, measured: pd.DataFrame | None, model,
              kappa: float) -> tuple[np.ndarray, np.ndarray]:
    """How much more (log) each carried anchor's group — its accelerator and benchmark — changed between the
    anchor's round and the target round than the model's trend says, where the group measured some count in
    both rounds: the mean over those counts of (log change measured − the model's log change), and a note for
    the source (`` and its own change at 512 accelerators, v5.0 → v5.1 (−30 %)``). The trend is every
    accelerator's; a new generation's software moves faster (GB200's 512 on llama31_405b went 121 → 85 min from
    v5.0 to v5.1 while the trend moved its 256 and 1,024 by 12 %: a jagged curve beside the new result). 0 and
    "" where no count was measured in both rounds."""
    n = len(carried)
    drift, notes = np.zeros(n), np.full(n, "", dtype=object)
    if measured is None or n == 0:
        return drift, notes
    keys = ["accelerator_id", "benchmark"]
    c = carried[keys + ["target", "round"]].reset_index(drop=True).assign(_row=np.arange(n))
    m = measured[keys + ["accelerators", "round", "minutes", "spread"]]
    m = m.assign(_lm=np.log(m["minutes"].to_numpy(dtype=float)) - kappa * m["spread"].to_numpy(dtype=float))
    then = c.merge(m, on=keys + ["round"], how="inner")  # the group's results in the anchor's round ...
    now = m.rename(columns={"round": "target", "_lm": "_lm_now"})[keys + ["target", "accelerators", "_lm_now"]]
    pairs = then.merge(now, on=keys + ["target", "accelerators"], how="inner")  # ... at a count also in the target
    if pairs.empty:
        return drift, notes
    frame = pairs[["accelerator_id", "accelerators", "benchmark"]]
    trend = (model.predict_log(frame.assign(round=pairs["target"].to_numpy(dtype=object)))[0]
             - model.predict_log(frame.assign(round=pairs["round"].to_numpy(dtype=object)))[0])
    pairs["_own"] = pairs["_lm_now"].to_numpy() - pairs["_lm"].to_numpy()
    pairs["_beyond"] = pairs["_own"].to_numpy() - trend
    by_row = pairs.groupby("_row")
    rows = np.asarray(list(by_row.groups), dtype=np.int64)
    drift[rows] = by_row["_beyond"].mean().to_numpy()
    own = by_row["_own"].mean().to_numpy()
    counts = by_row["accelerators"].agg(lambda s: ", ".join(f"{int(v):,}" for v in sorted(s))).to_numpy()
    for i, r, o, k in zip(rows, c["round"].to_numpy()[rows], own, counts):
        notes[i] = f" and its own change at {k} accelerators, {r} → {c['target'].iat[i]} ({100 * np.expm1(o):+.0f} %)"
    return drift, notes


def isotonic(a: pd.DataFrame) -> pd.DataFrame:
    """Make each group's anchors non-increasing in count (weighted PAV in log space, weights 1/q^2); adds
    ``_mu`` and the group ``_key``."""
    if a.empty:
        return a.assign(_mu=np.zeros(0))
    a = a.sort_values(["_code", "target", "accelerators"], kind="stable").reset_index(drop=True)
    key = a["_code"].astype(str) + "|" + a["target"].astype(str)
    codes, _ = pd.factorize(key)
    raw, w = a["_raw"].to_numpy(dtype=float), 1.0 / a["_q"].to_numpy(dtype=float) ** 2
    out = raw.copy()
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    ends = np.r_[starts[1:], len(a)]
    for s, e in zip(starts, ends):
        if e - s > 1 and np.any(np.diff(raw[s:e]) > 0):
            out[s:e] = pav_decreasing(raw[s:e], w[s:e])
    a["_mu"] = out
    return a


class AnchorIndex:
    """Fitted anchors of many groups (integer group code ``_code``), searchable by (group, count) with numpy."""

    def __init__(self, anchors: pd.DataFrame) -> None:
        a = anchors
        if len(a) == 0:
            self.comp = np.zeros(0, np.int64)
            self.mu = self.q = self.up = self.lo = self.model = np.zeros(0)
            self.basis = self.source = np.zeros(0, dtype=object)
            self.nodes = self.spread = self.counts = np.zeros(0)
            return
        comp = a["_code"].to_numpy(dtype=np.int64) * _BIG + a["accelerators"].to_numpy(dtype=np.int64)
        order = np.argsort(comp, kind="stable")
        self.comp = comp[order]
        self.counts = (self.comp % _BIG).astype(float)
        self.mu = a["_mu"].to_numpy(dtype=float)[order]
        q = a["_q"].to_numpy(dtype=float)
        q_lo = (a["_q_lo"].to_numpy(dtype=float) if "_q_lo" in a.columns else q)[order]
        q_hi = (a["_q_hi"].to_numpy(dtype=float) if "_q_hi" in a.columns else q)[order]
        self.q = np.maximum(q_lo, q_hi)  # (an answer at the anchor: its ends come from ``up``/``lo`` below)
        # the model's own figure at each anchor (log; NaN where there is none: custom workloads' anchors)
        self.model = (a["_model"].to_numpy(dtype=float) if "_model" in a.columns else np.full(len(a), np.nan))[order]
        self.basis = a["_basis"].to_numpy(dtype=object)[order]
        self.source = a["source"].to_numpy(dtype=object)[order]
        # the layout each anchor was measured on (custom workloads' anchors: the usual one)
        self.nodes = (a["nodes"].to_numpy(dtype=float) if "nodes" in a.columns else np.full(len(a), np.nan))[order]
        self.spread = (a["spread"].to_numpy(dtype=float) if "spread" in a.columns else np.zeros(len(a)))[order]
        # interval ends made monotone like the points: an upper end is at most any smaller count's (running
        # minimum), a lower end at least any larger count's (running maximum from the right)
        group = self.comp // _BIG
        self.up = pd.Series(self.mu + q_hi).groupby(group).cummin().to_numpy()
        self.lo = pd.Series((self.mu - q_lo)[::-1]).groupby(group[::-1]).cummax().to_numpy()[::-1]

    def lookup(self, code: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(exact-match index or -1, index of the anchor at the largest count <= n or -1, at the smallest >= n)."""
        comp = code.astype(np.int64) * _BIG + counts.astype(np.int64)
        last = len(self.comp) - 1
        right = np.searchsorted(self.comp, comp, side="right")  # first anchor > comp
        left = np.searchsorted(self.comp, comp, side="left")  # first anchor >= comp
        prev = right - 1
        has_prev = (prev >= 0) & (self.comp[np.clip(prev, 0, last)] // _BIG == code)
        at_left = self.comp[np.clip(left, 0, last)]
        has_next = (left <= last) & (at_left // _BIG == code)
        exact = has_next & (at_left == comp)
        return np.where(exact, left, -1), np.where(has_prev, prev, -1), np.where(has_next, left, -1)


_BIG = np.int64(1) << np.int64(32)


def clip_to_anchors(index: AnchorIndex, prev: np.ndarray, nxt: np.ndarray, mu: np.ndarray,
                    counts: np.ndarray, slack: float = np.inf) -> tuple[np.ndarray, np.ndarray]:
    """Each row's log-minutes clipped between the fitted anchors of its group: at most the anchor at the largest
    count <= n, at least the anchor at the smallest count >= n — and at least that smaller count's anchor sped
    up linearly to n, beyond by no more than ``slack`` per doubling of the count (log; :func:`scaling_slack`):
    more accelerators of one software stack do not train faster than in proportion (8 x MI300X measured 112 min
    on BERT; the model's 3 min for 16 was a 35-fold speed-up for twice the cards), and a few more accelerators
    not much faster (a reviewer: 136 B200 came out 32 % faster than a measured 128 under a flat per-step slack).
    Symmetrically, a row is at most the anchor at the smallest count >= n slowed in proportion to the count (and
    the same slack). Returns (clipped, which bound moved it: +1 capped by a smaller count's anchor, +2 held to the
    larger count's result slowed in proportion, -1 floored by a larger count's anchor, -2 floored by the scaling
    limit, 0 untouched)."""
    if len(index.mu) == 0:
        return mu, np.zeros(len(mu), dtype=int)
    p, nx = np.maximum(prev, 0), np.maximum(nxt, 0)
    cap = np.where(prev >= 0, index.mu[p], np.inf)
    floor = np.where(nxt >= 0, index.mu[nx], -np.inf)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = counts / index.counts[p]
        beyond = np.where(ratio > 1.0, slack * np.log2(ratio), 0.0)  # (no slack at the anchor's own count)
        linear = np.where(prev >= 0, index.mu[p] - np.log(ratio) - beyond, -np.inf)
        # and, below a result, no slower than that result in proportion to the count, beyond by the same slack
        # (a reviewer: 504 GB300, NVL72's whole racks just under a measured 512, came out 12 % slower than 512's
        # 64.6 min; n accelerators can run the larger count's work in turns)
        back = index.counts[nx] / counts
        linear_below = np.where(nxt >= 0, index.mu[nx] + np.log(back) + np.where(back > 1.0, slack * np.log2(back),
                                                                                  0.0), np.inf)
    out = np.minimum(np.minimum(np.maximum(np.maximum(mu, floor), linear), cap), linear_below)
    moved = np.where(out < mu, np.where(out < np.minimum(mu, cap), 2, 1),
                     np.where(out > mu, np.where(out > floor, -2, -1), 0))
    return out, moved


#: how much of the nearest result's difference from the model a figure beyond every result of its group keeps
OUTSIDE_SHARE = 1.0


def follow_anchors(index: AnchorIndex, prev: np.ndarray, nxt: np.ndarray, mu: np.ndarray,
                   counts: np.ndarray, outside: float | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The model's figures of a group with results, drawn through those results (log): between two results the
    model's count curve is rescaled to pass through both (``mu_prev + s (mu_next - mu_prev)``, ``s`` the share
    of the model's own fall between the two counts reached at n: monotone, since the model's curve and the
    anchors are), and beyond them moved by the nearest result's difference from the model (``outside`` of it).
    A submitter's stack that runs 20 % slower than the model at 256 and 448 accelerators does so at 1,024 too
    (a reviewer: B200 1,024 on llama31_405b took 20 % fewer accelerator-hours than the measured 448), and the
    model's own step from a result to the next count is kept (GB200 576 was capped flat at 512's result).
    Returns (moved log-minutes, the shift in log, the half-width the figure's interval keeps at least: the
    results' own, interpolated like the point)."""
    out = mu.copy()
    outside = OUTSIDE_SHARE if outside is None else outside
    if len(index.mu) == 0:
        return out, np.zeros(len(mu)), np.zeros(len(mu))
    p, nx = np.maximum(prev, 0), np.maximum(nxt, 0)
    has_p = (prev >= 0) & np.isfinite(index.model[p])
    has_n = (nxt >= 0) & np.isfinite(index.model[nx])
    both = has_p & has_n
    with np.errstate(divide="ignore", invalid="ignore"):
        fall = index.model[p] - index.model[nx]
        share = np.where(fall > 1e-9, (index.model[p] - mu) / fall,
                         np.log(counts / index.counts[p]) / np.log(index.counts[nx] / index.counts[p]))
    share = np.clip(np.nan_to_num(share, nan=0.0), 0.0, 1.0)
    out = np.where(both, index.mu[p] + share * (index.mu[nx] - index.mu[p]), out)
    out = np.where(has_p & ~has_n, mu + outside * (index.mu[p] - index.model[p]), out)
    out = np.where(has_n & ~has_p, mu + outside * (index.mu[nx] - index.model[nx]), out)
    # a figure drawn through results is no surer than they are (a carry whose trend and model disagree is wide)
    floor = np.where(both, (1.0 - share) * index.q[p] + share * index.q[nx],
                     np.where(has_p, index.q[p], np.where(has_n, index.q[nx], 0.0)))
    return out, out - mu, floor


def follow_sources(index: AnchorIndex, prev: np.ndarray, nxt: np.ndarray, shift: np.ndarray,
                   source: np.ndarray) -> np.ndarray:
    """Sources of figures :func:`follow_anchors` moved (by 0.5 % or more): ``model -13 %, drawn through the
    results at 256 and 512 accelerators`` or ``model +24 % (the result at 448 accelerators is 24 % slower than
    the model there)``."""
    out = source.copy()
    pct = 100 * np.expm1(shift)
    for i in np.flatnonzero(np.abs(pct) >= 0.5):
        p, n = int(prev[i]), int(nxt[i])
        if p >= 0 and n >= 0:
            out[i] = (f"model {pct[i]:+.0f} %, drawn through the results at {int(index.counts[p]):,} and "
                      f"{int(index.counts[n]):,} accelerators")
        else:
            at = int(index.counts[max(p, n)])
            if abs(pct[i]) < 100:
                out[i] = (f"model {pct[i]:+.0f} % (the result at {at:,} accelerators is {abs(pct[i]):.0f} % "
                          f"{'slower' if pct[i] > 0 else 'faster'} than the model there)")
            else:  # (a reviewer: "+1513 %" — a factor reads better)
                out[i] = (f"model x{np.exp(shift[i]):.1f} (the result at {at:,} accelerators took "
                          f"{np.exp(shift[i]):.1f} times the model's time there)")
    return out


def result_notes(index: AnchorIndex, prev: np.ndarray, nxt: np.ndarray, counts: np.ndarray,
                 moved: np.ndarray) -> np.ndarray:
    """For model figures, the result that bounds them (``moved`` of :func:`clip_to_anchors`: the smaller count's
    for +1/-2, the larger count's for -1/+2) or, untouched, the group's nearest in count (log scale), as
    ``8 accelerators, 9.50 min (measured)`` — what a bare "model" leaves a buyer to look up (a reviewer: 40 B300
    "predicted: model" beside a measured 8; "floored by a larger count's result" named none); "" where the
    group has none."""
    out = np.full(len(counts), "", dtype=object)
    if len(index.mu) == 0:
        return out
    with np.errstate(divide="ignore", invalid="ignore"):
        below = np.where(prev >= 0, np.log(counts / index.counts[np.maximum(prev, 0)]), np.inf)
        above = np.where(nxt >= 0, np.log(index.counts[np.maximum(nxt, 0)] / counts), np.inf)
    near = np.where(np.isin(moved, (1, -2)), prev, np.where(np.isin(moved, (-1, 2)), nxt,
                                                              np.where(below <= above, prev, nxt)))
    for i in np.flatnonzero(near >= 0):
        j = near[i]
        m = float(np.exp(index.mu[j]))
        basis = str(index.basis[j])
        if index.spread[j] > 1e-9 and np.isfinite(index.nodes[j]):  # the figure is on the usual layout, not its own
            basis += f" on {int(index.nodes[j])} nodes, moved to the usual layout by the node term"
        out[i] = f"{int(index.counts[j]):,} accelerators, {m:,.2f} min ({basis})" if m < 100 else \
            f"{int(index.counts[j]):,} accelerators, {m:,.0f} min ({basis})"
    return out


def scaling_slack(measured: pd.DataFrame, quantile: float = 0.99) -> float:
    """How much faster than linear the catalog's results get between neighbouring counts, in log per doubling
    of the count: over every (accelerator, benchmark, round) with results at several counts, log(m_i n_i / m_j
    n_j) / log2(n_j / n_i) of each next larger count j, at its ``quantile`` (1 % of such pairs scale better:
    other systems, other tuning); 0 when no pair scales better than linearly."""
    m = measured.dropna(subset=["minutes"])
    m = m.groupby(["accelerator_id", "benchmark", "round", "accelerators"], observed=True, as_index=False)[
        "minutes"].median().sort_values(["accelerator_id", "benchmark", "round", "accelerators"])
    work = np.log(m["minutes"].to_numpy(dtype=float) * m["accelerators"].to_numpy(dtype=float))
    group = m.groupby(["accelerator_id", "benchmark", "round"], observed=True).ngroup().to_numpy()
    same = group[1:] == group[:-1]
    counts = m["accelerators"].to_numpy(dtype=float)
    doublings = np.log2(counts[1:][same] / counts[:-1][same])  # (> 0: one median per count in a group)
    gain = (work[:-1] - work[1:])[same] / doublings
    return float(max(np.quantile(gain, quantile), 0.0)) if len(gain) else 0.0


def bound_to_anchors(index: AnchorIndex, prev: np.ndarray, nxt: np.ndarray, mu: np.ndarray,
                     q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(lower, upper) half-widths of each row's interval around its clipped ``mu``: the upper end never above
    the upper end of the anchor at the largest count <= n, the lower end never below the lower end of the
    anchor at the smallest count >= n (the anchors' ends are themselves monotone: ``AnchorIndex.up``/``lo``) —
    so p80 minutes (an interval's upper end) do not grow with the count either (72 predicted B200 had a higher
    p80 than 64 carried ones)."""
    if len(index.mu) == 0:
        return q, q
    hi = np.where(prev >= 0, index.up[np.maximum(prev, 0)], np.inf)
    lo = np.where(nxt >= 0, index.lo[np.maximum(nxt, 0)], -np.inf)
    # and never below the upper end of the anchor at the smallest count >= n (an anchor's upper end reaches its
    # configuration's slowest result: the counts below it cannot promise a better p80)
    hi_floor = np.where(nxt >= 0, index.up[np.maximum(nxt, 0)], -np.inf)
    with np.errstate(invalid="ignore"):
        upper = np.maximum(np.minimum(q, hi - mu), hi_floor - mu)
        return np.clip(np.minimum(q, mu - lo), 0.0, None), np.clip(upper, 0.0, None)
