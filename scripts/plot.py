#!/usr/bin/env python3
"""Plots of allocsim results, from a sweep directory or one metrics file.

    scripts/plot.py results/demo                 # a sweep: writes results/demo/plots/
    scripts/plot.py run.json -o run-plots        # one `allocsim replay -o` file
    scripts/plot.py DIR --heatmap queue_initial,queue_grow_step --metric peak_footprint_bytes
    scripts/plot.py DIR --frontier               # adds the fallback/queued-memory frontiers

Writes PNGs and an index.html that shows them with the summary table:
  queues_<trace>.png      queue target over time per size class, grow (^) and reclaim (v) events marked
  memory_<trace>.png      live bytes, footprint and RSS over time (each interval's largest value), one line
                          per policy; simulated and measured RSS apart; the recorded program's RSS when the
                          trace carries it
  fragmentation.png       peak footprint / peak live bytes - 1 per policy per trace
  peak_rss_simulated.png  peak simulated RSS per policy per trace (virtual mode, core)
  peak_rss_measured.png   peak measured RSS above the replayer's own per policy per trace
  heatmap_<metric>.png    a metric over two swept knobs, one panel per trace
  frontier_<workload>.png with --frontier: fallback rate against time-averaged queued bytes, one marker
                          per policy and knob point; traces that differ only by a ".seedN" part of their
                          name are one workload; frontiers.csv holds the plotted numbers

Inputs are the files documented in docs/metrics.md and docs/reports.md. This file chooses
the runs; scripts/plot_figures.py draws. Needs python3 and matplotlib (Debian:
python3-matplotlib); nothing else. Bad arguments or inputs: a message and exit status 2;
no matplotlib: a message and exit status 1.
"""
import argparse
import csv
import html
import json
import os
import re
import sys
from collections import OrderedDict, defaultdict

try:
    import matplotlib  # noqa: F401  (plot_figures draws with it)
except ImportError as e:
    print("plot.py: needs matplotlib (Debian: apt-get install python3-matplotlib): %s" % e, file=sys.stderr)
    sys.exit(1)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

MIB = 1024.0 * 1024.0
FIGURES = None  # plot_figures, imported once the arguments are known good


METRICS_SCHEMA = "allocsim-metrics/2"   # sim/metrics/metrics.hpp
PLAN_SCHEMA = "allocsim-sweep-plan/1"    # sim/sweep/plan_io.hpp


def fail(message, status=2):
    print("plot.py: " + message, file=sys.stderr)
    sys.exit(status)


def import_figures():
    global FIGURES
    try:
        import plot_figures
    except ModuleNotFoundError as e:
        if (e.name or "").split(".")[0] != "matplotlib":
            raise
        fail("needs matplotlib, which %s cannot import (Debian: apt-get install python3-matplotlib; if another "
             "python3 comes first on PATH, run /usr/bin/python3 %s)" % (sys.executable, " ".join(sys.argv)), 1)
    FIGURES = plot_figures


def load_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except OSError as e:
        fail("%s: cannot read: %s" % (path, e.strerror))
    except ValueError as e:
        fail("%s: not JSON: %s" % (path, e))


# ---------------------------------------------------------------- inputs

class Run:
    """One completed run: its summary.csv row and, loaded on demand, its metrics."""

    def __init__(self, row, path, knobs, values):
        self.row = row
        self.path = path
        self.knobs = knobs    # knob -> value the spec set for this run (empty: the policy as it is)
        self.values = values  # every swept knob -> its value in this run, defaults included
        self._metrics = None

    @property
    def metrics(self):
        if self._metrics is None:
            self._metrics = load_json(self.path)
        return self._metrics

    def get(self, key):
        return self.row.get(key, "")

    def number(self, key):
        try:
            return float(self.row[key])
        except (KeyError, ValueError):
            return None

    def series_name(self):
        mode = self.get("mode")
        return self.get("label") + ("" if mode == "virtual" else " (%s)" % mode)


