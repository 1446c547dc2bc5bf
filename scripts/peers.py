"""configs/peers.txt, the allocators allocsim is measured against: NAMES in
file order, LIBRARY[name] (None for the process's own malloc), PACKAGE[name]."""
from pathlib import Path

NAMES, LIBRARY, PACKAGE = [], {}, {}
for line in (Path(__file__).resolve().parent.parent / "configs/peers.txt").read_text().splitlines():
    if not line.strip() or line.startswith("#"):
        continue
    name, library, package = line.split()
    NAMES.append(name)
    LIBRARY[name] = None if library == "-" else library
    PACKAGE[name] = package
