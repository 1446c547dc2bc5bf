"""The figures of scripts/plot.py: each function draws one PNG from runs and
returns its file name (None when there is nothing to draw). A run is any
object with .metrics (its metrics JSON), .get(column), .number(column),
.knobs, .values and .series_name(), as plot.py's Run provides."""
import math
import os
import re
from collections import OrderedDict, defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)

MAX_CLASSES = 8  # queue plot: the most active size classes only, or the lines blur
MIB = 1024.0 * 1024.0


def safe_name(text):
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)


def time_axis(metrics):
    t = metrics.get("timeline") or {}
    seconds = [x / 1e9 for x in t.get("time_ns") or []]
    unit = "virtual s" if metrics.get("run", {}).get("mode") == "virtual" else "wall s"
    return seconds, unit


def plot_queues(run, out_dir, trace):
    m = run.metrics
    t = m.get("timeline") or {}
    targets, classes = t.get("queue_targets"), t.get("queue_classes") or []
    if not targets or not classes:
        return None
    seconds, unit = time_axis(m)
    column = {c: i for i, c in enumerate(classes)}
    chunk_of = {c["class"]: c["chunk_bytes"] for c in m.get("classes") or []}
    activity = defaultdict(int)
    for c in m.get("classes") or []:
        activity[c["chunk_bytes"]] = c.get("grow_events", 0) + c.get("reclaim_events", 0)
    chosen = sorted(classes, key=lambda b: -activity.get(b, 0))[:MAX_CLASSES]
    fig, ax = plt.subplots(figsize=(10, 5))
    for chunk in sorted(chosen):
        i = column[chunk]
        line, = ax.step(seconds, [s[i] for s in targets], where="post", label="%d B" % chunk)
        for kind, marker in (("queue_grow", "^"), ("queue_reclaim", "v")):
            pts = [(e["t_ns"] / 1e9, e["value"]) for e in (m.get("events") or {}).get("log", [])
                   if e.get("kind") == kind and chunk_of.get(e.get("class")) == chunk]
            if pts:
                ax.scatter([p[0] for p in pts], [p[1] for p in pts], marker=marker, s=14, color=line.get_color())
    logged = (m.get("events") or {}).get("dropped") or {}
    note = "\nevent log keeps the first entries of each kind; not shown: %s" % ", ".join(
        "%d %s" % (n, kind) for kind, n in logged.items()) if logged else ""
    ax.set_title("%s — %s: queue target per size class, ^ grow, v reclaim%s" % (trace, run.series_name(), note), fontsize=8)
    ax.set_xlabel(unit)
    ax.set_ylabel("target (chunks)")
    ax.legend(fontsize=7, ncol=2, title="chunk size", title_fontsize=7)
    return save(fig, out_dir, "queues_%s.png" % safe_name(trace))


def plot_memory(runs, out_dir, trace):
    panels = (("live bytes", lambda m: (m.get("timeline") or {}).get("live_bytes")),
              ("footprint", lambda m: (m.get("timeline") or {}).get("footprint_bytes")),
              ("RSS", rss_series))
    fig, axes = plt.subplots(3, 1, figsize=(10, 9), sharex=True)
    drawn = False
    for run in runs:
        seconds, unit = time_axis(run.metrics)
        for ax, (title, get) in zip(axes, panels):
            values = get(run.metrics)
            if values and len(values) == len(seconds):
                ax.plot(seconds, [v / MIB for v in values], label=run.series_name(), linewidth=1)
                drawn = True
    if not drawn:
        plt.close(fig)
        return None
    for ax, (title, _) in zip(axes, panels):
        ax.set_ylabel(title + " (MiB)")
        ax.grid(alpha=0.3)
    axes[0].set_title("%s: memory over time per policy (RSS simulated in virtual mode)" % trace, fontsize=9)
    axes[0].legend(fontsize=7, ncol=3)
    axes[-1].set_xlabel(unit)
    return save(fig, out_dir, "memory_%s.png" % safe_name(trace))