def load_sweep(directory):
    plan_path = os.path.join(directory, "plan.json")
    if not os.path.exists(plan_path):
        fail("%s: no such file: %s is not a sweep directory and not a metrics file" % (plan_path, directory))
    plan = load_json(plan_path)
    if not isinstance(plan, dict) or plan.get("schema") != PLAN_SCHEMA:
        fail("%s/plan.json: not the plan of an `allocsim sweep` directory (expected schema %s)" % (directory, PLAN_SCHEMA))
    summary = os.path.join(directory, "summary.csv")
    if not os.path.exists(summary):
        fail("%s: no summary.csv (run allocsim sweep first)" % directory)
    swept = plan.get("swept", [])
    runs = []
    with open(summary, newline="") as f:
        reader = csv.DictReader(f)
        columns = reader.fieldnames or []
        for row in reader:
            if row["status"] != "done":
                continue
            knobs = OrderedDict(kv.split("=", 1) for kv in row.get("knobs", "").split())
            values = OrderedDict((k, row[k]) for k in swept if row.get(k, ""))
            runs.append(Run(row, os.path.join(directory, "runs", row["id"] + ".json"), knobs, values))
    # A knob set to one value on every run ("set" in the spec) makes no variant.
    values, counts = defaultdict(set), defaultdict(int)
    for r in runs:
        for k, v in r.knobs.items():
            values[k].add(v)
            counts[k] += 1
    constant = {k for k in values if len(values[k]) == 1 and counts[k] == len(runs)}
    for r in runs:
        r.knobs = OrderedDict((k, v) for k, v in r.knobs.items() if k not in constant)
    return plan, swept, runs, summary, columns


def load_metrics(path):
    m = load_json(path)
    schema = m.get("schema") if isinstance(m, dict) else None
    if schema != METRICS_SCHEMA:
        fail("%s: not a metrics file of `allocsim replay -o` (schema %s; expected %s)"
             % (path, json.dumps(schema), METRICS_SCHEMA))
    return m


def check_sweep_choices(directory, swept, args):
    """--metric names summary.csv columns and --heatmap two swept knobs; say so up front."""
    with open(os.path.join(directory, "summary.csv"), newline="") as f:
        columns = next(csv.reader(f), [])
    for metric in args.metric:
        if metric not in columns:
            fail("--metric %s: not a column of %s/summary.csv (numeric columns are listed in docs/reports.md)"
                 % (metric, directory))
    if args.heatmap:
        for knob in args.heatmap.split(","):
            if knob and knob not in swept:
                fail("--heatmap %s: %s is not a knob this sweep varies (it varies: %s)"
                     % (args.heatmap, knob, ", ".join(swept) or "none"))


def run_from_file(path):
    m = load_metrics(path)
    r = m.get("run", {})
    label = r.get("policy") or (r.get("allocator") or {}).get("name", "run")
    row = {"id": os.path.basename(path), "status": "done", "trace": os.path.basename(r.get("trace", "trace")),
           "label": label, "mode": r.get("mode", ""), "backend": r.get("backend", "")}
    run = Run(row, path, OrderedDict(), OrderedDict())
    run._metrics = m
    return run


# ---------------------------------------------------------------- which runs a figure shows

def representative(runs):
    """The run that stands for a policy in time plots: fewest knobs set, then repetition 0."""
    return min(runs, key=lambda r: (len(r.knobs), r.get("repetition") or "0", r.get("id")))


def by_trace(runs):
    out = OrderedDict()
    for r in runs:
        out.setdefault(r.get("trace"), []).append(r)
    return out


def by_series(runs):
    groups = OrderedDict()
    for r in runs:
        groups.setdefault((r.get("label"), r.get("mode")), []).append(r)
    return groups


def series_per_policy(runs):
    """One representative run per (label, mode); virtual runs first: their clocks agree."""
    groups = by_series(runs)
    virtual = [representative(g) for (label, mode), g in groups.items() if mode == "virtual"]
    return virtual or [representative(g) for g in groups.values()]


def queue_run(runs, baseline):
    """The run whose queues a trace's queue plot shows: the baseline policy's when its
    queues move at all, else the policy whose queues move most (virtual mode preferred)."""
    core = [r for r in runs if r.get("backend") == "core"]
    core = [r for r in core if r.get("mode") == "virtual"] or core
    if not core:
        return None
    per_label = OrderedDict()
    for r in core:
        per_label.setdefault(r.get("label"), []).append(r)
    candidates = [representative(g) for g in per_label.values()]

    def activity(r):
        return sum(r.number(k) or 0 for k in ("queue_grow_events", "queue_reclaim_events"))
    return max(candidates, key=lambda r: (r.get("label") == baseline and activity(r) > 0, activity(r)))


