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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=8)
    options = parser.parse_args()
    args = argparse.Namespace(authors=1000, dead_token_rows=0, seconds=options.seconds, connections=4)
    with tempfile.TemporaryDirectory(prefix="library-synchronous-") as tmp:
        run = bench.Bench(Path(tmp), args)
        run.manage("migrate", "--no-input")
        run.seed("refresh.txt", 1, authors=args.authors)
        auth = {"Authorization": f"Bearer {run.login()}"}
        for round_number in range(1, options.rounds + 1):
            for mode in ("FULL", "NORMAL"):
                run.env["SQLITE_SYNCHRONOUS"] = mode
                with run.server("library") as base:
                    scenario = f"create an author, round {round_number}"
                    run.measure(mode, scenario, base, "POST", "/api/authors/", auth, script="create")
    medians = {
        mode: statistics.median(row["rps"] for row in run.rows if row["server"] == mode)
        for mode in ("FULL", "NORMAL")
    }
    print(f"median req/s: FULL {medians['FULL']:.1f}, NORMAL {medians['NORMAL']:.1f}, ", end="")
    print(f"FULL/NORMAL {medians['FULL'] / medians['NORMAL']:.2f}")


if __name__ == "__main__":
    main()
