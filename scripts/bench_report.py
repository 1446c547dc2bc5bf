#!/usr/bin/env python3
"""Summarises the runs of scripts/bench.sh (runs.csv of bench_run.py).

Per workload and configuration: the median, min and max over repetitions
of the wall time (replays: the replay phase, from the metrics file;
programs: the process), the CPU time and the peak RSS. Ratios compare
medians: core / peer, below 1 the core is better. Targets:
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

import peers
from pathlib import Path

PEERS = peers.NAMES
MIB = 1024.0 * 1024.0


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("run_dir", help="directory holding runs.csv and meta.json")
    return p.parse_args()


def spread(values):
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def summarise(rows):
    groups = defaultdict(list)
    for r in rows:
        groups[(r["kind"], r["workload"], r["config"])].append(r)
    out = []
    for (kind, workload, config), runs in groups.items():
        good = [r for r in runs if r["output_ok"] == "1"]
        entry = {"kind": kind, "workload": workload, "config": config, "allocator": runs[0]["allocator"],
                 "runs": len(runs), "failed": len(runs) - len(good)}
        if good:
            wall_key = "replay_wall_s" if kind == "replay" else "wall_s"
            entry["wall_s"] = spread([float(r[wall_key]) for r in good])
            entry["process_wall_s"] = spread([float(r["wall_s"]) for r in good])
            entry["cpu_s"] = spread([float(r["cpu_s"]) for r in good])
            entry["peak_rss_bytes"] = spread([int(r["peak_rss_bytes"]) for r in good])
        out.append(entry)
    return out


def peer_config(kind, peer):
    return f"system:{peer}" if kind == "replay" else peer


def ratios(summary):
    by_key = {(s["kind"], s["workload"], s["config"]): s for s in summary if "wall_s" in s}
    out = []
    for (kind, workload, config), s in by_key.items():
        if not config.startswith("core"):
            continue
        for peer in PEERS:
            p = by_key.get((kind, workload, peer_config(kind, peer)))
            if not p:
                continue
            out.append({"kind": kind, "workload": workload, "core": config, "peer": peer,
                        **{m: s[m]["median"] / p[m]["median"] if p[m]["median"] else None
                           for m in ("wall_s", "cpu_s", "peak_rss_bytes")}})
    return out


def targets(summary):
    by_key = {(s["kind"], s["workload"], s["config"]): s for s in summary if "wall_s" in s}
    out = []
    for (kind, workload, config), s in sorted(by_key.items()):
        if config not in ("core:adaptive", "core"):
            continue
        med = lambda c, m: by_key[(kind, workload, c)][m]["median"] if (kind, workload, c) in by_key else None
        if kind == "replay":
            mi = med("system:mimalloc", "wall_s")
            peers_rss = [v for v in (med(f"system:{p}", "peak_rss_bytes") for p in PEERS) if v]
            checks = [("wall <= mimalloc", s["wall_s"]["median"], mi),
                      ("peak RSS <= lowest peer", s["peak_rss_bytes"]["median"], min(peers_rss) if peers_rss else None)]
        else:
            checks = [("wall <= glibc", s["wall_s"]["median"], med("glibc", "wall_s")),
                      ("peak RSS <= glibc", s["peak_rss_bytes"]["median"], med("glibc", "peak_rss_bytes"))]
        for name, mine, bound in checks:
            if bound:
                out.append({"kind": kind, "workload": workload, "target": name, "core": mine, "bound": bound,
                            "ratio": mine / bound, "met": mine <= bound})
    return out


def fmt_spread(s, scale, digits):
    return f"{s['median'] * scale:.{digits}f} [{s['min'] * scale:.{digits}f}-{s['max'] * scale:.{digits}f}]"


def print_tables(summary, ratio_rows, target_rows, meta):
    for kind, title in (("replay", "Threaded replays (wall: the replay phase)"), ("program", "Real programs")):
        rows = sorted((s for s in summary if s["kind"] == kind), key=lambda s: (s["workload"], s["config"]))
        if not rows:
            continue
        reps = max(s["runs"] for s in rows)
        print(f"\n{title}: median [min-max] of {reps} runs")
        print(f"{'workload':<24}{'config':<20}{'wall ms':>24}{'cpu ms':>24}{'peak RSS MiB':>24}")
        last = None
        for s in rows:
            name = s["workload"] if s["workload"] != last else ""
            last = s["workload"]
            if "wall_s" not in s:
                print(f"{name:<24}{s['config']:<20}  all {s['runs']} runs failed")
                continue
            bad = f"  ({s['failed']} failed)" if s["failed"] else ""
            print(f"{name:<24}{s['config']:<20}{fmt_spread(s['wall_s'], 1e3, 1):>24}{fmt_spread(s['cpu_s'], 1e3, 1):>24}"
                  f"{fmt_spread(s['peak_rss_bytes'], 1 / MIB, 1):>24}{bad}")
        core = "core:adaptive" if kind == "replay" else "core"
        print(f"\n{core} / peer (medians; below 1: the core is better)   wall | cpu | peak RSS")
        print(f"{'workload':<24}" + "".join(f"{p:>24}" for p in PEERS))
        for workload in sorted({r["workload"] for r in ratio_rows if r["kind"] == kind}):
            cells = []
            for peer in PEERS:
                r = next((r for r in ratio_rows if r["kind"] == kind and r["workload"] == workload
                          and r["core"] == core and r["peer"] == peer), None)
                cells.append(f"{r['wall_s']:.2f} | {r['cpu_s']:.2f} | {r['peak_rss_bytes']:.2f}" if r else "-")
            print(f"{workload:<24}" + "".join(f"{c:>24}" for c in cells))
    met = sum(t["met"] for t in target_rows)
    print(f"\nTargets met: {met} of {len(target_rows)}")
    for t in target_rows:
        if not t["met"]:
            print(f"  missed: {t['kind']} {t['workload']}: {t['target']} (x{t['ratio']:.2f})")
    print("\nAllocators: " + ", ".join(f"{k} {v}" for k, v in meta.get("versions", {}).items()))


def write_csv(path, summary):
    fields = ["kind", "workload", "config", "allocator", "runs", "failed"]
    metrics = ["wall_s", "process_wall_s", "cpu_s", "peak_rss_bytes"]
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(fields + [f"{m}_{s}" for m in metrics for s in ("median", "min", "max")])
        for s in summary:
            w.writerow([s[k] for k in fields] + [s[m][x] if m in s else "" for m in metrics
                                                 for x in ("median", "min", "max")])


def main():
    args = parse_args()
    run_dir = Path(args.run_dir)
    with open(run_dir / "runs.csv") as f:
        rows = list(csv.DictReader(f))
    meta = json.loads((run_dir / "meta.json").read_text()) if (run_dir / "meta.json").exists() else {}
    summary = summarise(rows)
    ratio_rows, target_rows = ratios(summary), targets(summary)
    write_csv(run_dir / "summary.csv", summary)
    doc = {"schema": "allocsim-bench/1", **meta, "results": summary, "ratios": ratio_rows, "targets": target_rows}
    (run_dir / "summary.json").write_text(json.dumps(doc, indent=1) + "\n")
    print_tables(summary, ratio_rows, target_rows, meta)
    print(f"\nbench: {run_dir}/summary.json, summary.csv, runs.csv")


if __name__ == "__main__":
    main()
