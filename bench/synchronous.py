"""What SQLite's synchronous=FULL (the default) costs against NORMAL: the benchmark's
"create an author" scenario, the two settings in interleaved rounds.

    .venv/bin/python bench/synchronous.py [--rounds 3] [--seconds 8]

Prints each round and the medians; reads are not affected, so only writes are measured.
"""

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench

MODES = ("FULL", "NORMAL")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=8)
    options = parser.parse_args()
    rps = {mode: [] for mode in MODES}
    with tempfile.TemporaryDirectory(prefix="library-synchronous-") as tmp:
        database = Path(tmp) / "bench.sqlite3"
        bench.manage(bench.environment(database), "migrate", "--no-input")
        bench.manage(bench.environment(database), "seed_bench", "--authors=1000")
        bench.settle(database)
        run = bench.Bench(Path(tmp), argparse.Namespace(connections=4))
        servers = {
            mode: bench.Server("library", database, settings={"SQLITE_SYNCHRONOUS": mode}) for mode in MODES
        }
        for round_number in range(1, options.rounds + 1):
            for mode in MODES:
                run.servers = {mode: servers[mode]}
                scenario = bench.Scenario(
                    "create", mode, f"create an author, round {round_number}", mode, "POST", script="create"
                )
                with run.serve(servers[mode]):
                    rps[mode].append(run.measure(scenario, options.seconds)["rps"])
    medians = {mode: statistics.median(rps[mode]) for mode in MODES}
    print(f"median req/s: FULL {medians['FULL']:.1f}, NORMAL {medians['NORMAL']:.1f}, ", end="")
    print(f"FULL/NORMAL {medians['FULL'] / medians['NORMAL']:.2f}")


if __name__ == "__main__":
    main()
