#!/usr/bin/env python3
"""Runs programs under each malloc: the stress suite at its bench size, and
real programs from a list.

Workloads: tests/stress/workloads.txt (--workloads; each program gets
"bench" as its first argument) and lists of real programs (--programs,
configs/real-programs.txt; scripts/workload_lists.py reads both).
Allocators: the peers (--peer NAME=LIB, LD_PRELOAD; glibc: an empty LIB)
and liballocsim.so under each --policy. Every run is its own process,
measured by the run_measured helper (wall clock, CPU and peak RSS from
wait4), under a deadline (`timeout`, then SIGKILL). Runs are interleaved:
each repetition visits every workload, and the order of the allocators
rotates every repetition. A run counts only if it exits 0 with an empty
stderr and, unless its list says otherwise, glibc's stdout; otherwise its
note says why. A program that reports its own throughput (rate:) has it
recorded. With --stats, each run of the core writes its counters and
footprint breakdown (ALLOCSIM_STATS) to stats/WORKLOAD/CONFIG-REP.json.

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
from bench_report import MIB, fmt_spread, spread, summarise, write_csv  # noqa: E402
from workload_lists import InputError, read_program_list, read_stress_workloads  # noqa: E402

FIELDS = RUN_FIELDS + ["note", "rate"]
STRIPPED_ENV = ("LD_PRELOAD", "ALLOCSIM_POLICY", "ALLOCSIM_SET", "ALLOCSIM_STATS")


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--report", help="print the tables of an earlier run directory and exit")
    p.add_argument("--preload", help="liballocsim.so")
    p.add_argument("--bin", help="directory of the stress programs and run_measured")
    p.add_argument("--workloads", help="tests/stress/workloads.txt")
    p.add_argument("--programs", action="append", default=[], help="a list of real programs (configs/real-programs.txt)")
    p.add_argument("--source", default=str(Path(__file__).resolve().parent.parent), help="the source tree ({src})")
    p.add_argument("--external", help="a directory of external benchmark binaries ({ext})")
    p.add_argument("--stats", action="store_true", help="keep each core run's ALLOCSIM_STATS file")
    p.add_argument("--peer", action="append", default=[], metavar="NAME=LIB",
                   help="a peer malloc and the library to preload (empty for glibc)")
    p.add_argument("--policy", action="append", default=[], help="a core policy (repeatable)")
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--filter", default="", help="regex: only workloads whose name matches")
    p.add_argument("--deadline", type=int, default=300, help="seconds before a run counts as hung")
    p.add_argument("--out", help="directory for runs.csv and the summaries")
    args = p.parse_args()
    if not args.report and (not all((args.preload, args.bin, args.out)) or not (args.workloads or args.programs)):
        p.error("--preload, --bin, --out and --workloads or --programs are required unless --report is given")
    if args.external and not Path(args.external).is_dir():
        p.error(f"--external {args.external}: not a directory")
    return args


def measure(args, argv, env_extra, stdin_path=None):
    """Runs argv with env_extra under run_measured and a deadline.

    Returns (wall_s, cpu_s, peak_rss_bytes, exit_code, stdout bytes, stderr text, timed_out).
    """
    env = {k: v for k, v in os.environ.items() if k not in STRIPPED_ENV}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile(suffix=".json") as cost, \
            open(stdin_path or os.devnull, "rb") as stdin:
        # The preload is set for the program only, not for run_measured or timeout.
        launcher = [str(Path(args.bin) / "run_measured"), cost.name,
                    "timeout", "--kill-after=10", str(args.deadline), "env"]
        launcher += [f"{k}={v}" for k, v in env_extra.items()]
        proc = subprocess.run(launcher + argv, stdin=stdin, stdout=out, stderr=err, env=env)
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


def read_all_workloads(args):
    """Every workload, checked before anything runs (exit 2 on a bad list)."""
    workloads = read_stress_workloads(args.workloads, "bench", args.bin) if args.workloads else []
    places = {"src": Path(args.source).resolve(), "bin": Path(args.bin).resolve(),
              "ext": Path(args.external).resolve() if args.external else None}
    for path in args.programs:
        try:
            listed, absent = read_program_list(path, places)
        except (InputError, OSError) as e:
            sys.exit(print(f"bench_stress: {e}", file=sys.stderr) or 2)
        workloads += listed
        if absent:
            print(f"bench_stress: left out (no external directory or program): {' '.join(absent)}", file=sys.stderr)
    pattern = re.compile(args.filter)
    return [w for w in workloads if pattern.search(w.name)]


def check_run(w, config, code, output, errors, timed_out, reference, deadline):
    """The run's note: empty when it counts."""
    digest = hashlib.sha256(output).hexdigest()
    if config == "glibc" and code == 0 and not errors:
        reference.setdefault(w.name, digest)
    if timed_out:
        return f"hung: killed after {deadline} s"
    if code != 0:
        return f"exit {code}: {errors.strip().splitlines()[-1] if errors.strip() else ''}"
    if errors:
        return "stderr: " + errors.strip().splitlines()[0]
    if not w.same_stdout:
        return ""
    if w.name not in reference:
        return "no glibc reference"
    return "stdout differs from glibc's" if reference[w.name] != digest else ""


