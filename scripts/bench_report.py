#!/usr/bin/env python3
"""Summarises a run of scripts/bench.sh (bench_run.py's output).

Replays: the comparison that `allocsim sweep` wrote into replays/report.json
(the JSON of `allocsim compare` against the first core policy,
docs/reports.md): per trace and configuration, the means over the
repetitions of throughput, p99 latency and peak RSS. Programs (runs.csv):
the median, min and max over repetitions of the wall time, the CPU time and
the peak RSS. Ratios are core / peer, below 1 the core is better (replays:
wall time, i.e. the peer's ops/s over the core's, and peak RSS; programs:
medians). Targets:
  replays   core:adaptive wall <= system:mimalloc wall,
            core:adaptive peak RSS <= the lowest peer's peak RSS;
  programs  core wall and peak RSS <= glibc's.
Writes summary.csv and summary.json into the run directory and prints the
tables.
"""
import argparse
import csv
import json
import statistics
from collections import defaultdict
from pathlib import Path

import peers

PEERS = peers.NAMES
MIB = 1024.0 * 1024.0
REPLAY_METRICS = {"ops_per_second": "throughput_ops_per_second", "latency_p99_ns": "latency_p99_ns",
                  "peak_rss_bytes": "peak_rss_bytes"}


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("run_dir", help="directory holding runs.csv, meta.json and replays/")
    return p.parse_args()


def replay_summary(run_dir):
    """One entry per trace and configuration of the sweep's comparison."""
    report = run_dir / "replays" / "report.json"
    if not report.exists():
        return []
    names_file = run_dir / "replay_workloads.json"
    names = json.loads(names_file.read_text()) if names_file.exists() else {}
    comparison = json.loads(report.read_text()).get("comparison") or {"traces": []}
    out = []
    for trace in comparison["traces"]:
        for row in trace["rows"]:
            core = row["backend"] == "core"
            entry = {"kind": "replay", "workload": names.get(trace["trace"], trace["trace"]),
                     "config": f"{row['backend']}:{row['label']}", "allocator": "allocsim-core" if core else row["label"],
                     "runs": row["runs"] + row["failed"], "failed": row["failed"]}
            if row["runs"]:
                for key, metric in REPLAY_METRICS.items():
                    entry[key] = (row["metrics"].get(metric) or {}).get("value")
            out.append(entry)
    return out


def spread(values):
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def summarise(rows):
    """Programs (runs.csv; scripts/bench_stress.py too): one entry per workload and configuration."""
    groups = defaultdict(list)
    for r in rows:
        groups[(r["workload"], r["config"])].append(r)
    out = []
    for (workload, config), runs in groups.items():
        good = [r for r in runs if r["output_ok"] == "1"]
        entry = {"kind": "program", "workload": workload, "config": config, "allocator": runs[0]["allocator"],
                 "runs": len(runs), "failed": len(runs) - len(good)}
        if good:
            for key in ("wall_s", "cpu_s", "peak_rss_bytes"):
                entry[key] = spread([float(r[key]) for r in good])
        out.append(entry)
    return out


def measured(summary):
    """The entries with at least one completed run, by (kind, workload, config)."""
    return {(s["kind"], s["workload"], s["config"]): s for s in summary if s["runs"] > s["failed"]}


def median(s, key):
    v = s.get(key)
    return v["median"] if isinstance(v, dict) else v


def core_over_peer(kind, core, peer):
    """wall and peak RSS ratios, core / peer; None where a side is missing or 0."""
    div = lambda a, b: a / b if a is not None and b else None
    if kind == "replay":
        return {"wall_s": div(peer.get("ops_per_second"), core.get("ops_per_second")),
                "peak_rss_bytes": div(core.get("peak_rss_bytes"), peer.get("peak_rss_bytes"))}
    return {m: div(median(core, m), median(peer, m)) for m in ("wall_s", "cpu_s", "peak_rss_bytes")}


def peer_config(kind, peer):
    return f"system:{peer}" if kind == "replay" else peer


def ratios(summary):
    by_key = measured(summary)
    out = []
    for (kind, workload, config), s in by_key.items():
        if not config.startswith("core"):
            continue
        for peer in PEERS:
            p = by_key.get((kind, workload, peer_config(kind, peer)))
            if p:
                out.append({"kind": kind, "workload": workload, "core": config, "peer": peer,
                            **core_over_peer(kind, s, p)})
    return out


def targets(ratio_rows):
    out = []
    for r in ratio_rows:
        if r["core"] not in ("core:adaptive", "core"):
            continue
        if r["kind"] == "replay" and r["peer"] == "mimalloc":
            out.append({**r, "target": "wall <= mimalloc", "ratio": r["wall_s"]})
        if r["kind"] == "program" and r["peer"] == "glibc":
            out.append({**r, "target": "wall <= glibc", "ratio": r["wall_s"]})
            out.append({**r, "target": "peak RSS <= glibc", "ratio": r["peak_rss_bytes"]})
    # Replays: peak RSS against the lowest of the peers.
    lowest = {}
    for r in ratio_rows:
        if r["kind"] == "replay" and r["core"] == "core:adaptive" and r["peak_rss_bytes"] is not None:
            key = r["workload"]
            lowest[key] = max(lowest.get(key, 0), r["peak_rss_bytes"])  # the largest ratio is against the lowest peer
    for workload, ratio in sorted(lowest.items()):
        out.append({"kind": "replay", "workload": workload, "core": "core:adaptive", "target": "peak RSS <= lowest peer",
                    "ratio": ratio})
    out = [{k: t[k] for k in ("kind", "workload", "core", "target", "ratio")} for t in out if t["ratio"] is not None]
    for t in out:
        t["met"] = t["ratio"] <= 1
    return sorted(out, key=lambda t: (t["kind"], t["workload"], t["target"]))


