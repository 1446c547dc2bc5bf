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


def series(metrics, name, section="timeline"):
    """A timeline column: its interval maxima where the file has them (schema 2), else its sampled values."""
    t = metrics.get(section) or {}
    return t.get(name + "_max") or t.get(name)


# The memory plot's panels: title, and where each run's series comes from. Simulated and measured RSS
# are different figures (docs/metrics.md) and get panels of their own.
MEMORY_PANELS = (("live bytes", lambda m: series(m, "live_bytes")),
                 ("footprint", lambda m: series(m, "footprint_bytes")),
                 ("simulated RSS", lambda m: series(m, "sim_rss_bytes")),
                 ("measured RSS above the\nreplayer's own", lambda m: series(m, "measured_rss_bytes")))


def plot_memory(runs, out_dir, trace):
    drawn = [(title, get) for title, get in MEMORY_PANELS if any(get(r.metrics) for r in runs)]
    if not drawn:
        return None
    fig, axes = plt.subplots(len(drawn), 1, figsize=(10, 2.6 * len(drawn) + 1), sharex=True, squeeze=False)
    axes = [a[0] for a in axes]
    units = set()
    for run in runs:
        seconds, unit = time_axis(run.metrics)
        units.add(unit)
        for ax, (title, get) in zip(axes, drawn):
            values = get(run.metrics)
            if values and len(values) == len(seconds):
                ax.plot(seconds, [v / MIB for v in values], label=run.series_name(), linewidth=1)
    recorded = next(((time_axis(r.metrics)[0], (r.metrics.get("timeline") or {}).get("recorded_rss_bytes"))
                     for r in runs if (r.metrics.get("timeline") or {}).get("recorded_rss_bytes")), None)
    for ax, (title, _) in zip(axes, drawn):
        if recorded and "RSS" in title:
            xs = [x for x, v in zip(*recorded) if v is not None]
            ax.step(xs, [v / MIB for v in recorded[1] if v is not None], where="post", color="black",
                    linestyle="--", linewidth=1, label="recorded program RSS")
        ax.set_ylabel(title + " (MiB)", fontsize=8)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, ncol=3)
    axes[0].set_title("%s: memory over time per policy (the largest value in each sample's interval)" % trace, fontsize=9)
    axes[-1].set_xlabel(" / ".join(sorted(units)))
    return save(fig, out_dir, "memory_%s.png" % safe_name(trace))


def plot_bars(bars, out_dir, title, scale, ylabel, name):
    """bars: OrderedDict series legend -> OrderedDict trace -> (values, note); a bar is the mean of its
    values, with a whisker from their min to their max when there are several, and its note above it."""
    if not bars:
        return None
    traces = list(OrderedDict.fromkeys(t for per_trace in bars.values() for t in per_trace))
    fig, ax = plt.subplots(figsize=(min(20, max(8, 0.18 * len(traces) * len(bars) + 2)), 5))
    width = 0.8 / len(bars)
    positive = []
    for i, (legend, per_trace) in enumerate(bars.items()):
        xs, ys, low, high = [], [], [], []
        for t, trace in enumerate(traces):
            if trace not in per_trace:
                continue
            values, note = per_trace[trace]
            values = [v * scale for v in values]
            mean = sum(values) / len(values)
            xs.append(t + (i - (len(bars) - 1) / 2) * width)
            ys.append(mean)
            low.append(mean - min(values))
            high.append(max(values) - mean)
            positive += [v for v in values if v > 0]
            if note:
                ax.annotate(note, (xs[-1], max(values)), fontsize=5, rotation=90, ha="center", va="bottom",
                            xytext=(0, 2), textcoords="offset points")
        ax.bar(xs, ys, width, label=legend, yerr=[low, high] if any(low) or any(high) else None, capsize=2,
               error_kw={"linewidth": 0.8})
    if positive and max(positive) / min(positive) > 1000:  # tiny traces dwarf the rest otherwise
        ax.set_yscale("log")
        ylabel += " (log scale)"
    ax.set_xticks(range(len(traces)))
    ax.set_xticklabels(traces, rotation=30, ha="right", fontsize=7)
    ax.set_ylabel(ylabel)
    ax.set_title(title + "\nbars: mean over repetitions; whiskers: min to max", fontsize=9)
    ax.legend(fontsize=7, ncol=2)
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


