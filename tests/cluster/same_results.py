#!/usr/bin/env python3
"""Checks that a merged sweep directory holds the same results as a local run.

    same_results.py LOCAL MERGED

summary.csv: every row and column equal, as text, except the columns that
come from the run's `host` object (host_wall_seconds): those measure the machine.
runs/: the same set of <id>.json files, no failure records, and each file
equal to its twin outside its top-level `host` object, numbers compared as
the text they were written as. Prints the first differences; exit 1 if any.
"""
import csv
import json
import os
import sys

HOST_COLUMNS = {"host_wall_seconds"}  # summary.csv columns read from /host/ (sim/metric_table.cpp)


def fail(messages):
    for m in messages[:20]:
        print("same_results: " + m, file=sys.stderr)
    if len(messages) > 20:
        print("same_results: ... %d more" % (len(messages) - 20), file=sys.stderr)
    sys.exit(1)


def summary(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    if not rows:
        fail([path + ": empty"])
    header = rows[0]
    keep = [i for i, name in enumerate(header) if name not in HOST_COLUMNS]
    return [[row[i] for i in keep] for row in rows], header


def load_run(path):
    with open(path) as f:
        # Numbers stay the text they were written as: 0.1 and 0.10000000000000001 differ.
        data = json.load(f, parse_float=lambda s: ("float", s), parse_int=lambda s: ("int", s))
    if not isinstance(data, dict) or "host" not in data:
        fail([path + ": not a metrics file with a host object"])
    del data["host"]
    return data


def first_difference(a, b, where=""):
    if type(a) is not type(b):
        return where or "/"
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return "%s/%s" % (where, k)
            d = first_difference(a[k], b[k], "%s/%s" % (where, k))
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return where + " (length %d vs %d)" % (len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_difference(x, y, "%s/%d" % (where, i))
            if d:
                return d
        return None
    return None if a == b else "%s (%r vs %r)" % (where or "/", a, b)


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    local, merged = sys.argv[1], sys.argv[2]
    problems = []

    a, header = summary(os.path.join(local, "summary.csv"))
    b, _ = summary(os.path.join(merged, "summary.csv"))
    if len(a) != len(b):
        problems.append("summary.csv: %d rows locally, %d merged" % (len(a) - 1, len(b) - 1))
    for n, (x, y) in enumerate(zip(a, b)):
        if x != y:
            problems.append("summary.csv line %d differs:\n  local:  %s\n  merged: %s" % (n + 1, ",".join(x), ",".join(y)))
    status = a[0].index("status")
    not_done = [row[0] for row in a[1:] if row[status] != "done"]
    if not_done:
        problems.append("the local run itself has runs not done: %s" % " ".join(not_done))

    names = {}
    for d in (local, merged):
        names[d] = sorted(os.listdir(os.path.join(d, "runs")))
        failures = [n for n in names[d] if n.endswith(".failed.json")]
        if failures:
            problems.append("%s/runs: failure records %s" % (d, " ".join(failures)))
    if names[local] != names[merged]:
        only_local = sorted(set(names[local]) - set(names[merged]))
        only_merged = sorted(set(names[merged]) - set(names[local]))
        problems.append("runs/ differ: only local %s; only merged %s" % (only_local, only_merged))
    compared = 0
    for n in sorted(set(names[local]) & set(names[merged])):
        if n.endswith(".failed.json"):
            continue
        d = first_difference(load_run(os.path.join(local, "runs", n)), load_run(os.path.join(merged, "runs", n)))
        compared += 1
        if d:
            problems.append("runs/%s differs outside host at %s" % (n, d))
    if compared == 0:
        problems.append("no run files to compare")
    if problems:
        fail(problems)
    print("same_results: summary.csv (%d rows, %d columns, without %s) and %d runs/*.json (without host) are identical"
          % (len(a) - 1, len(a[0]), ", ".join(sorted(HOST_COLUMNS & set(header))) or "no host column", compared))


if __name__ == "__main__":
    main()
