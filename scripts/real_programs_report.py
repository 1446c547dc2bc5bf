#!/usr/bin/env python3
"""Markdown tables of a run of scripts/real_programs.sh (bench_stress.py's
summary.json, runs.csv and stats/): the goal check of one policy against
glibc, wall time and peak RSS of every allocator as ratios to glibc, and the
core's footprint breakdown at its peak under the policies that explain it.

  real_programs_report.py RUN_DIR [--goal-policy bounded] [--breakdown adaptive,bounded]

Prints the markdown; scripts/real_programs.sh puts it into docs/real-programs.md.
For a program that runs for a fixed time and reports its own throughput
(rate), "wall" is time per operation: glibc's rate over the allocator's.
"""
import argparse
import csv
import json
from pathlib import Path

MIB = 1 << 20
GOAL_RSS, GOAL_WALL = 2.0, 1.2
PARTS = ["in_use", "thread_caches", "ready_queues", "merge_sets", "unmerged_garbage", "fresh_tails",
         "large_mappings", "metadata"]


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("run_dir")
    p.add_argument("--goal-policy", default="bounded")
    p.add_argument("--breakdown", default="adaptive,bounded", help="policies whose footprint breakdown is shown")
    return p.parse_args()


def time_ratio(r, s, g):
    """Lower is better: wall ratio, or for a throughput program glibc's rate over this one's."""
    if "rate" in s and "rate" in g and s["rate"]["median"]:
        return g["rate"]["median"] / s["rate"]["median"], True
    return r.get("wall_s"), False


def fmt(x, mark=""):
    return "-" if x is None else f"{x:.2f}{mark}"


class Run:
    def __init__(self, run_dir):
        self.dir = Path(run_dir).resolve()
        doc = json.loads((self.dir / "summary.json").read_text())
        self.meta = doc
        self.results = {(s["workload"], s["config"]): s for s in doc["results"] if "wall_s" in s}
        self.ratios = {(r["workload"], r["config"]): r for r in doc["ratios_to_glibc"]}
        self.failures = doc["failures"]
        self.workloads = list(dict.fromkeys(s["workload"] for s in doc["results"]))
        configs = list(dict.fromkeys(s["config"] for s in doc["results"]))
        self.peers = [c for c in configs if not c.startswith("core:") and c != "glibc"]
        self.policies = [c for c in configs if c.startswith("core:")]
        with open(self.dir / "runs.csv") as f:
            self.rows = list(csv.DictReader(f))

    def ratio(self, workload, config):
        s, g = self.results.get((workload, config)), self.results.get((workload, "glibc"))
        r = self.ratios.get((workload, config))
        if not (s and g and r):
            return None, None, False
        t, is_rate = time_ratio(r, s, g)
        return t, r.get("peak_rss_bytes"), is_rate

    def median_stats(self, workload, policy):
        """The stats file of the good run with the median peak RSS."""
        good = sorted((r for r in self.rows if r["workload"] == workload and r["config"] == f"core:{policy}"
                       and r["output_ok"] == "1"), key=lambda r: int(r["peak_rss_bytes"]))
        if not good:
            return None
        path = self.dir / "stats" / workload / f"{policy}-{good[len(good) // 2]['rep']}.json"
        try:
            return json.loads(path.read_text())
        except (OSError, ValueError):
            return None


def goal_table(run, policy):
    config = f"core:{policy}"
    out = [f"| program | glibc wall s | glibc peak RSS MiB | {policy} wall x glibc | {policy} RSS x glibc | goal |",
           "|---|---:|---:|---:|---:|---|"]
    for w in run.workloads:
        g = run.results.get((w, "glibc"))
        t, rss, is_rate = run.ratio(w, config)
        if not g or t is None:
            out.append(f"| {w} | - | - | - | - | no figures (failed runs below) |")
            continue
        met = rss <= GOAL_RSS and t <= GOAL_WALL
        misses = [m for m, bad in (("RSS", rss > GOAL_RSS), ("wall", t > GOAL_WALL)) if bad]
        out.append(f"| {w} | {g['wall_s']['median']:.2f} | {g['peak_rss_bytes']['median'] / MIB:.1f} | "
                   f"{fmt(t, ' (rate)' if is_rate else '')} | {fmt(rss)} | {'met' if met else 'missed: ' + ', '.join(misses)} |")
    return out


def matrix(run, which):
    configs = run.peers + run.policies
    names = [c.split(":", 1)[-1] for c in configs]
    out = ["| program | " + " | ".join(names) + " |", "|---|" + "---:|" * len(configs)]
    for w in run.workloads:
        cells = []
        for c in configs:
            t, rss, is_rate = run.ratio(w, c)
            cells.append(fmt(t, "*" if is_rate else "") if which == "wall" else fmt(rss))
        out.append(f"| {w} | " + " | ".join(cells) + " |")
    return out


def breakdown_table(run, policies):
    out = ["| program | policy | mapped | " + " | ".join(p.replace("_", " ") for p in PARTS) + " |",
           "|---|---|---:|" + "---:|" * len(PARTS)]
    for w in run.workloads:
        for p in policies:
            doc = run.median_stats(w, p)
            peak = (doc or {}).get("footprint", {}).get("at_peak")
            if not peak:
                continue
            cells = [f"{peak.get(k, 0) / MIB:.2f}" for k in ["mapped"] + PARTS]
            out.append(f"| {w} | {p} | " + " | ".join(cells) + " |")
    return out


def main():
    args = parse_args()
    run = Run(args.run_dir)
    settings = run.meta.get("settings", {})
    reps = max((int(r["rep"]) for r in run.rows), default=-1) + 1
    lines = [f"Run `{run.dir.name}`: {reps} interleaved repetitions, medians; "
             f"machine {run.meta.get('machine', {})}; allocators "
             + ", ".join(f"{k} {v}" for k, v in run.meta.get("versions", {}).items()) + ".",
             f"External programs: `{settings.get('external') or 'none'}`.", "",
             f"### Goal check: {args.goal_policy} against glibc (RSS at most {GOAL_RSS:g}x, wall at most {GOAL_WALL:g}x)",
             ""]
    lines += goal_table(run, args.goal_policy)
    lines += ["", "### Wall time x glibc (* = time per operation: glibc's own throughput figure over this one's)", ""]
    lines += matrix(run, "wall")
    lines += ["", "### Peak RSS x glibc", ""]
    lines += matrix(run, "rss")
    policies = [p for p in args.breakdown.split(",") if p]
    lines += ["", f"### The core's footprint at its peak, MiB ({', '.join(policies)}; the run with the median RSS)", ""]
    lines += breakdown_table(run, policies)
    if run.failures:
        lines += ["", "### Failed runs", ""]
        lines += [f"- {f['workload']} under {f['config']} (rep {f['rep']}): {f['note']}" for f in run.failures]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
