#!/usr/bin/env python3
"""Turns the bench_core runs of scripts/bench_core.sh into a table and a JSON file.

Input: NAME=FILE arguments, one per process run, where NAME is the malloc
the process had (glibc, jemalloc, mimalloc, tcmalloc) and FILE is Google
Benchmark's --benchmark_out JSON, e.g.

    {"benchmarks": [{"name": "BM_FastPath_Core/16/process_time",
                     "run_type": "iteration", "repetition_index": 0,
                     "real_time": 9.1, "cpu_time": 3.3, "time_unit": "ns",
                     "fallback/op": 0.0, ...}, ...]}

A NAME may come several times (one file per round). Only per-repetition
entries count (aggregates are recomputed here over all rounds).

Figures: ns per operation. Single-thread benchmarks use the process's CPU
time (all threads, so the core's collector is charged, and a loaded machine
preempting us is not); producer -> consumer uses wall time per item, its
throughput. Each cell is the median over every repetition of every round.
A ratio compares two benchmarks of the same process: core / the malloc
that process had, one ratio of medians per round; shown is the median of
those and their range.
"""
import argparse
import json
import re
import statistics
import sys
from collections import defaultdict

import peers

ALLOCATORS = peers.NAMES
SIDES = ["Malloc", "Core", "CoreFreeToCache", "CoreBackpressure"]
CORE_SIDES = SIDES[1:]
NAME_RE = re.compile(r"^BM_(?P<kind>[A-Za-z]+)_(?P<side>CoreFreeToCache|CoreBackpressure|Core|Malloc)(?P<arg>/\d+)?(/[a-z_]+)*$")
WALL_TIME_KINDS = {"ProducerConsumer"}
CORE_COUNTERS = ["fallback/op", "refill/op", "wake/op", "peak_MiB"]
UNIT_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}

# (benchmark, side, allocator whose process and malloc it is compared with, meaning)
TARGETS = [
    ("FastPath/16", "Core", "mimalloc", "fast path 16 B, default policy: core <= mimalloc"),
    ("FastPath/16", "CoreFreeToCache", "mimalloc", "fast path 16 B, free_to_cache: core <= mimalloc"),
    ("FastPath/256", "Core", "mimalloc", "fast path 256 B, default policy: core <= mimalloc"),
    ("FastPath/256", "CoreFreeToCache", "mimalloc", "fast path 256 B, free_to_cache: core <= mimalloc"),
    ("FastPath/16", "CoreBackpressure", "mimalloc", "fast path 16 B, backpressure: core <= mimalloc"),
    ("FastPath/256", "CoreBackpressure", "mimalloc", "fast path 256 B, backpressure: core <= mimalloc"),
    ("ProducerConsumer", "Core", "glibc", "producer -> consumer: core ahead of glibc"),
    ("ProducerConsumer", "CoreBackpressure", "glibc", "producer -> consumer, backpressure: core ahead of glibc"),
]


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("runs", nargs="+", help="NAME=FILE, NAME one of " + ", ".join(ALLOCATORS))
    p.add_argument("--out", required=True)
    p.add_argument("--command", default="")
    p.add_argument("--version", action="append", default=[], help="NAME=package version")
    p.add_argument("--load-before", default="")
    p.add_argument("--load-after", default="")
    return p.parse_args()


def load_samples(runs):
    """samples[alloc][bench][side] = list of (round, entry); bench is kind + arg."""
    samples = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    context = None
    rounds = defaultdict(int)
    for run in runs:
        alloc, sep, path = run.partition("=")
        if not sep or alloc not in ALLOCATORS:
            sys.exit(f"bench_core_report.py: expected NAME=FILE with NAME in {ALLOCATORS}, got '{run}'")
        try:
            with open(path) as f:
                doc = json.load(f)
        except (OSError, json.JSONDecodeError) as e:
            sys.exit(f"bench_core_report.py: {path}: {e}")
        context = context or doc.get("context")
        round_no = rounds[alloc]
        rounds[alloc] += 1
        for entry in doc.get("benchmarks", []):
            if entry.get("run_type") != "iteration" or entry.get("error_occurred"):
                continue
            m = NAME_RE.match(entry["name"])
            if not m:
                continue
            bench = m["kind"] + (m["arg"] or "")
            samples[alloc][bench][m["side"]].append((round_no, entry))
    return samples, context


def ns_per_op(bench, entry):
    key = "real_time" if bench.split("/")[0] in WALL_TIME_KINDS else "cpu_time"
    return entry[key] * UNIT_NS[entry.get("time_unit", "ns")]


def median_of(bench, pairs):
    return statistics.median(ns_per_op(bench, e) for _, e in pairs) if pairs else None


