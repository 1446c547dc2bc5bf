#!/usr/bin/env python3
"""Runs the allocator comparison of scripts/bench.sh.

Two kinds of work, each run in its own process:

  replay   `allocsim replay TRACE --mode threaded` of each trace, with the
           core under each policy (--policy P) and with --backend system
           under each peer malloc (LD_PRELOAD; glibc: none), repeated
           --reps times. This is one `allocsim sweep` (docs/sweep-spec.md):
           the spec is written to replays.json, the runs and the sweep's
           own comparison (report.json) to replays/. It runs one replay
           at a time, so that timings do not compete.
  program  a real program under each malloc via LD_PRELOAD (the core:
           liballocsim.so with its default policy), measured by the
           run_measured helper with wait4() (wall clock, user+system CPU of
           the process and every descendant it waited for, peak RSS of the
           largest). Its stdout must equal the glibc run's, else the run is
           marked as wrong. Repetitions are interleaved: each visits every
           program, and the order of the allocators rotates every
           repetition, so that a change in the machine's load hits all of
           them alike. Output: runs.csv (one row per run).

scripts/bench_report.py turns both into the summary.
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

RUN_FIELDS = ["kind", "workload", "config", "allocator", "rep", "wall_s", "cpu_s", "peak_rss_bytes", "exit_code",
              "output_ok"]


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--allocsim", required=True, help="the allocsim binary")
    p.add_argument("--preload", required=True, help="liballocsim.so")
    p.add_argument("--helpers", required=True, help="directory of mt_prodcons and the preload test helpers")
    p.add_argument("--source", required=True, help="the source tree (samples, fixtures)")
    p.add_argument("--trace", action="append", default=[], metavar="NAME=PATH", help="a trace to replay")
    p.add_argument("--peer", action="append", default=[], metavar="NAME=LIB",
                   help="a peer malloc and the library to preload (empty for glibc)")
    p.add_argument("--policy", action="append", default=[], help="a core policy for the replays (repeatable)")
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--only", choices=["replay", "program"], help="run one kind of work only")
    p.add_argument("--filter", default="", help="regex: only workloads whose name matches")
    p.add_argument("--out", required=True, help="directory for runs.csv, replays.json and replays/")
    return p.parse_args()


def programs(args):
    src, helpers = Path(args.source), Path(args.helpers)
    compile_out = Path(tempfile.gettempdir()) / f"allocsim_bench_{os.getpid()}.o"
    return [
        ("python-json", ["/usr/bin/python3", str(src / "traces/samples/src/py_workload.py")], None, {}),
        ("python-json-malloc", ["/usr/bin/python3", str(src / "traces/samples/src/py_workload.py")], None,
         {"PYTHONMALLOC": "malloc"}),
        ("sqlite3", ["sqlite3", ":memory:"], str(src / "tests/preload/fixtures/preload_workload.sql"), {}),
        ("mt-prodcons", [str(helpers / "mt_prodcons"), "20000"], None, {}),
        ("g++-compile", ["g++", "-std=c++17", "-O1", "-c", str(src / "tests/preload/fixtures/compile_input.cc"),
                         "-o", str(compile_out)], None, {}),
        ("fork-exec", [str(helpers / "preload_fork_exec"), "4"], None, {}),
        ("many-threads", [str(helpers / "preload_many_threads"), "250", "8"], None, {}),
    ]


def measure(args, argv, env_extra, stdin_path=None):
    """Runs argv under run_measured; returns (wall_s, cpu_s, peak_rss_bytes, exit_code, stdout bytes)."""
    env = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "ALLOCSIM_POLICY", "ALLOCSIM_SET",
                                                            "ALLOCSIM_STATS")}
    env.update(env_extra)
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    with tempfile.TemporaryFile() as out, tempfile.NamedTemporaryFile(suffix=".json") as cost:
        # The preload is set for the program only, not for run_measured itself.
        launcher = [str(Path(args.helpers) / "run_measured"), cost.name, "env"]
        launcher += [f"{k}={v}" for k, v in env_extra.items()]
        proc = subprocess.run(launcher + argv, stdin=stdin, stdout=out, stderr=subprocess.DEVNULL,
                              env={k: v for k, v in env.items() if k not in env_extra})
        out.seek(0)
        output = out.read()
        try:
            c = json.load(open(cost.name))
        except (OSError, ValueError):
            c = {"wall_s": 0.0, "cpu_s": 0.0, "peak_rss_bytes": 0, "exit_code": proc.returncode}
    if stdin_path:
        stdin.close()
    code = c["exit_code"] if c.get("signal", 0) == 0 else -c["signal"]
    return c["wall_s"], c["cpu_s"], c["peak_rss_bytes"], code, output


def run_replays(args, peers, traces, out_dir):
    """The replays as one sweep; a failed run (exit status 1) is left for the report to show."""
    spec = {
        "description": "scripts/bench.sh: threaded replays of the core under each policy and of each peer malloc",
        "traces": [str(Path(path).resolve()) for _, path in traces],
        "mode": "threaded",
        "repetitions": args.reps,
        "groups": [{"name": "core", "policies": args.policy or ["adaptive", "fixed-queue", "no-oldest"]},
                   {"name": "peers", "backend": "system", "allocators": dict(peers)}],
    }
    if not peers:
        spec["groups"].pop()
    (out_dir / "replays.json").write_text(json.dumps(spec, indent=1) + "\n")
    # The sweep names a trace outside its spec's directory by its absolute path.
    workloads = {str(Path(path).resolve()): name for name, path in traces}
    (out_dir / "replay_workloads.json").write_text(json.dumps(workloads, indent=1) + "\n")
    code = subprocess.run([args.allocsim, "sweep", str(out_dir / "replays.json"), "-o", str(out_dir / "replays"),
                           "-j", "1"]).returncode
    if code not in (0, 1):
        sys.exit(f"bench: allocsim sweep stopped with exit status {code}")


def program_configs(args, peers):
    configs = [("core", "allocsim-core", {"LD_PRELOAD": args.preload})]
    for name, lib in peers:
        configs.append((name, name, {"LD_PRELOAD": lib} if lib else {}))
    return configs


def rotated(items, rep):
    k = rep % len(items)
    return items[k:] + items[:k]


def run_program(args, writer, rep, workload, configs, reference):
    name, argv, stdin, env = workload
    for config, allocator, preload in rotated(configs, rep):
        wall, cpu, rss, code, out = measure(args, argv, {**env, **preload}, stdin)
        digest = hashlib.sha256(out).hexdigest()
        if config == "glibc" and name not in reference and code == 0:
            reference[name] = digest
        ok = code == 0 and reference.get(name, digest) == digest
        writer.writerow(dict(kind="program", workload=name, config=config, allocator=allocator, rep=rep,
                             wall_s=f"{wall:.6f}", cpu_s=f"{cpu:.6f}", peak_rss_bytes=rss, exit_code=code,
                             output_ok=int(ok)))


def main():
    args = parse_args()
    peers = [tuple(p.split("=", 1)) for p in args.peer]
    traces = [tuple(t.split("=", 1)) for t in args.trace]
    pattern = re.compile(args.filter)
    traces = [t for t in traces if pattern.search(t[0])]
    progs = [w for w in programs(args) if pattern.search(w[0])]
    if args.only == "replay":
        progs = []
    if args.only == "program":
        traces = []
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    if traces:
        run_replays(args, peers, traces, out_dir)
    reference = {}
    # glibc first in the first repetition, so every program has its reference output early.
    pconfigs = sorted(program_configs(args, peers), key=lambda c: c[0] != "glibc")
    total = args.reps * len(progs) * len(pconfigs)
    done = 0
    with open(out_dir / "runs.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=RUN_FIELDS)
        writer.writeheader()
        for rep in range(args.reps):
            for workload in progs:
                run_program(args, writer, rep, workload, pconfigs, reference)
                done += len(pconfigs)
                print(f"\rbench: {done}/{total} program runs", end="", file=sys.stderr, flush=True)
            f.flush()
    if total:
        print(file=sys.stderr)


if __name__ == "__main__":
    main()