def fmt_spread(s, scale, digits):
    return f"{s['median'] * scale:.{digits}f} [{s['min'] * scale:.{digits}f}-{s['max'] * scale:.{digits}f}]"


def fmt(v, scale, digits):
    return f"{v * scale:.{digits}f}" if v is not None else "-"


def print_rows(kind, rows):
    last = None
    for s in rows:
        name = s["workload"] if s["workload"] != last else ""
        last = s["workload"]
        if s["runs"] == s["failed"]:
            print(f"{name:<24}{s['config']:<20}  all {s['runs']} runs failed")
            continue
        bad = f"  ({s['failed']} failed)" if s["failed"] else ""
        if kind == "replay":
            print(f"{name:<24}{s['config']:<20}{fmt(s['ops_per_second'], 1e-3, 1):>16}"
                  f"{fmt(s['latency_p99_ns'], 1e-3, 2):>16}{fmt(s['peak_rss_bytes'], 1 / MIB, 1):>16}{bad}")
        else:
            print(f"{name:<24}{s['config']:<20}{fmt_spread(s['wall_s'], 1e3, 1):>24}{fmt_spread(s['cpu_s'], 1e3, 1):>24}"
                  f"{fmt_spread(s['peak_rss_bytes'], 1 / MIB, 1):>24}{bad}")


def print_tables(summary, ratio_rows, target_rows, meta):
    for kind, title, header in (
            ("replay", "Threaded replays (allocsim sweep): mean of {reps} runs",
             f"{'k ops/s':>16}{'p99 us':>16}{'peak RSS MiB':>16}"),
            ("program", "Real programs: median [min-max] of {reps} runs",
             f"{'wall ms':>24}{'cpu ms':>24}{'peak RSS MiB':>24}")):
        rows = sorted((s for s in summary if s["kind"] == kind), key=lambda s: (s["workload"], s["config"]))
        if not rows:
            continue
        print("\n" + title.format(reps=max(s["runs"] for s in rows)))
        print(f"{'workload':<24}{'config':<20}" + header)
        print_rows(kind, rows)
        core = "core:adaptive" if kind == "replay" else "core"
        columns = "wall | peak RSS" if kind == "replay" else "wall | cpu | peak RSS"
        print(f"\n{core} / peer (below 1: the core is better)   {columns}")
        print(f"{'workload':<24}" + "".join(f"{p:>24}" for p in PEERS))
        for workload in sorted({r["workload"] for r in ratio_rows if r["kind"] == kind}):
            cells = []
            for peer in PEERS:
                r = next((r for r in ratio_rows if r["kind"] == kind and r["workload"] == workload
                          and r["core"] == core and r["peer"] == peer), None)
                keys = ("wall_s", "peak_rss_bytes") if kind == "replay" else ("wall_s", "cpu_s", "peak_rss_bytes")
                cells.append(" | ".join(fmt(r[k], 1, 2) for k in keys) if r else "-")
            print(f"{workload:<24}" + "".join(f"{c:>24}" for c in cells))
    met = sum(t["met"] for t in target_rows)
    print(f"\nTargets met: {met} of {len(target_rows)}")
    for t in target_rows:
        if not t["met"]:
            print(f"  missed: {t['kind']} {t['workload']}: {t['target']} (x{t['ratio']:.2f})")
    print("\nAllocators: " + ", ".join(f"{k} {v}" for k, v in meta.get("versions", {}).items()))


def write_csv(path, summary):
    fields = ["kind", "workload", "config", "allocator", "runs", "failed"]
    spreads = ["wall_s", "cpu_s", "peak_rss_bytes"]
    means = list(REPLAY_METRICS)
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(fields + [f"{m}_{s}" for m in spreads for s in ("median", "min", "max")] + [f"{m}_mean" for m in means])
        for s in summary:
            program = s["kind"] == "program"
            w.writerow([s[k] for k in fields] +
                       [s[m][x] if program and m in s else "" for m in spreads for x in ("median", "min", "max")] +
                       [s.get(m, "") if not program and s.get(m) is not None else "" for m in means])


def main():
    args = parse_args()
    run_dir = Path(args.run_dir)
    rows = []
    if (run_dir / "runs.csv").exists():
        with open(run_dir / "runs.csv") as f:
            rows = list(csv.DictReader(f))
    meta = json.loads((run_dir / "meta.json").read_text()) if (run_dir / "meta.json").exists() else {}
    summary = replay_summary(run_dir) + summarise(rows)
    ratio_rows = ratios(summary)
    target_rows = targets(ratio_rows)
    write_csv(run_dir / "summary.csv", summary)
    doc = {"schema": "allocsim-bench/2", **meta, "results": summary, "ratios": ratio_rows, "targets": target_rows}
    (run_dir / "summary.json").write_text(json.dumps(doc, indent=1) + "\n")
    print_tables(summary, ratio_rows, target_rows, meta)
    print(f"\nbench: {run_dir}/summary.json, summary.csv, runs.csv, replays/ (the sweep)")


if __name__ == "__main__":
    main()