def ratio(samples, bench, side, alloc):
    """Core / malloc in the process of `alloc`, per round (each round is one process):
    the median of the per-round ratios and their range."""
    sides = samples[alloc][bench]
    core, base = sides.get(side, []), sides.get("Malloc", [])
    if not core or not base:
        return None
    per_round = []
    for r in sorted({r for r, _ in core} & {r for r, _ in base}):
        c = median_of(bench, [p for p in core if p[0] == r])
        b = median_of(bench, [p for p in base if p[0] == r])
        per_round.append(c / b)
    return {"ratio": statistics.median(per_round), "round_min": min(per_round), "round_max": max(per_round)}


def build_report(samples):
    benches = sorted({b for a in samples.values() for b in a}, key=lambda b: (b.split("/")[0], len(b), b))
    medians, counters, ratios = {}, {}, {}
    for bench in benches:
        medians[bench] = {side: {a: median_of(bench, samples[a][bench].get(side, [])) for a in ALLOCATORS}
                          for side in SIDES}
        counters[bench] = {}
        for side in CORE_SIDES:
            pairs = [e for a in ALLOCATORS for _, e in samples[a][bench].get(side, [])]
            if pairs:
                counters[bench][side] = {k: statistics.median(e[k] for e in pairs if k in e)
                                         for k in CORE_COUNTERS if any(k in e for e in pairs)}
        ratios[bench] = {side: {a: ratio(samples, bench, side, a) for a in ALLOCATORS}
                         for side in CORE_SIDES}
    return benches, medians, counters, ratios


def fmt(x, digits=2):
    return "-" if x is None else f"{x:.{digits}f}"


def print_tables(benches, medians, counters, ratios, versions, load):
    print("ns/op (median; single-thread: process CPU per alloc+free; ProducerConsumer: wall time per item)")
    print(f"{'benchmark':<22}{'side':<17}" + "".join(f"{a:>11}" for a in ALLOCATORS))
    for bench in benches:
        for side in SIDES:
            row = medians[bench][side]
            if any(v is not None for v in row.values()):
                print(f"{bench:<22}{side:<17}" + "".join(f"{fmt(row[a]):>11}" for a in ALLOCATORS))
    print("\nratio core / that process's malloc (median of per-round ratios; range)")
    print(f"{'benchmark':<22}{'side':<17}" + "".join(f"{a:>20}" for a in ALLOCATORS))
    for bench in benches:
        for side in CORE_SIDES:
            row = ratios[bench][side]
            if any(row.values()):
                cells = [f"{fmt(r['ratio'])} ({fmt(r['round_min'])}-{fmt(r['round_max'])})" if r else "-"
                         for r in (row[a] for a in ALLOCATORS)]
                print(f"{bench:<22}{side:<17}" + "".join(f"{c:>20}" for c in cells))
    print("\ncore counters (median over all runs)")
    for bench in benches:
        for side, values in counters[bench].items():
            print(f"{bench:<22}{side:<17}" + "  ".join(f"{k}={fmt(v, 4)}" for k, v in values.items()))
    print("\ntargets")
    for bench, side, alloc, meaning in TARGETS:
        r = ratios.get(bench, {}).get(side, {}).get(alloc)
        verdict = "not run" if r is None else ("met" if r["ratio"] <= 1.0 else "MISSED")
        print(f"  {meaning}: {fmt(r['ratio']) if r else '-'} -> {verdict}")
    print("\nallocators: " + "; ".join(versions))
    print(f"load average (1, 5, 15 min) before: {load[0]}, after: {load[1]}")


def main():
    args = parse_args()
    samples, context = load_samples(args.runs)
    if not samples:
        sys.exit("bench_core_report.py: no benchmark results in the input files")
    benches, medians, counters, ratios = build_report(samples)
    print_tables(benches, medians, counters, ratios, args.version, (args.load_before, args.load_after))
    targets = []
    for bench, side, alloc, meaning in TARGETS:
        r = ratios.get(bench, {}).get(side, {}).get(alloc)
        targets.append({"benchmark": bench, "side": side, "against": alloc, "meaning": meaning,
                        "ratio": r and r["ratio"], "met": None if r is None else r["ratio"] <= 1.0})
    doc = {
        "command": args.command,
        "versions": dict(v.partition("=")[::2] for v in args.version),
        "load_average_before": args.load_before,
        "load_average_after": args.load_after,
        "context": context,
        "metric": "ns/op: single-thread cpu_time (process CPU), ProducerConsumer real_time per item",
        "medians_ns": medians,
        "ratios": ratios,
        "core_counters": counters,
        "targets": targets,
        "samples": {a: {b: {s: [{"round": r, "real_time": e["real_time"], "cpu_time": e["cpu_time"],
                                 "iterations": e["iterations"],
                                 **{k: e[k] for k in CORE_COUNTERS if k in e}} for r, e in pairs]
                            for s, pairs in sides.items()}
                        for b, sides in benches_.items()}
                    for a, benches_ in samples.items()},
    }
    with open(args.out, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
