#!/usr/bin/env python3
"""make mutation: the security core under mutation testing, with verdicts to trust.

1. `mutmut run` mutates the modules [tool.mutmut] only_mutate names (pyproject.toml) and
   runs, for each mutant, the tests that reach its function. Each mutant runs in a
   process forked from mutmut's fork server, which has imported the code and collected
   the tests but run none (process_isolation = "forkserver"): the state a fresh
   `python -m pytest` has when its first test starts. Before the run, this script checks
   that collecting calls no function it mutates (a mutant that ran at import time in the
   server would be missed); a run of forked processes that shared the warm caches of a
   test run gave false verdicts both ways, which is why.
2. Verdicts are then checked again in fresh `python -m pytest` processes (MUTANT_UNDER_TEST
   set, the same tests), and the fresh verdict is the one that counts: every verdict that
   is neither a plain kill nor a plain survivor (a timeout: out of mutmut's CPU
   allowance, which a busy machine can cause), and a random sample of the others
   (--recheck N, or --recheck-all). A sampled verdict the fresh process contradicts fails
   the run: the fork server's verdicts are then not to be trusted.
3. mutmut keeps each verdict while the source of the mutant's function is unchanged, and
   this script commits them (with those hashes) to .ci/mutation-verdicts.json after every
   run and puts them back before the next: a run only runs the mutants of functions that
   changed, or that no run has reached yet. A verdict kept this way is not re-run when
   only the tests change: --rerun-survivors runs the survivors again after new tests,
   --fresh starts from nothing.
4. Every survivor must be listed, with one line on why it is equivalent or harmless, in
   docs/mutation-survivors.md; a listed mutant that no longer survives is reported too.
   Each module's score is its confirmed kills over its mutants less the listed
   *equivalent* ones (no input behaves differently, so no test can kill them: the usual
   definition of a mutation score); it must be 90% or more. A *harmless* survivor (a
   difference, but none a client could act on) still counts against the score. The raw
   score, kills over all mutants, is printed beside it.

    python .ci/mutation.py [--jobs 2] [--skip-run] [--only accounts.jwt]
                           [--recheck 40 | --recheck-all] [--rerun-survivors] [--fresh]

Exits 1 when a mutant has not been run, a module scores under 90%, a survivor is not
listed, or a fresh process contradicts a sampled verdict. Run it before changing the
security core and after (README: Testing): from nothing, the whole core takes hours on
two cores; after a change, minutes for the functions that changed.
"""

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
MUTANTS = BASE_DIR / "mutants"
SURVIVORS_FILE = BASE_DIR / "docs" / "mutation-survivors.md"
VERDICTS = BASE_DIR / ".ci" / "mutation-verdicts.json"
MUTMUT = Path(sys.executable).parent / "mutmut"
TARGET = 0.90
SURVIVED = 0
KILLED_CODES = {1, 3}  # pytest's "tests failed" and "internal error": mutmut counts both as kills
NO_TESTS = 33  # mutmut's code for a mutant no test reaches: a survivor, nothing to re-check
LISTED = re.compile(r"^- `([\w.]+__mutmut_\d+)`: (\w+)")
# pytest's assertion rewriting caches the rewritten test modules as bytecode; without the
# cache each fresh process rewrites about 300 modules again (4 s of 8).
FRESH_ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}