def setting(r):
    return " ".join("%s=%s" % kv for kv in r.knobs.items())


def bar_values(runs, policy_values, metric):
    """What the bar charts show of each policy (label and mode): its runs without knob settings.
    A policy that the sweep only ran at grid points is shown at its default point (its own value of
    every knob the point sets), or, where the grid has no such point, at its best point for this
    metric on each trace, labelled with the setting. Returns legend -> trace -> (values, note)."""
    out = OrderedDict()
    for (label, mode), rs in by_series(runs).items():
        name = rs[0].series_name()
        chosen, legend, best = [r for r in rs if not r.knobs], name, False
        if not chosen:
            own = policy_values.get(label) or {}
            chosen = [r for r in rs if own and all(r.values.get(k) == own.get(k) for k in r.knobs)]
            legend = name + " (its default point)"
        if not chosen:
            chosen, best = rs, True
            legend = "%s (its best of %d points)" % (name, len({setting(r) for r in rs}))
        per_trace = OrderedDict()
        for trace, trs in by_trace(chosen).items():
            points = OrderedDict()
            for r in trs:
                v = r.number(metric)
                if v is not None:
                    points.setdefault(setting(r), []).append(v)
            if not points:
                continue
            if best:
                point = min(points, key=lambda p: sum(points[p]) / len(points[p]))
                per_trace[trace] = (points[point], point)
            else:
                per_trace[trace] = ([v for vs in points.values() for v in vs], "")
        if per_trace:
            out[legend] = per_trace
    return out


def swept_series(runs, knob_x, knob_y):
    """(label, mode) pairs whose runs the spec swept over both knobs."""
    return list(OrderedDict.fromkeys((r.get("label"), r.get("mode")) for r in runs
                                     if knob_x in r.knobs and knob_y in r.knobs))


def heatmap_knobs(runs, swept, requested):
    if requested:
        pair = requested.split(",")
        if len(pair) != 2 or not all(pair):
            fail("--heatmap %r: expected two knobs, X,Y" % requested)
        for k in pair:
            if k not in swept:
                fail("--heatmap: '%s' is not a knob this sweep sets (it sets: %s)" % (k, ", ".join(swept) or "none"))
        return pair
    varied = [k for k in swept if len({r.knobs.get(k) for r in runs if k in r.knobs}) > 1]
    return varied[:2] if len(varied) >= 2 else None


def workload(trace):
    """Traces that differ only by a ".seedN" part of their name are one workload."""
    return re.sub(r"\.seed\d+", "", os.path.basename(trace))


def short_value(knob, value):
    try:
        n = float(value)
    except ValueError:
        return value
    if knob.endswith("_ns") and n >= 1000:
        for unit, scale in (("s", 1e9), ("ms", 1e6), ("us", 1e3)):
            if n >= scale:
                return "%g%s" % (n / scale, unit)
    return value


def point_label(r):
    """The point's knob settings; for the adaptive queue's hold knobs also the hold they make: how long
    a queue keeps a length it no longer uses, adapt_interval_ns x (reclaim_after + 1) (docs/allocator.md)."""
    label = " ".join("%s=%s" % (k, short_value(k, v)) for k, v in r.knobs.items())
    interval, after = r.values.get("adapt_interval_ns"), r.values.get("reclaim_after")
    if ("adapt_interval_ns" in r.knobs or "reclaim_after" in r.knobs) and interval and after:
        try:
            label += " (hold %s)" % short_value("_ns", str(float(interval) * (float(after) + 1)))
        except ValueError:
            pass
    return label


def frontier_points(runs):
    """Per workload: (series, point label, [(queue_bytes_mean, fallback_rate)]) for every core variant."""
    out = OrderedDict()
    for r in runs:
        x, y = r.number("queue_bytes_mean"), r.number("fallback_rate")
        if r.get("backend") != "core" or x is None or y is None:
            continue
        key = (r.series_name(), point_label(r))
        out.setdefault(workload(r.get("trace")), OrderedDict()).setdefault(key, []).append((x, y))
    return OrderedDict((w, [(name, label, values) for (name, label), values in points.items()]) for w, points in out.items())


