"""A multi-threaded CPython workload for scripts/validate_programs.sh: two
threads build, serialise, parse and drop JSON documents of dicts and
lists, so that (under PYTHONMALLOC=malloc) each object is a malloc and
frees come from both threads."""
import json
import sys
import threading


def work(seed, rounds, out):
    total = 0
    for r in range(rounds):
        doc = {f"k{i}": [seed, r, i, str(i * seed), {"v": i}] for i in range(200)}
        text = json.dumps(doc)
        back = json.loads(text)
        total += len(back) + len(text)
    out[seed] = total


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    out = {}
    threads = [threading.Thread(target=work, args=(s, rounds, out)) for s in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(sum(out.values()))


main()
