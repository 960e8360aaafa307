#!/usr/bin/env python3
"""make mutation: the security core under mutation testing, with verdicts to trust.

1. `mutmut run` mutates the modules [tool.mutmut] only_mutate names (pyproject.toml) and
   runs, for each mutant, the tests that reach its function, in forked processes.
2. Every verdict mutmut reports is checked again in a fresh `python -m pytest` process
   (MUTANT_UNDER_TEST set, the same tests), and that process's verdict is the one that
   counts. Forked runs share state a fresh process does not, both ways: a false kill, or
   a false survivor where the parent's warm caches (functools.cache) keep the mutated
   code from ever running in the fork. A timeout (out of mutmut's CPU allowance) is
   checked the same way.
3. Every survivor must be listed, with one line on why it is equivalent or harmless, in
   docs/mutation-survivors.md; a listed mutant that no longer survives is reported too.
   Each module's score is its confirmed kills over its mutants less the listed
   *equivalent* ones (no input behaves differently, so no test can kill them: the usual
   definition of a mutation score); it must be 90% or more. A *harmless* survivor (a
   difference, but none a client could act on) still counts against the score. The raw
   score, kills over all mutants, is printed beside it.

    python .ci/mutation.py [--jobs 2] [--skip-run] [--only accounts.jwt] [--no-recheck]

Exits 1 when a module scores under 90% or a survivor is not listed. Run it before
changing the security core (README: Testing); it takes tens of minutes.
"""

import argparse
import json
import os
import re
import subprocess
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
MUTANTS = BASE_DIR / "mutants"
SURVIVORS_FILE = BASE_DIR / "docs" / "mutation-survivors.md"
MUTMUT = Path(sys.executable).parent / "mutmut"
TARGET = 0.90
KILLED_CODES = {1, 3}  # pytest's "tests failed" and "internal error": mutmut counts both as kills
# A mutmut "timeout" (out of the CPU time it allots, SIGXCPU: a busy machine can cause it
# without any mutant looping) is re-checked like every other verdict.
LISTED = re.compile(r"^- `([\w.]+__mutmut_\d+)`: (\w+)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--skip-run", action="store_true", help="re-check and score the last run only")
    parser.add_argument("--only", help="a module (accounts.jwt) to report on; the run covers it alone")
    parser.add_argument(
        "--no-recheck",
        action="store_true",
        help="take mutmut's kills as they are (a quick look, not a verdict)",
    )
    options = parser.parse_args()

    if not options.skip_run:
        names = [f"{options.only}.*"] if options.only else []
        subprocess.run(
            [str(MUTMUT), "run", "--max-children", str(options.jobs), *names], cwd=BASE_DIR, check=True
        )

    verdicts = mutmut_verdicts()
    if options.only:
        verdicts = {name: code for name, code in verdicts.items() if name.startswith(options.only + ".")}
    tests = tests_by_function()
    kills = [name for name, code in verdicts.items() if code in KILLED_CODES]
    if options.no_recheck:
        confirmed = dict.fromkeys(kills, True)
    else:
        ran = [name for name, code in verdicts.items() if code is not None]
        print(
            f"Re-checking {len(ran)} verdicts in fresh pytest processes ({options.jobs} at a time)...",
            flush=True,
        )
        with ThreadPoolExecutor(options.jobs) as pool:
            checks = pool.map(lambda name: killed_in_a_fresh_process(name, tests), ran)
            confirmed = dict(zip(ran, checks, strict=True))

    false_kills = sorted(
        name for name, killed in confirmed.items() if not killed and verdicts[name] in KILLED_CODES
    )
    false_survivors = sorted(
        name for name, killed in confirmed.items() if killed and verdicts[name] not in KILLED_CODES
    )
    survivors = sorted(name for name in verdicts if not confirmed.get(name, False))
    listed = listed_survivors()
    equivalent = {name for name, kind in listed.items() if kind == "equivalent" and name in survivors}
    low = print_scores(verdicts, set(survivors), equivalent)
    unlisted = report(false_kills, false_survivors, survivors, set(listed), partial=bool(options.only))
    sys.exit(1 if low or unlisted else 0)