def rss_series(m):
    t = m.get("timeline") or {}
    return t.get("sim_rss_bytes") or (m.get("host") or {}).get("timeline_rss_bytes")


def plot_bars(runs, out_dir, metric, title, scale, ylabel, name):
    traces = list(OrderedDict.fromkeys(r.get("trace") for r in runs))
    values = OrderedDict()  # series -> trace -> [values]
    for r in runs:
        if r.knobs:  # knob variants belong in heat maps
            continue
        v = r.number(metric)
        if v is not None:
            values.setdefault(r.series_name(), defaultdict(list))[r.get("trace")].append(v * scale)
    if not values:
        return None
    fig, ax = plt.subplots(figsize=(min(20, max(8, 0.18 * len(traces) * len(values) + 2)), 5))
    width = 0.8 / len(values)
    for i, (series, per_trace) in enumerate(values.items()):
        xs = [t + (i - (len(values) - 1) / 2) * width for t in range(len(traces))]
        ys = [sum(per_trace[t]) / len(per_trace[t]) if per_trace[t] else 0 for t in traces]
        ax.bar(xs, ys, width, label=series)
    positive = [v for per_trace in values.values() for vs in per_trace.values() for v in vs if v > 0]
    if positive and max(positive) / min(positive) > 1000:  # tiny traces dwarf the rest otherwise
        ax.set_yscale("log")
        ylabel += " (log scale)"
    ax.set_xticks(range(len(traces)))
    ax.set_xticklabels(traces, rotation=30, ha="right", fontsize=7)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7, ncol=3)
    ax.grid(axis="y", alpha=0.3)
    return save(fig, out_dir, name)


def numeric(value):
    try:
        return float(value.rstrip("KMGkmg")) * {"k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}.get(value[-1:].lower(), 1)
    except ValueError:
        return None


def plot_heatmap(runs, out_dir, knob_x, knob_y, metric, label, mode):
    cells = defaultdict(list)  # (trace, x, y) -> values, averaged over the other knobs and repetitions
    for r in runs:
        if (r.get("label"), r.get("mode")) != (label, mode):
            continue
        x, y, v = r.values.get(knob_x), r.values.get(knob_y), r.number(metric)
        if x and y and v is not None:
            cells[(r.get("trace"), x, y)].append(v)
    if not cells:
        return None
    traces = list(OrderedDict.fromkeys(k[0] for k in cells))
    xs = sorted({k[1] for k in cells}, key=lambda s: (numeric(s) is None, numeric(s) or 0, s))
    ys = sorted({k[2] for k in cells}, key=lambda s: (numeric(s) is None, numeric(s) or 0, s))
    cols = min(3, len(traces))
    rows = math.ceil(len(traces) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.6 * rows), squeeze=False)
    for ax in axes.flat[len(traces):]:
        ax.axis("off")
    for ax, trace in zip(axes.flat, traces):
        grid = [[mean(cells.get((trace, x, y))) for x in xs] for y in ys]
        image = ax.imshow(grid, origin="lower", aspect="auto", cmap="viridis")
        ax.set_xticks(range(len(xs)))
        ax.set_xticklabels(xs, fontsize=7)
        ax.set_yticks(range(len(ys)))
        ax.set_yticklabels(ys, fontsize=7)
        ax.set_xlabel(knob_x, fontsize=8)
        ax.set_ylabel(knob_y, fontsize=8)
        ax.set_title(trace, fontsize=8)
        fig.colorbar(image, ax=ax)
    fig.suptitle("%s of %s (%s mode) over %s x %s, mean over other knobs and repetitions"
                 % (metric, label, mode, knob_x, knob_y), fontsize=9)
    return save(fig, out_dir, "heatmap_%s_%s-%s.png" % (safe_name(metric), safe_name(label), mode))


def mean(values):
    return sum(values) / len(values) if values else float("nan")


def save(fig, out_dir, name):
    fig.tight_layout()
    fig.savefig(os.path.join(out_dir, name), dpi=90)
    plt.close(fig)
    return name
