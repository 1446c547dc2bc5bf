#!/usr/bin/env python3
"""Plots of allocsim results, from a sweep directory or one metrics file.

    scripts/plot.py results/demo                 # a sweep: writes results/demo/plots/
    scripts/plot.py run.json -o run-plots        # one `allocsim replay -o` file
    scripts/plot.py DIR --heatmap queue_initial,queue_grow_step --metric peak_footprint_bytes

Writes PNGs and an index.html that shows them with the summary table:
  queues_<trace>.png      queue target over time per size class, grow (^) and reclaim (v) events marked
  memory_<trace>.png      live bytes, footprint and RSS over time, one line per policy
  fragmentation.png       fragmentation at peak footprint, per policy per trace
  peak_rss.png            peak RSS, per policy per trace
  heatmap_<metric>.png    a metric over two swept knobs, one panel per trace

Inputs are the files documented in docs/metrics.md and docs/reports.md. This file chooses
the runs; scripts/plot_figures.py draws. Needs python3 and matplotlib (Debian:
python3-matplotlib); nothing else.
"""
import argparse
import csv
import html
import json
import os
import sys
from collections import OrderedDict, defaultdict

try:
    import matplotlib  # noqa: F401  (plot_figures draws with it)
except ImportError as e:
    print("plot.py: needs matplotlib (Debian: apt-get install python3-matplotlib): %s" % e, file=sys.stderr)
    sys.exit(1)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from plot_figures import MIB, plot_bars, plot_heatmap, plot_memory, plot_queues  # noqa: E402


METRICS_SCHEMA = "allocsim-metrics/1"   # sim/metrics/metrics.hpp
PLAN_SCHEMA = "allocsim-sweep-plan/1"    # sim/sweep/plan_io.hpp


def fail(message):
    print("plot.py: " + message, file=sys.stderr)
    sys.exit(2)


def load_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        fail("%s: %s" % (path, e))


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
    plan = load_json(os.path.join(directory, "plan.json"))
    if not isinstance(plan, dict) or plan.get("schema") != PLAN_SCHEMA:
        fail("%s/plan.json: not the plan of an `allocsim sweep` directory (expected schema %s)" % (directory, PLAN_SCHEMA))
    summary = os.path.join(directory, "summary.csv")
    if not os.path.exists(summary):
        fail("%s: no summary.csv (run allocsim sweep first)" % directory)
    swept = plan.get("swept", [])
    runs = []
    with open(summary, newline="") as f:
        for row in csv.DictReader(f):
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
    return plan, swept, runs, summary


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


def series_per_policy(runs):
    """One representative run per (label, mode); virtual runs first: their clocks agree."""
    groups = OrderedDict()
    for r in runs:
        groups.setdefault((r.get("label"), r.get("mode")), []).append(r)
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


def swept_series(runs, knob_x, knob_y):
    """(label, mode) pairs whose runs the spec swept over both knobs."""
    return list(OrderedDict.fromkeys((r.get("label"), r.get("mode")) for r in runs
                                     if knob_x in r.knobs and knob_y in r.knobs))


def heatmap_knobs(runs, swept, requested):
    if requested:
        pair = requested.split(",")
        if len(pair) != 2 or not all(pair):
            fail("--heatmap takes two knobs: X,Y")
        return pair
    varied = [k for k in swept if len({r.knobs.get(k) for r in runs if k in r.knobs}) > 1]
    return varied[:2] if len(varied) >= 2 else None


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


def write_index(out_dir, title, description, images, table):
    figures = "\n".join('<figure><img src="%s" alt="%s"><figcaption>%s</figcaption></figure>'
                        % (html.escape(i), html.escape(i), html.escape(i)) for i in images)
    page = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>%s</title>