def plot_frontier(points, out_dir, workload, traces):
    """points: list of (series, point label, [(queued bytes, fallback rate)] one per trace or repetition).
    x = time-averaged queued bytes, y = fallback rate; a marker per point at the mean, whiskers from min
    to max, the non-dominated points joined. Zero rates sit on a floor line of the log scale."""
    points = [p for p in points if p[2]]
    if not points:
        return None
    means = [(sum(x for x, _ in v) / len(v), sum(y for _, y in v) / len(v)) for _, _, v in points]
    xs_all = [x for _, _, v in points for x, _ in v]
    ys_all = [y for _, _, v in points for _, y in v]
    ys_positive = [y for y in ys_all if y > 0]
    log_y = bool(ys_positive) and (max(ys_positive) / min(ys_positive) > 10 or 0 in ys_all)
    floor = min(ys_positive) / 3 if ys_positive else 1e-6
    log_x = min(xs_all) > 0 and max(xs_all) / min(xs_all) > 10

    def shown(y):
        return y if y > 0 or not log_y else floor

    fig, ax = plt.subplots(figsize=(10, 6.5))
    colours, labelled = {}, set()
    cycle = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    markers = "osD^v<>pP*Xh"
    for (name, label, values), (mx, my) in zip(points, means):
        if name not in colours:
            colours[name] = (cycle[len(colours) % len(cycle)], markers[len(colours) % len(markers)])
        colour, marker = colours[name]
        xs, ys = [x for x, _ in values], [y for _, y in values]
        ax.errorbar([mx], [shown(my)], xerr=[[mx - min(xs)], [max(xs) - mx]],
                    yerr=[[shown(my) - shown(min(ys))], [shown(max(ys)) - shown(my)]],
                    fmt=marker, color=colour, markersize=6, capsize=2, linewidth=0.8,
                    label=None if name in labelled else name, markerfacecolor=colour if my > 0 else "none")
        labelled.add(name)
        if label:
            ax.annotate(label, (mx, shown(my)), fontsize=6, xytext=(4, 3), textcoords="offset points")
    front = pareto(means)
    if len(front) > 1:
        ax.step([means[i][0] for i in front], [shown(means[i][1]) for i in front], where="post", color="grey",
                linewidth=0.8, linestyle=":", label="frontier (no point has both less queued and fewer fallbacks)")
    if log_x:
        ax.set_xscale("log")
    if log_y:
        ax.set_yscale("log")
        if 0 in ys_all:
            ax.axhline(floor, color="grey", linewidth=0.5)
            ax.annotate("no fallbacks (drawn at %.2g)" % floor, (ax.get_xlim()[0], floor), fontsize=6,
                        xytext=(2, 2), textcoords="offset points")
    ax.set_xlabel("time-averaged bytes in ready queues (summary.queue_bytes_mean)%s" % (", log scale" if log_x else ""))
    ax.set_ylabel("fallback rate (fallbacks / size-class allocations)%s" % (", log scale" if log_y else ""))
    ax.set_title("%s: fallbacks against queued memory, one marker per policy and knob point\n"
                 "mean over %s; whiskers: min to max; hollow: no fallbacks" % (workload, traces), fontsize=9)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7)
    return save(fig, out_dir, "frontier_%s.png" % safe_name(workload))


def pareto(means):
    """Indices of the points no other point beats on both axes, by queued bytes."""
    order = sorted(range(len(means)), key=lambda i: (means[i][0], means[i][1]))
    front, best = [], float("inf")
    for i in order:
        if means[i][1] < best:
            front.append(i)
            best = means[i][1]
    return front


def mean(values):
    return sum(values) / len(values) if values else float("nan")


def save(fig, out_dir, name):
    fig.tight_layout()
    fig.savefig(os.path.join(out_dir, name), dpi=90)
    plt.close(fig)
    return name