# Run in a fresh interpreter: collects the tests as mutmut's fork server does, and prints
# the mutated modules' functions that collecting calls (module and class bodies aside).
COLLECTION_PROBE = """
import json, sys, tomllib
from pathlib import Path
import pytest
config = tomllib.loads(Path("pyproject.toml").read_text())["tool"]["mutmut"]
mutated = {str(Path(name).resolve()) for name in config["only_mutate"]}
called = set()
def body(code):
    return code.co_name == "<module>" or "__qualname__" in code.co_names[:3]
def profile(frame, event, arg):
    code = frame.f_code
    if event == "call" and code.co_filename in mutated and not body(code):
        if not (code.co_name.startswith("<") and body(frame.f_back.f_code)):
            called.add(f"{Path(code.co_filename).relative_to(Path.cwd())}:{code.co_qualname}")
sys.setprofile(profile)
pytest.main(["--collect-only", "-qqq", "-p", "no:cacheprovider", *config["pytest_add_cli_args_test_selection"]])
sys.setprofile(None)
print(json.dumps(sorted(called)))
"""


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--skip-run", action="store_true", help="re-check and score the last run only")
    parser.add_argument(
        "--only", help="a module (accounts.jwt): run all its mutants again, and report on it alone"
    )
    parser.add_argument(
        "--recheck", type=int, default=40, metavar="N", help="plain verdicts re-checked at random (40)"
    )
    parser.add_argument("--recheck-all", action="store_true", help="re-check every verdict")
    parser.add_argument(
        "--rerun-survivors", action="store_true", help="run the survivors' tests again (after adding tests)"
    )
    parser.add_argument(
        "--fresh", action="store_true", help=f"start from no verdicts, not {VERDICTS.relative_to(BASE_DIR)}"
    )
    options = parser.parse_args()

    if not options.skip_run:
        if called := mutated_functions_called_while_collecting():
            print(
                "Collecting the tests calls mutated functions, so the fork server would run them unmutated:"
            )
            print("".join(f"  {name}\n" for name in called))
            sys.exit(1)
        if options.fresh:
            shutil.rmtree(MUTANTS, ignore_errors=True)
        else:
            restore_verdicts()
        try:
            run_mutmut(options.jobs, [f"{options.only}.*"] if options.only else [])
            if options.rerun_survivors:
                again = [
                    name for name, code in in_scope(mutmut_verdicts(), options.only).items() if survived(code)
                ]
                if again:  # with no names, mutmut would run whatever has no verdict
                    run_mutmut(options.jobs, again)
        finally:
            save_verdicts()

    verdicts = in_scope(mutmut_verdicts(), options.only)
    unrun = {name for name, code in verdicts.items() if code is None}
    killed = {name: code in KILLED_CODES for name, code in verdicts.items()}
    plain = sorted(name for name, code in verdicts.items() if code in KILLED_CODES | {SURVIVED})
    unusual = sorted(
        name for name, code in verdicts.items() if survived(code) and code not in {SURVIVED, NO_TESTS}
    )
    sample = plain if options.recheck_all else random.sample(plain, min(options.recheck, len(plain)))
    recheck = sorted(set(sample) | set(unusual))
    print(
        f"Re-checking {len(recheck)} verdicts in fresh pytest processes ({options.jobs} at a time): "
        f"{len(unusual)} timeouts or crashes, {len(sample)} of {len(plain)} plain kills and survivors.",
        flush=True,
    )
    tests = tests_by_function()
    with ThreadPoolExecutor(options.jobs) as pool:
        fresh = dict(
            zip(recheck, pool.map(lambda name: killed_in_a_fresh_process(name, tests), recheck), strict=True)
        )
    contradicted = sorted(name for name in sample if fresh[name] != killed[name])
    killed |= fresh

    survivors = sorted(name for name in verdicts if not killed[name] and name not in unrun)
    listed = listed_survivors()
    equivalent = {name for name, kind in listed.items() if kind == "equivalent" and name in survivors}
    low = print_scores(verdicts, set(survivors), equivalent, unrun)
    unlisted = report(contradicted, verdicts, survivors, set(listed), partial=bool(options.only or unrun))
    sys.exit(1 if low or unlisted or contradicted or unrun else 0)


def survived(code: int | None) -> bool:
    """A verdict mutmut reached that is not a kill (a survivor, no test, a timeout, a crash)."""
    return code is not None and code not in KILLED_CODES


def in_scope(verdicts: dict[str, int | None], only: str | None) -> dict[str, int | None]:
    return {name: code for name, code in verdicts.items() if not only or name.startswith(only + ".")}


def run_mutmut(jobs: int, names: list[str]) -> None:
    # mutmut exits non-zero when interrupted; what it recorded until then is kept.
    subprocess.run(
        [str(MUTMUT), "run", "--max-children", str(jobs), *names], cwd=BASE_DIR, env=FRESH_ENV, check=False
    )


def restore_verdicts() -> None:
    """Puts the committed verdicts where mutmut keeps its own, for each module it has none
    for: mutmut keeps a verdict while its function's source is unchanged, and runs the
    mutants of every other function."""
    if not VERDICTS.exists():
        return
    for path, module in json.loads(VERDICTS.read_text()).items():
        meta = MUTANTS / f"{path}.meta"
        if meta.exists():
            continue
        meta.parent.mkdir(parents=True, exist_ok=True)
        meta.write_text(
            json.dumps(
                {
                    "exit_code_by_key": module["verdicts"],
                    "hash_by_function_name": module["function_hashes"],
                    "type_check_error_by_key": {},
                    "durations_by_key": {},
                    "estimated_durations_by_key": {},
                }
            )
        )


