#!/usr/bin/env python3
"""Runs the stress suite's programs at their bench size under each malloc.

Workloads come from tests/stress/workloads.txt (each program gets "bench"
as its first argument). Allocators: the peers (--peer NAME=LIB, LD_PRELOAD;
glibc: an empty LIB) and liballocsim.so under each --policy. Every run is
its own process, measured by the run_measured helper (wall clock, CPU and
peak RSS from wait4), under a deadline (`timeout`, then SIGKILL). Runs are
interleaved: each repetition visits every workload, and the order of the
allocators rotates every repetition. A run counts only if it exits 0 with
glibc's stdout and an empty stderr; otherwise its note says why.

Writes runs.csv (one row per run), summary.csv and summary.json (median,
min, max per workload and allocator, ratios of medians against glibc) into
--out, and prints the tables. --report DIR prints an earlier run again.
"""
import argparse
import csv
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_run import RUN_FIELDS, rotated  # noqa: E402  (the same runs.csv as scripts/bench.sh)
from bench_report import MIB, fmt_spread, summarise, write_csv  # noqa: E402

FIELDS = RUN_FIELDS + ["note"]
STRIPPED_ENV = ("LD_PRELOAD", "ALLOCSIM_POLICY", "ALLOCSIM_SET", "ALLOCSIM_STATS")


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--report", help="print the tables of an earlier run directory and exit")
    p.add_argument("--preload", help="liballocsim.so")
    p.add_argument("--bin", help="directory of the stress programs and run_measured")
    p.add_argument("--workloads", help="tests/stress/workloads.txt")
    p.add_argument("--peer", action="append", default=[], metavar="NAME=LIB",
                   help="a peer malloc and the library to preload (empty for glibc)")
    p.add_argument("--policy", action="append", default=[], help="a core policy (repeatable)")
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--filter", default="", help="regex: only workloads whose name matches")
    p.add_argument("--deadline", type=int, default=300, help="seconds before a run counts as hung")
    p.add_argument("--out", help="directory for runs.csv and the summaries")
    args = p.parse_args()
    if not args.report and not all((args.preload, args.bin, args.workloads, args.out)):
        p.error("--preload, --bin, --workloads and --out are required unless --report is given")
    return args


def read_workloads(path, size):
    """(name, argv) per line of workloads.txt at `size`; the same rules as tests/stress/workloads.hpp."""
    out = []
    for line in Path(path).read_text().splitlines():
        words = line.split("#", 1)[0].split()
        if len(words) < 2:
            continue
        name, program, argv = words[0], words[1], [words[1], size]
        for arg in words[2:]:
            colon, eq = arg.find(":"), arg.find("=")
            if colon >= 0 and (eq < 0 or colon < eq):
                if arg[:colon] == size:
                    argv.append(arg[colon + 1:])
            else:
                argv.append(arg)
        out.append((name, argv))
    return out


def measure(args, argv, env_extra):
    """Runs argv with env_extra under run_measured and a deadline.

    Returns (wall_s, cpu_s, peak_rss_bytes, exit_code, stdout bytes, stderr text, timed_out).
    """
    env = {k: v for k, v in os.environ.items() if k not in STRIPPED_ENV}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile(suffix=".json") as cost:
        # The preload is set for the program only, not for run_measured or timeout.
        launcher = [str(Path(args.bin) / "run_measured"), cost.name,
                    "timeout", "--kill-after=10", str(args.deadline), "env"]
        launcher += [f"{k}={v}" for k, v in env_extra.items()]
        proc = subprocess.run(launcher + argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env)
        out.seek(0)
        err.seek(0)
        output, errors = out.read(), err.read().decode(errors="replace")
        try:
            c = json.load(open(cost.name))
        except (OSError, ValueError):
            c = {"wall_s": 0.0, "cpu_s": 0.0, "peak_rss_bytes": 0, "exit_code": proc.returncode, "signal": 0}
    code = c["exit_code"] if c.get("signal", 0) == 0 else -c["signal"]
    return c["wall_s"], c["cpu_s"], c["peak_rss_bytes"], code, output, errors, code in (124, 137)


def configs(args):
    """(config, allocator, environment) of every allocator; glibc first."""
    out = []
    for peer in args.peer:
        name, lib = peer.split("=", 1)
        out.append((name, name, {"LD_PRELOAD": lib} if lib else {}))
    for policy in args.policy:
        out.append((f"core:{policy}", "allocsim-core", {"LD_PRELOAD": args.preload, "ALLOCSIM_POLICY": policy}))
    return sorted(out, key=lambda c: c[0] != "glibc")