<style>body{font-family:sans-serif;margin:1.5em}img{max-width:100%%;border:1px solid #ccc}
table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:2px 5px;text-align:right}
th{background:#eee;position:sticky;top:0}figure{margin:1em 0}</style></head>
<body><h1>%s</h1><p>%s</p>
%s
<h2>Summary</h2>
%s
</body></html>
""" % (html.escape(title), html.escape(title), html.escape(description), figures, table)
    with open(os.path.join(out_dir, "index.html"), "w") as f:
        f.write(page)


def summary_table_for_file(run):
    s = run.metrics.get("summary") or {}
    rows = [(k, v) for k, v in s.items() if not isinstance(v, (dict, list))]
    for group in ("fragmentation", "collector_work"):
        rows += [("%s.%s" % (group, k), v) for k, v in (s.get(group) or {}).items()]
    body = "\n".join("<tr><th>%s</th><td>%s</td></tr>" % (html.escape(k), html.escape(str(v))) for k, v in rows)
    return "<table>%s</table>" % body


# ---------------------------------------------------------------- main

def plot_sweep(directory, out_dir, args):
    plan, swept, runs, summary = load_sweep(directory)
    check_sweep_choices(directory, swept, args)
    if not runs:
        fail("%s: no completed runs to plot" % directory)
    baseline = plan.get("spec", {}).get("baseline", "")
    # Overviews first, then each trace's time plots.
    images = [plot_bars(runs, out_dir, "fragmentation_jw3_at_peak_footprint", "fragmentation at peak footprint "
                        "(footprint / live - 1, Johnstone & Wilson measure 3)", 100, "%", "fragmentation.png"),
              plot_bars(runs, out_dir, "peak_rss_bytes", "peak RSS (simulated in virtual mode, measured "
                        "in threaded mode)", 1 / MIB, "MiB", "peak_rss.png")]
    pair = heatmap_knobs(runs, swept, args.heatmap)
    if pair:
        for label, mode in swept_series(runs, *pair):
            for metric in args.metric:
                images.append(plot_heatmap(runs, out_dir, pair[0], pair[1], metric, label, mode))
    for trace, trace_runs in by_trace(runs).items():
        shown = queue_run(trace_runs, baseline)
        if shown:
            images.append(plot_queues(shown, out_dir, trace))
        images.append(plot_memory(series_per_policy(trace_runs), out_dir, trace))
    description = plan.get("spec", {}).get("description", "") + "  Baseline: %s. Source: %s" % (baseline, directory)
    write_index(out_dir, "allocsim sweep: " + os.path.basename(os.path.abspath(directory)), description,
                [i for i in images if i], table_html(summary))


def plot_file(path, out_dir):
    run = run_from_file(path)
    trace = run.get("trace")
    images = [plot_queues(run, out_dir, trace), plot_memory([run], out_dir, trace)]
    write_index(out_dir, "allocsim run: " + os.path.basename(path), "%s, %s, %s mode" % (trace, run.get("label"), run.get("mode")),
                [i for i in images if i], summary_table_for_file(run))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("input", help="a sweep directory, or one metrics JSON file")
    parser.add_argument("-o", "--output", help="directory for the PNGs and index.html (default: DIR/plots, or FILE_plots)")
    parser.add_argument("--heatmap", help="two swept knobs X,Y (default: the first two the sweep varies)")
    parser.add_argument("--metric", action="append", help="summary.csv column for the heat maps (repeatable; "
                        "default: peak_footprint_bytes and fallback_rate)")
    args = parser.parse_args()
    if not os.path.isdir(args.input) and (args.metric or args.heatmap):
        fail("--metric and --heatmap apply to a sweep directory, not to one metrics file")
    args.metric = args.metric or ["peak_footprint_bytes", "fallback_rate"]
    is_dir = os.path.isdir(args.input)
    if not is_dir and not os.path.isfile(args.input):
        fail("%s: no such file or directory" % args.input)
    out_dir = args.output or (os.path.join(args.input, "plots") if is_dir else os.path.splitext(args.input)[0] + "_plots")
    os.makedirs(out_dir, exist_ok=True)
    if is_dir:
        plot_sweep(args.input, out_dir, args)
    else:
        plot_file(args.input, out_dir)
    print("plot.py: wrote %s" % os.path.join(out_dir, "index.html"))


if __name__ == "__main__":
    main()
