"""The lists of programs the benchmarks run, read into Workload records.

Two formats:
- tests/stress/workloads.txt (read_stress_workloads): NAME PROGRAM [ARGS],
  the stress suite at one size; the same rules as tests/stress/workloads.hpp.
- configs/real-programs.txt (read_program_list): NAME CHECK COMMAND, real
  programs with their inputs; its header says what each word means.

A bad line of either is an InputError naming the file and line, raised
before anything runs.
"""
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path


class InputError(Exception):
    pass


@dataclass
class Workload:
    name: str
    argv: list
    env: dict = field(default_factory=dict)
    stdin: str = None      # a file fed to the program's stdin
    same_stdout: bool = True  # stdout must equal glibc's (else: exit status 0 and empty stderr only)
    rate: str = None       # regex whose group 1 is the program's own throughput (higher is better)


def read_stress_workloads(path, size, bin_dir):
    """Each workload of tests/stress/workloads.txt at `size`, its program in bin_dir."""
    out = []
    for line in Path(path).read_text().splitlines():
        words = line.split("#", 1)[0].split()
        if len(words) < 2:
            continue
        name, program, argv = words[0], words[1], [str(Path(bin_dir) / words[1]), size]
        for arg in words[2:]:
            colon, eq = arg.find(":"), arg.find("=")
            if colon >= 0 and (eq < 0 or colon < eq):
                if arg[:colon] == size:
                    argv.append(arg[colon + 1:])
            else:
                argv.append(arg)
        out.append(Workload(name, argv))
    return out


PLACEHOLDER = re.compile(r"\{(src|bin|ext)\}")


def read_program_list(path, places):
    """The workloads of a real-programs list whose programs exist.

    places: {"src": source tree, "bin": the build's bin dir, "ext": external
    benchmark binaries or None}. A line whose words use {ext} is left out
    when there is no external directory or its program is not in it (the
    second list of the result names those); every other missing program or
    input is an InputError.
    """
    out, absent = [], []
    for number, line in enumerate(Path(path).read_text().splitlines(), 1):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        where = f"{path}:{number}"
        if len(words) < 3:
            raise InputError(f"{where}: expected NAME CHECK COMMAND..., got '{line.strip()}'")
        name, check, command = words[0], words[1], words[2:]
        w = Workload(name, [])
        if check == "same":
            pass
        elif check == "exit":
            w.same_stdout = False
        elif check.startswith("rate:"):
            w.same_stdout = False
            w.rate = check[len("rate:"):]
            try:
                if re.compile(w.rate).groups < 1:
                    raise InputError(f"{where}: the rate regex '{w.rate}' needs a group around the number")
            except re.error as e:
                raise InputError(f"{where}: bad rate regex '{w.rate}': {e}") from None
        else:
            raise InputError(f"{where}: CHECK must be same, exit or rate:REGEX, got '{check}'")
        uses_ext = any("{ext}" in word for word in command)
        if uses_ext and not places.get("ext"):
            absent.append(name)
            continue
        expand = lambda word: PLACEHOLDER.sub(lambda m: str(places[m.group(1)]), word)  # noqa: E731
        while command and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", command[0]):
            key, value = command.pop(0).split("=", 1)
            w.env[key] = expand(value)
        if len(command) >= 2 and command[-2] == "<":
            w.stdin = expand(command[-1])
            command = command[:-2]
            if not Path(w.stdin).is_file():
                raise InputError(f"{where}: input file {w.stdin} does not exist")
        if not command:
            raise InputError(f"{where}: no program to run")
        w.argv = [expand(word) for word in command]
        program = w.argv[0]
        found = Path(program).is_file() if "/" in program else shutil.which(program)
        if not found:
            if uses_ext:
                absent.append(name)
                continue
            raise InputError(f"{where}: program {program} not found")
        for word, arg in zip(command[1:], w.argv[1:]):
            if PLACEHOLDER.search(word) and not Path(arg).exists():
                raise InputError(f"{where}: {arg} does not exist")
        out.append(w)
    return out, absent