def run(args):
    bin_dir = Path(args.bin)
    pattern = re.compile(args.filter)
    workloads = [(n, [str(bin_dir / a[0])] + a[1:]) for n, a in read_workloads(args.workloads, "bench")
                 if pattern.search(n)]
    allocators = configs(args)
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    reference = {}
    total, done = args.reps * len(workloads) * len(allocators), 0
    with open(out_dir / "runs.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS)
        writer.writeheader()
        for rep in range(args.reps):
            for name, argv in workloads:
                # glibc first in the first repetition: its stdout is every other run's reference.
                for config, allocator, env in (allocators if rep == 0 else rotated(allocators, rep)):
                    wall, cpu, rss, code, output, errors, timed_out = measure(args, argv, env)
                    digest = hashlib.sha256(output).hexdigest()
                    if config == "glibc" and code == 0 and not errors:
                        reference.setdefault(name, digest)
                    note = ""
                    if timed_out:
                        note = f"hung: killed after {args.deadline} s"
                    elif code != 0:
                        note = f"exit {code}: {errors.strip().splitlines()[-1] if errors.strip() else ''}"
                    elif errors:
                        note = "stderr: " + errors.strip().splitlines()[0]
                    elif name in reference and reference[name] != digest:
                        note = "stdout differs from glibc's"
                    elif name not in reference:
                        note = "no glibc reference"
                    writer.writerow(dict(kind="program", workload=name, config=config, allocator=allocator, rep=rep,
                                         wall_s=f"{wall:.6f}", cpu_s=f"{cpu:.6f}", peak_rss_bytes=rss,
                                         exit_code=code, output_ok=int(not note), note=note))
                    f.flush()
                    done += 1
                    print(f"\rbench_stress: {done}/{total} runs", end="", file=sys.stderr, flush=True)
                    if note:
                        print(f"\nbench_stress: {name} under {config}: {note}", file=sys.stderr)
    print(file=sys.stderr)


def ratios_to_glibc(summary):
    by_key = {(s["workload"], s["config"]): s for s in summary if "wall_s" in s}
    out = []
    for (workload, config), s in sorted(by_key.items()):
        g = by_key.get((workload, "glibc"))
        if not g or config == "glibc":
            continue
        out.append({"workload": workload, "config": config,
                    **{m: s[m]["median"] / g[m]["median"] if g[m]["median"] else None
                       for m in ("wall_s", "cpu_s", "peak_rss_bytes")}})
    return out


def print_tables(summary, ratio_rows, failures, meta):
    reps = max((s["runs"] for s in summary), default=0)
    ratio = {(r["workload"], r["config"]): r for r in ratio_rows}
    print(f"\nStress programs at bench size: median [min-max] of {reps} runs; x glibc = ratio of medians")
    print(f"{'workload':<16}{'allocator':<26}{'wall s':>22}{'peak RSS MiB':>24}{'wall x glibc':>14}{'RSS x glibc':>13}")
    last = None
    for s in sorted(summary, key=lambda s: (s["workload"], s["config"] != "glibc", s["config"])):
        name = s["workload"] if s["workload"] != last else ""
        last = s["workload"]
        if "wall_s" not in s:
            print(f"{name:<16}{s['config']:<26}  all {s['runs']} runs failed")
            continue
        r = ratio.get((s["workload"], s["config"]))
        wall_x = f"{r['wall_s']:.2f}" if r else "-"
        rss_x = f"{r['peak_rss_bytes']:.2f}" if r else "-"
        bad = f"  ({s['failed']} failed)" if s["failed"] else ""
        print(f"{name:<16}{s['config']:<26}{fmt_spread(s['wall_s'], 1, 2):>22}"
              f"{fmt_spread(s['peak_rss_bytes'], 1 / MIB, 1):>24}{wall_x:>14}{rss_x:>13}{bad}")
    if failures:
        print("\nFailed runs:")
        for f in failures:
            print(f"  {f['workload']} under {f['config']} (rep {f['rep']}): {f['note']}")
    print("\nAllocators: " + ", ".join(f"{k} {v}" for k, v in meta.get("versions", {}).items()))


def report(run_dir):
    run_dir = Path(run_dir)
    with open(run_dir / "runs.csv") as f:
        rows = list(csv.DictReader(f))
    meta = json.loads((run_dir / "meta.json").read_text()) if (run_dir / "meta.json").exists() else {}
    summary = summarise(rows)
    ratio_rows = ratios_to_glibc(summary)
    failures = [{k: r[k] for k in ("workload", "config", "rep", "note")} for r in rows if r["output_ok"] != "1"]
    write_csv(run_dir / "summary.csv", summary)
    doc = {"schema": "allocsim-bench-stress/1", **meta, "results": summary, "ratios_to_glibc": ratio_rows,
           "failures": failures}
    (run_dir / "summary.json").write_text(json.dumps(doc, indent=1) + "\n")
    print_tables(summary, ratio_rows, failures, meta)
    print(f"\nbench_stress: {run_dir}/summary.json, summary.csv, runs.csv")


def main():
    args = parse_args()
    if args.report:
        report(args.report)
        return
    run(args)
    report(args.out)


if __name__ == "__main__":
    main()