def save_verdicts() -> None:
    """Writes mutmut's verdicts, with the hash of each function's source they hold for, to
    the committed file, so that the next run (anyone's) only runs what changed."""
    modules = {}
    for meta in sorted(MUTANTS.rglob("*.py.meta")):
        data = json.loads(meta.read_text())
        modules[str(meta.relative_to(MUTANTS))[: -len(".meta")]] = {
            "function_hashes": dict(sorted(data["hash_by_function_name"].items())),
            "verdicts": dict(sorted(data["exit_code_by_key"].items())),
        }
    VERDICTS.write_text(json.dumps(modules, indent=1, ensure_ascii=False) + "\n")


def mutated_functions_called_while_collecting(project: Path = BASE_DIR) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", COLLECTION_PROBE],
        cwd=project,
        env=FRESH_ENV,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.splitlines()[-1])


def mutmut_verdicts() -> dict[str, int | None]:
    """mutant name -> the exit code of its tests under mutmut (None: not checked)."""
    verdicts = {}
    for meta in MUTANTS.rglob("*.py.meta"):
        verdicts |= json.loads(meta.read_text())["exit_code_by_key"]
    return verdicts


def tests_by_function() -> dict[str, list[str]]:
    """mangled function name -> the tests that reach it, fastest first."""
    stats = json.loads((MUTANTS / "mutmut-stats.json").read_text())
    duration = stats["duration_by_test"]
    return {
        function: sorted(tests, key=lambda test: (duration.get(test, 0), test))
        for function, tests in stats["tests_by_mangled_function_name"].items()
    }


def killed_in_a_fresh_process(name: str, tests: dict[str, list[str]]) -> bool:
    covering = tests.get(name.rsplit("__mutmut_", 1)[0], [])
    if not covering:
        return False
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *covering],
        cwd=MUTANTS,
        env={**FRESH_ENV, "MUTANT_UNDER_TEST": name},
        capture_output=True,
        timeout=1800,
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


def print_scores(
    verdicts: dict[str, int | None], survivors: set[str], equivalent: set[str], unrun: set[str]
) -> list[str]:
    """Prints each module's score (kills over the mutants that are not equivalent) and
    its raw score (kills over all mutants), both over the mutants run so far; returns the
    modules under TARGET among those run whole."""
    total, alive, same, waiting = Counter(), Counter(), Counter(), Counter()
    for name in verdicts:
        total[module_of(name)] += 1
        alive[module_of(name)] += name in survivors
        same[module_of(name)] += name in equivalent
        waiting[module_of(name)] += name in unrun
    print(
        f"\n{'module':32} {'mutants':>8} {'not run':>8} {'equiv.':>7} {'killed':>7} {'score':>7} {'raw':>7}"
    )
    low = []
    for module in sorted(total):
        killed = total[module] - alive[module] - waiting[module]
        score = killed / max(total[module] - same[module] - waiting[module], 1)
        flag = "" if score >= TARGET else "   < 90%"
        low += [module] if flag and not waiting[module] else []
        raw = killed / max(total[module] - waiting[module], 1)
        print(
            f"{module:32} {total[module]:8} {waiting[module]:8} {same[module]:7} {killed:7} "
            f"{score:7.1%} {raw:7.1%}{flag}"
        )
    overall = len(verdicts) - len(survivors) - len(unrun)
    score = overall / max(len(verdicts) - len(equivalent) - len(unrun), 1)
    raw = overall / max(len(verdicts) - len(unrun), 1)
    print(
        f"{'all':32} {len(verdicts):8} {len(unrun):8} {len(equivalent):7} {overall:7} {score:7.1%} {raw:7.1%}\n"
    )
    if low:
        print(f"Under {TARGET:.0%}: {', '.join(low)}")
    if unrun:
        print(
            f"{len(unrun)} mutants not run yet: `make mutation` runs them (and only them, and changed code)."
        )
    return low


def report(
    contradicted: list[str],
    verdicts: dict[str, int | None],
    survivors: list[str],
    listed: set[str],
    *,
    partial: bool,
) -> list[str]:
    """Prints contradicted verdicts, unlisted and stale survivors; returns the unlisted ones."""
    if contradicted:
        print(f"{len(contradicted)} sampled verdicts a fresh process contradicted (mutmut's exit code):")
        print("".join(f"  {name} ({verdicts[name]})\n" for name in contradicted))
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