def write_frontier_csv(per_workload, path):
    """The frontier plots' numbers: one row per workload and point, means and spreads over its traces
    and repetitions, and whether the point is on the frontier (no other point of the workload has both
    less queued memory and fewer fallbacks)."""
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["workload", "policy", "point", "runs", "queue_bytes_mean", "queue_bytes_mean_min",
                    "queue_bytes_mean_max", "fallback_rate", "fallback_rate_min", "fallback_rate_max", "on_frontier"])
        for workload_name, points in per_workload.items():
            means = [(sum(x for x, _ in v) / len(v), sum(y for _, y in v) / len(v)) for _, _, v in points]
            front = set(FIGURES.pareto(means))
            for i, ((name, label, values), (mx, my)) in enumerate(zip(points, means)):
                xs, ys = [x for x, _ in values], [y for _, y in values]
                w.writerow([workload_name, name, label, len(values), "%.0f" % mx, "%.0f" % min(xs), "%.0f" % max(xs),
                            "%.6g" % my, "%.6g" % min(ys), "%.6g" % max(ys), "yes" if i in front else "no"])


# ---------------------------------------------------------------- index.html

def table_html(path, limit=2000):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    if not rows:
        return ""
    head = "".join("<th>%s</th>" % html.escape(h) for h in rows[0])
    body = "\n".join("<tr>%s</tr>" % "".join("<td>%s</td>" % html.escape(c) for c in r) for r in rows[1:limit + 1])
    more = "<p>%d more rows in %s</p>" % (len(rows) - 1 - limit, html.escape(path)) if len(rows) - 1 > limit else ""
    return "<table>\n<tr>%s</tr>\n%s\n</table>%s" % (head, body, more)


def write_index(out_dir, title, description, images, table, name="index.html"):
    """images: PNG names, or (name, caption) pairs."""
    pairs = [i if isinstance(i, tuple) else (i, i) for i in images]
    figures = "\n".join('<figure><img src="%s" alt="%s"><figcaption>%s</figcaption></figure>'
                        % (html.escape(i), html.escape(i), html.escape(c)) for i, c in pairs)
    page = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>%s</title>