def own_rate(w, output):
    if not w.rate:
        return ""
    m = re.search(w.rate, output.decode(errors="replace"))
    return m.group(1) if m else ""


def run(args):
    workloads = read_all_workloads(args)
    allocators = configs(args)
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    reference = {}
    total, done = args.reps * len(workloads) * len(allocators), 0
    with open(out_dir / "runs.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS)
        writer.writeheader()
        for rep in range(args.reps):
            for w in workloads:
                # glibc first in the first repetition: its stdout is every other run's reference.
                for config, allocator, env in (allocators if rep == 0 else rotated(allocators, rep)):
                    env = {**w.env, **env}
                    if args.stats and allocator == "allocsim-core":
                        stats = out_dir / "stats" / w.name / f"{config.split(':', 1)[1]}-{rep}.json"
                        stats.parent.mkdir(parents=True, exist_ok=True)
                        env["ALLOCSIM_STATS"] = str(stats.resolve())
                    wall, cpu, rss, code, output, errors, timed_out = measure(args, w.argv, env, w.stdin)
                    note = check_run(w, config, code, output, errors, timed_out, reference, args.deadline)
                    writer.writerow(dict(kind="program", workload=w.name, config=config, allocator=allocator, rep=rep,
                                         wall_s=f"{wall:.6f}", cpu_s=f"{cpu:.6f}", peak_rss_bytes=rss,
                                         exit_code=code, output_ok=int(not note), note=note,
                                         rate=own_rate(w, output) if not note else ""))
                    f.flush()
                    done += 1
                    print(f"\rbench_stress: {done}/{total} runs", end="", file=sys.stderr, flush=True)
                    if note:
                        print(f"\nbench_stress: {w.name} under {config}: {note}", file=sys.stderr)
    print(file=sys.stderr)


def ratios_to_glibc(summary):
    by_key = {(s["workload"], s["config"]): s for s in summary if "wall_s" in s}
    out = []
    for (workload, config), s in sorted(by_key.items()):
        g = by_key.get((workload, "glibc"))
        if not g or config == "glibc":
            continue
        metrics = [m for m in ("wall_s", "cpu_s", "peak_rss_bytes", "rate") if m in s and m in g]
        out.append({"workload": workload, "config": config,
                    **{m: s[m]["median"] / g[m]["median"] if g[m]["median"] else None for m in metrics}})
    return out


def add_rates(summary, rows):
    """The program's own throughput (median [min-max] of its good runs), where it reports one."""
    for s in summary:
        rates = [float(r["rate"]) for r in rows if r["workload"] == s["workload"] and r["config"] == s["config"]
                 and r["output_ok"] == "1" and r.get("rate")]
        if rates:
            s["rate"] = spread(rates)


def write_atomically(path, text):
    tmp = Path(f"{path}.tmp")
    tmp.write_text(text)
    tmp.replace(path)


def print_tables(summary, ratio_rows, failures, meta):
    reps = max((s["runs"] for s in summary), default=0)
    ratio = {(r["workload"], r["config"]): r for r in ratio_rows}
    print(f"\nPrograms: median [min-max] of {reps} runs; x glibc = ratio of medians; rate = the program's own throughput")
    print(f"{'workload':<20}{'allocator':<26}{'wall s':>22}{'peak RSS MiB':>24}{'wall x glibc':>14}{'RSS x glibc':>13}"
          f"{'rate x glibc':>14}")
    last = None
    for s in sorted(summary, key=lambda s: (s["workload"], s["config"] != "glibc", s["config"])):
        name = s["workload"] if s["workload"] != last else ""
        last = s["workload"]
        if "wall_s" not in s:
            print(f"{name:<20}{s['config']:<26}  all {s['runs']} runs failed")
            continue
        r = ratio.get((s["workload"], s["config"]))
        wall_x = f"{r['wall_s']:.2f}" if r else "-"
        rss_x = f"{r['peak_rss_bytes']:.2f}" if r else "-"
        rate_x = f"{r['rate']:.2f}" if r and r.get("rate") else "-"
        bad = f"  ({s['failed']} failed)" if s["failed"] else ""
        print(f"{name:<20}{s['config']:<26}{fmt_spread(s['wall_s'], 1, 2):>22}"
              f"{fmt_spread(s['peak_rss_bytes'], 1 / MIB, 1):>24}{wall_x:>14}{rss_x:>13}{rate_x:>14}{bad}")
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
    add_rates(summary, rows)
    ratio_rows = ratios_to_glibc(summary)
    failures = [{k: r[k] for k in ("workload", "config", "rep", "note")} for r in rows if r["output_ok"] != "1"]
    write_csv(run_dir / "summary.csv", summary)
    doc = {"schema": "allocsim-bench-stress/1", **meta, "results": summary, "ratios_to_glibc": ratio_rows,
           "failures": failures}
    write_atomically(run_dir / "summary.json", json.dumps(doc, indent=1) + "\n")
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