def mutmut_verdicts() -> dict[str, int | None]:
    """mutant name -> the exit code of its tests under mutmut (None: not checked)."""
    verdicts = {}
    for meta in MUTANTS.rglob("*.py.meta"):
        verdicts |= json.loads(meta.read_text())["exit_code_by_key"]
    return verdicts


def tests_by_function() -> dict[str, list[str]]:
    return json.loads((MUTANTS / "mutmut-stats.json").read_text())["tests_by_mangled_function_name"]


def killed_in_a_fresh_process(name: str, tests: dict[str, list[str]]) -> bool:
    covering = sorted(tests.get(name.rsplit("__mutmut_", 1)[0], []))
    if not covering:
        return False
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *covering],
        cwd=MUTANTS,
        env={**os.environ, "MUTANT_UNDER_TEST": name},
        capture_output=True,
        timeout=900,
        check=False,
    )
    return result.returncode in KILLED_CODES


def listed_survivors() -> dict[str, str]:
    """mutant name -> "equivalent" or "harmless", as docs/mutation-survivors.md lists it."""
    if not SURVIVORS_FILE.exists():
        return {}
    return {
        match.group(1): match.group(2).lower()
        for line in SURVIVORS_FILE.read_text().splitlines()
        if (match := LISTED.match(line))
    }


def module_of(name: str) -> str:
    return name.split(".x_")[0].split(".xǁ")[0]


def print_scores(verdicts: dict[str, int | None], survivors: set[str], equivalent: set[str]) -> list[str]:
    """Prints each module's score (kills over the mutants that are not equivalent) and
    its raw score (kills over all mutants); returns the modules under TARGET."""
    total, alive, same = Counter(), Counter(), Counter()
    for name in verdicts:
        total[module_of(name)] += 1
        alive[module_of(name)] += name in survivors
        same[module_of(name)] += name in equivalent
    print(f"\n{'module':32} {'mutants':>8} {'equiv.':>7} {'killed':>7} {'score':>7} {'raw':>7}")
    low = []
    for module in sorted(total):
        killed = total[module] - alive[module]
        score = killed / max(total[module] - same[module], 1)
        flag = "" if score >= TARGET else "   < 90%"
        low += [module] if flag else []
        raw = killed / total[module]
        print(f"{module:32} {total[module]:8} {same[module]:7} {killed:7} {score:7.1%} {raw:7.1%}{flag}")
    overall = len(verdicts) - len(survivors)
    score = overall / max(len(verdicts) - len(equivalent), 1)
    raw = overall / max(len(verdicts), 1)
    print(f"{'all':32} {len(verdicts):8} {len(equivalent):7} {overall:7} {score:7.1%} {raw:7.1%}\n")
    if low:
        print(f"Under {TARGET:.0%}: {', '.join(low)}")
    return low


def report(
    false_kills: list[str],
    false_survivors: list[str],
    survivors: list[str],
    listed: set[str],
    *,
    partial: bool,
) -> list[str]:
    """Prints false kills and survivors, unlisted and stale survivors; returns the unlisted ones."""
    if false_kills:
        print(f"{len(false_kills)} kills mutmut reported that a fresh process did not confirm:")
        print("".join(f"  {name}\n" for name in false_kills))
    if false_survivors:
        print(f"{len(false_survivors)} survivors mutmut reported that a fresh process killed:")
        print("".join(f"  {name}\n" for name in false_survivors))
    unlisted = [name for name in survivors if name not in listed]
    if unlisted:
        print(
            f"{len(unlisted)} survivors not in {SURVIVORS_FILE.relative_to(BASE_DIR)} (kill them, or list why):"
        )
        print("".join(f"  {name}\n" for name in unlisted))
    stale = sorted(listed - set(survivors)) if not partial else []
    if stale:
        print(f"{len(stale)} listed survivors no longer survive (remove them from the list):")
        print("".join(f"  {name}\n" for name in stale))
    return unlisted


if __name__ == "__main__":
    main()