<style>body{font-family:sans-serif;margin:1.5em}img{max-width:100%%;border:1px solid #ccc}
table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:2px 5px;text-align:right}
th{background:#eee;position:sticky;top:0}figure{margin:1em 0}</style></head>
<body><h1>%s</h1><p>%s</p>
%s
%s
</body></html>
""" % (html.escape(title), html.escape(title), html.escape(description), figures,
       "<h2>Summary</h2>\n" + table if table else "")
    with open(os.path.join(out_dir, name), "w") as f:
        f.write(page)


def summary_table_for_file(run):
    s = run.metrics.get("summary") or {}
    rows = [(k, v) for k, v in s.items() if not isinstance(v, (dict, list))]
    for group in ("fragmentation", "collector_work"):
        rows += [("%s.%s" % (group, k), v) for k, v in (s.get(group) or {}).items()]
    body = "\n".join("<tr><th>%s</th><td>%s</td></tr>" % (html.escape(k), html.escape(str(v))) for k, v in rows)
    return "<table>%s</table>" % body


# ---------------------------------------------------------------- main

BARS = (("fragmentation_jw4_peak_over_peak", "fragmentation: peak footprint / peak live bytes - 1 (Johnstone & Wilson "
         "measure 4)", 100, "%", "fragmentation.png"),
        ("peak_rss_simulated_bytes", "peak RSS, simulated (virtual mode, core)", 1 / MIB, "MiB",
         "peak_rss_simulated.png"),
        ("peak_rss_measured_bytes", "peak RSS, measured: the process above its RSS just before the first event "
         "(threaded mode, system allocators)", 1 / MIB, "MiB", "peak_rss_measured.png"))


def plot_sweep(directory, out_dir, args):
    plan, swept, runs, summary, columns = load_sweep(directory)
    check_sweep_choices(directory, swept, args)
    if not runs:
        fail("%s: no completed runs to plot" % directory)
    numeric_columns = [c for c in columns if any(r.number(c) is not None for r in runs)]
    for metric in args.metric:
        if metric not in columns:
            fail("--metric %s: not a column of %s (numeric ones: %s)" % (metric, summary, ", ".join(numeric_columns)))
    pair = heatmap_knobs(runs, swept, args.heatmap)
    import_figures()
    os.makedirs(out_dir, exist_ok=True)
    baseline = plan.get("spec", {}).get("baseline", "")
    # Overviews first, then each trace's time plots.
    images = []
    for metric, title, scale, unit, name in BARS:
        bars = bar_values(runs, plan.get("policy_values") or {}, metric)
        if FIGURES.plot_bars(bars, out_dir, title, scale, unit, name):
            images.append((name, "%s: %s" % (name, "; ".join(bars))))  # which point each policy is shown at
    frontiers = []
    if args.frontier:
        for w, points in frontier_points(runs).items():
            traces = sorted({os.path.basename(r.get("trace")) for r in runs if workload(r.get("trace")) == w})
            frontiers.append(FIGURES.plot_frontier(points, out_dir, w, "%d trace(s): %s" % (len(traces), ", ".join(traces))))
        frontiers = [f for f in frontiers if f]
        write_frontier_csv(frontier_points(runs), os.path.join(out_dir, "frontiers.csv"))
        write_index(out_dir, "fallbacks against queued memory", "One frontier per workload. Source: %s" % directory,
                    frontiers, "", "frontiers.html")
    if pair:
        for label, mode in swept_series(runs, *pair):
            for metric in args.metric:
                images.append(FIGURES.plot_heatmap(runs, out_dir, pair[0], pair[1], metric, label, mode))
    for trace, trace_runs in by_trace(runs).items():
        shown = queue_run(trace_runs, baseline)
        if shown:
            images.append(FIGURES.plot_queues(shown, out_dir, trace))
        images.append(FIGURES.plot_memory(series_per_policy(trace_runs), out_dir, trace))
    description = plan.get("spec", {}).get("description", "") + "  Baseline: %s. Source: %s" % (baseline, directory)
    write_index(out_dir, "allocsim sweep: " + os.path.basename(os.path.abspath(directory)), description,
                frontiers + [i for i in images if i], table_html(summary))


def plot_file(path, out_dir, args):
    if args.heatmap or args.metric_given or args.frontier:
        fail("--heatmap, --metric and --frontier need a sweep directory, not one metrics file (%s)" % path)
    run = run_from_file(path)
    import_figures()
    os.makedirs(out_dir, exist_ok=True)
    trace = run.get("trace")
    images = [FIGURES.plot_queues(run, out_dir, trace), FIGURES.plot_memory([run], out_dir, trace)]
    write_index(out_dir, "allocsim run: " + os.path.basename(path), "%s, %s, %s mode" % (trace, run.get("label"), run.get("mode")),
                [i for i in images if i], summary_table_for_file(run))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("input", help="a sweep directory, or one metrics JSON file")
    parser.add_argument("-o", "--output", help="directory for the PNGs and index.html (default: DIR/plots, or FILE_plots)")
    parser.add_argument("--heatmap", help="two swept knobs X,Y (default: the first two the sweep varies)")
    parser.add_argument("--metric", action="append", help="summary.csv column for the heat maps (repeatable; "
                        "default: peak_footprint_bytes and fallback_rate)")
    parser.add_argument("--frontier", action="store_true", help="also plot fallback rate against time-averaged "
                        "queued bytes, one PNG per workload, with frontiers.html")
    args = parser.parse_args()
    args.metric_given = bool(args.metric)
    if not os.path.isdir(args.input) and (args.metric or args.heatmap):
        fail("--metric and --heatmap apply to a sweep directory, not to one metrics file")
    args.metric = args.metric or ["peak_footprint_bytes", "fallback_rate"]
    is_dir = os.path.isdir(args.input)
    if not is_dir and not os.path.isfile(args.input):
        fail("%s: no such file or directory" % args.input)
    out_dir = args.output or (os.path.join(args.input, "plots") if is_dir else os.path.splitext(args.input)[0] + "_plots")
    if is_dir:
        plot_sweep(args.input, out_dir, args)
    else:
        plot_file(args.input, out_dir, args)
    print("plot.py: wrote %s" % os.path.join(out_dir, "index.html"))


if __name__ == "__main__":
    main()
