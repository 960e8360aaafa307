#!/usr/bin/env python3
"""Offline check that each requirements*.txt and the lock compiled from it agree.

Every requirements*.txt (at the top and one folder down) must have a .lock beside it
(`make lock` writes them); every pin in the requirements file, and in the files it
includes with `-r`, must be in that lock at the same version, each locked package must
carry a hash, and a package in several locks must have one version in all of them
(the bench installs its lock over the dev one). No network: it reads files only.

Usage: check_locks.py [ROOT]; prints one line per disagreement, exits 1 if any.
"""

import re
import sys
from pathlib import Path

# `Name[extras]==version`, the only form a requirements file here uses.
REQUIREMENT_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==(\S+)$")
# A lock's entry: `name==version \` then indented `--hash=...` and `# via` lines.
LOCK_ENTRY = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)(.*?)(?=^\S|\Z)", re.MULTILINE | re.DOTALL)


def canonical(name: str) -> str:
    """The name as PyPI compares it (PEP 503): `Django` and `django`, `a_b` and `a-b` alike."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(requirements: Path, problems: list[str], root: Path) -> dict[str, str]:
    """The exact pins of a requirements file and of those it includes with -r."""
    found = {}
    for line in requirements.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith(("-r ", "--requirement ")):
            found |= pins(requirements.parent / line.split(maxsplit=1)[1], problems, root)
        elif match := REQUIREMENT_PIN.match(line):
            found[canonical(match[1])] = match[2]
        else:
            problems.append(f"{requirements.relative_to(root)}: not an exact pin: {line}")
    return found


def locked(lock: Path, problems: list[str], root: Path) -> dict[str, str]:
    found = {}
    for name, version, rest in LOCK_ENTRY.findall(lock.read_text()):
        found[canonical(name)] = version
        if "--hash=" not in rest:
            problems.append(f"{lock.relative_to(root)}: {name}=={version} has no hash")
    return found


def check(root: Path) -> list[str]:
    problems: list[str] = []
    candidates = [*root.glob("requirements*.txt"), *root.glob("*/requirements*.txt")]
    locks = {}
    for requirements in sorted(path for path in candidates if not path.parent.name.startswith(".")):
        lock = requirements.with_suffix(".lock")
        shown, shown_lock = requirements.relative_to(root), lock.relative_to(root)
        if not lock.exists():
            problems.append(f"{shown} has no lock: {shown_lock}")
            continue
        locks[shown_lock] = locked(lock, problems, root)
        for name, version in pins(requirements, problems, root).items():
            if name not in locks[shown_lock]:
                problems.append(f"{shown} pins {name}=={version} but {shown_lock} has no {name}")
            elif locks[shown_lock][name] != version:
                problems.append(
                    f"{shown} pins {name}=={version} but {shown_lock} has {locks[shown_lock][name]}"
                )
    seen: dict[str, tuple[str, Path]] = {}
    for lock, versions in locks.items():
        for name, version in versions.items():
            first_version, first_lock = seen.setdefault(name, (version, lock))
            if first_version != version:
                problems.append(f"{first_lock} has {name}=={first_version} but {lock} has {version}")
    return problems


if __name__ == "__main__":
    problems = check(Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent.parent).resolve())
    for problem in problems:
        print(problem)
    sys.exit(1 if problems else 0)
