"""The benchmark: the library API under gunicorn, beside a bare Django ceiling and the
Flask tutorials' app, driven by wrk over loopback. Ratios from one run are what count.

    python bench/run.py                   # 10,000 authors, 10 s a scenario
    python bench/run.py --authors 1000000 --dead-token-rows 1000000   # the scale run

Each server runs one sync worker pinned to CPU 0; wrk runs on CPU 1. Also times password
hashing and each JWT signing algorithm in process (bench/jwt_algorithms.py). Prints a table and
writes bench/results/<time>.json, .png and -profile.txt, and the same as
bench/results/latest.* (or --label), which are committed.
"""

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import timeit
import urllib.request
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from jwt_algorithms import jwt_algorithm_costs
from jwt_algorithms import table as jwt_table

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS = BASE_DIR / "bench" / "results"
PYTHON = sys.executable
PASSWORD = "bench-password-1234"  # noqa: S105 - a throwaway benchmark account
SECRET = "bench-secret-key-" + "k" * 40
JWT_KEY = "bench-jwt-signing-key-" + "j" * 40
WARM_UP_SECONDS = 2
WARM_UP_TOKENS = 3000  # refresh tokens the warm-up may use; the measured run starts after them


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--authors", type=int, default=10_000)
    parser.add_argument("--dead-token-rows", type=int, default=100_000, help="for the token-table scenario")
    parser.add_argument("--seconds", type=int, default=10, help="per scenario")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--label", default="latest", help="also write bench/results/LABEL.* (committed)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: `make bench` installs Debian's wrk.")

    with tempfile.TemporaryDirectory(prefix="library-bench-") as tmp:
        run = Bench(Path(tmp), args)
        results = run.all()
    report(results, args)


class Bench:
    def __init__(self, tmp: Path, args):
        self.tmp, self.args = tmp, args
        self.database = tmp / "bench.sqlite3"
        self.env = {
            **{
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))
            },
            "DATABASE_URL": f"sqlite:///{self.database}",
            "DJANGO_SECRET_KEY": SECRET,
            "JWT_SIGNING_KEY": JWT_KEY,
            "DJANGO_DEBUG": "false",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "THROTTLE_LOGIN": "1000000/min",
            "THROTTLE_REGISTER": "1000000/min",
            "THROTTLE_REFRESH": "1000000/min",
            # The bench user holds every seeded session at once (MAX_SESSIONS_PER_USER
            # would end all but the newest 50 at the first login).
            "MAX_SESSIONS_PER_USER": "10000000",
            "LOG_LEVEL": "WARNING",  # the references log nothing either
            "PYTHONPATH": str(BASE_DIR),
        }
        self.rows: list[dict] = []

    def seed(self, refresh_file: str, refresh_tokens: int, **rows: int) -> None:
        """seed_bench: `rows` (authors=, dead_token_rows=) and live sessions whose refresh
        tokens go to `refresh_file` in the scratch directory."""
        options = [f"--{name.replace('_', '-')}={count}" for name, count in rows.items()]
        refresh = [f"--refresh-tokens={refresh_tokens}", f"--refresh-file={self.tmp / refresh_file}"]
        self.manage("seed_bench", *options, *refresh)

    def all(self) -> dict:
        started = time.monotonic()
        # More than one worker can refresh in the warm-up and the run; each token is used once.
        refresh_count = WARM_UP_TOKENS + self.args.seconds * 1500
        self.manage("migrate", "--no-input")
        self.seed("refresh-small.txt", refresh_count, authors=self.args.authors)
        access = self.login()
        author_id = self.first_author_id(access)
        last_page = (self.args.authors + 19) // 20
        auth = {"Authorization": f"Bearer {access}"}

        with self.server("library") as base:
            self.measure("library", "list 20 authors", base, "GET", "/api/authors/", auth)
            self.measure("library", "list, page 1", base, "GET", "/api/authors/?page=1", auth)
            self.measure(
                "library",
                f"list, last page ({last_page})",
                base,
                "GET",
                f"/api/authors/?page={last_page}",
                auth,
            )
            self.measure("library", "retrieve one author", base, "GET", f"/api/authors/{author_id}/", auth)
            self.measure("library", "create an author", base, "POST", "/api/authors/", auth, script="create")
            # One connection: the p50 is then one login, not a queue of them behind one worker.
            self.measure(
                "library",
                "login (Argon2, 1 connection)",
                base,
                "POST",
                "/api/auth/token/",
                {},
                script="login",
                connections=1,
            )
            self.measure(
                "library",
                "refresh, few token rows",
                base,
                "POST",
                "/api/auth/token/refresh/",
                {},
                script="refresh-small",
            )
            self.measure(
                "library",
                "verify, few token rows",
                base,
                "POST",
                "/api/auth/token/verify/",
                {},
                body={"token": access},
            )
        with self.server("library-without-revocation") as base:
            self.measure("no revocation check", "list 20 authors", base, "GET", "/api/authors/", auth)
        with self.server("ceiling") as base:
            self.measure("bare Django", "constant JSON", base, "GET", "/api/authors/", {})
        with self.server("flask") as base:
            self.measure("Flask + PyJWT + SQLAlchemy", "list 20 authors", base, "GET", "/api/authors/", auth)

        self.seed("refresh-large.txt", refresh_count, dead_token_rows=self.args.dead_token_rows)
        many = f"{self.args.dead_token_rows:,} more token rows"
        with self.server("library") as base:
            self.measure(
                "library",
                f"refresh, {many}",
                base,
                "POST",
                "/api/auth/token/refresh/",
                {},
                script="refresh-large",
            )
            self.measure(
                "library",
                f"verify, {many}",
                base,
                "POST",
                "/api/auth/token/verify/",
                {},
                body={"token": access},
            )

        return {
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "authors": self.args.authors,
            "dead_token_rows": self.args.dead_token_rows,
            "seconds_per_scenario": self.args.seconds,
            "connections": self.args.connections,
            "pinned": bool(taskset_prefix(0)),
            "rows": self.rows,
            "hashing_ms": hashing_times(),
            "jwt_algorithms": jwt_algorithm_costs(),
            "profile": self.profile(access),
            "total_seconds": round(time.monotonic() - started),
        }

    # --- servers ---------------------------------------------------------------------

    @contextmanager
    def server(self, kind: str):
        port = free_port()
        env = dict(self.env)
        app = "library.wsgi:application"
        if kind == "library-without-revocation":
            env["DJANGO_SETTINGS_MODULE"] = "bench.settings_without_revocation"
        elif kind == "ceiling":
            env["DJANGO_SETTINGS_MODULE"], app = "bench.ceiling", "bench.ceiling:application"
        elif kind == "flask":
            env["BENCH_SQLALCHEMY_URL"], app = f"sqlite:///{self.database}", "bench.flask_app:app"
        command = [
            *taskset_prefix(0),
            PYTHON,
            "-m",
            "gunicorn",
            app,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--worker-class",
            "sync",
        ]
        process = subprocess.Popen(
            command, cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(base, process)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=30)

    # --- measuring -------------------------------------------------------------------

    def measure(
        self, server, scenario, base, method, path, headers, script=None, body=None, connections=None
    ):
        lua = self.tmp / f"{len(self.rows)}.lua"
        lua.write_text(lua_script(method, path, headers, script, body, self.tmp))
        # A short warm-up, then the measured run (which skips the tokens the warm-up may have used).
        connections = connections or self.args.connections
        wrk(base + path, lua, seconds=WARM_UP_SECONDS, connections=connections, first_token=0)
        figures = wrk(
            base + path,
            lua,
            seconds=self.args.seconds,
            connections=connections,
            first_token=WARM_UP_TOKENS,
        )
        row = {"server": server, "scenario": scenario, **figures}
        self.rows.append(row)
        errors = f"  ({row['errors']} non-2xx)" if row["errors"] else ""
        print(
            f"{server:28} {scenario:40} {row['rps']:9.1f} req/s  p50 {row['p50_ms']:7.2f} ms{errors}",
            flush=True,
        )

    def manage(self, *args: str) -> None:
        subprocess.run(
            [PYTHON, "manage.py", *args], cwd=BASE_DIR, env=self.env, check=True, stdout=subprocess.DEVNULL
        )

    def login(self) -> str:
        with self.server("library") as base:
            body = json.dumps({"username": "bench", "password": PASSWORD}).encode()
            request = urllib.request.Request(
                f"{base}/api/auth/token/", data=body, headers={"Content-Type": "application/json"}
            )
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.load(response)["access"]

    def first_author_id(self, access: str) -> int:
        script = "from authors.models import Author; print(Author.objects.order_by('id').values_list('id', flat=True)[0])"
        out = subprocess.run(
            [PYTHON, "manage.py", "shell", "-c", script],
            cwd=BASE_DIR,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        )
        return int(out.stdout.strip().splitlines()[-1])

    def profile(self, access: str) -> str:
        """pyinstrument's view of 300 list requests, in process, on the same database."""
        out = subprocess.run(
            [PYTHON, str(BASE_DIR / "bench" / "profile_list.py"), access],
            cwd=BASE_DIR,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        )
        return out.stdout


def lua_script(method, path, headers, script, body, tmp: Path) -> str:
    header_lines = "".join(f'wrk.headers["{k}"] = "{v}"\n' for k, v in headers.items())
    common = f'wrk.method = "{method}"\nwrk.headers["Content-Type"] = "application/json"\n{header_lines}'
    if script == "create":
        return (
            common
            + "counter = 0\nrequest = function()\n  counter = counter + 1\n"
            + '  local body = string.format(\'{"name": "Bench %s-%d", "book": "B", "country": "C"}\', '
            + 'os.getenv("RUN_ID"), counter)\n'
            + f'  return wrk.format("{method}", "{path}", nil, body)\nend\n'
        )
    if script == "login":
        return common + f"wrk.body = '{json.dumps({'username': 'bench', 'password': PASSWORD})}'\n"
    if script and script.startswith("refresh"):
        return (
            common
            + f'tokens = {{}}\nfor line in io.lines("{tmp / (script + ".txt")}") do tokens[#tokens + 1] = line end\n'
            + 'i = tonumber(os.getenv("FIRST_TOKEN"))\nrequest = function()\n  i = i + 1\n'
            + "  local token = tokens[i] or tokens[#tokens]\n"
            + f'  return wrk.format("{method}", "{path}", nil, \'{{"refresh": "\' .. token .. \'"}}\')\nend\n'
        )
    if body is not None:
        return common + f"wrk.body = '{json.dumps(body)}'\n"
    return common


def wrk(url: str, lua: Path, seconds: int, connections: int, first_token: int) -> dict:
    command = [
        *taskset_prefix(1),
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "-s",
        str(lua),
        url,
    ]
    # Where the refresh script starts in its tokens; a run id that keeps created names unique.
    env = {**os.environ, "FIRST_TOKEN": str(first_token), "RUN_ID": str(time.time_ns())}
    out = subprocess.run(
        command, check=True, capture_output=True, text=True, timeout=seconds + 60, env=env
    ).stdout
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": to_ms(percentiles["50"]),
        "p99_ms": to_ms(percentiles["99"]),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "errors": int(errors.group(1)) if errors else 0,
    }


def to_ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def taskset_prefix(cpu: int) -> list[str]:
    if shutil.which("taskset") and (os.cpu_count() or 1) >= 2:
        return ["taskset", "-c", str(cpu)]
    return []


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(base: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server at {base} exited: {process.stderr.read().decode()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", int(base.rsplit(":", 1)[1])), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server at {base} did not come up")


def hashing_times() -> dict:
    """One hash with Django's Argon2 parameters, and with its default PBKDF2 iterations."""
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "library.settings")
    import django

    django.setup()
    from django.contrib.auth.hashers import Argon2PasswordHasher, PBKDF2PasswordHasher

    figures = {}
    for hasher in (Argon2PasswordHasher(), PBKDF2PasswordHasher()):
        salt = hasher.salt()
        seconds = min(timeit.repeat(lambda h=hasher, s=salt: h.encode(PASSWORD, s), number=1, repeat=5))
        figures[hasher.algorithm] = round(seconds * 1000, 1)
    argon2 = Argon2PasswordHasher()
    figures["argon2_parameters"] = (
        f"memory {argon2.memory_cost // 1024} MiB, time cost {argon2.time_cost}, parallelism {argon2.parallelism}"
    )
    figures["pbkdf2_iterations"] = PBKDF2PasswordHasher.iterations
    return figures


# --- the report ----------------------------------------------------------------------


def find(results: dict, server: str, scenario_start: str) -> dict:
    return next(
        r for r in results["rows"] if r["server"] == server and r["scenario"].startswith(scenario_start)
    )


def targets(results: dict) -> list[tuple[str, str, bool]]:
    ours = find(results, "library", "list 20 authors")
    flask = find(results, "Flask + PyJWT + SQLAlchemy", "list 20 authors")
    ceiling = find(results, "bare Django", "constant JSON")
    plain = find(results, "no revocation check", "list 20 authors")
    first, last = find(results, "library", "list, page 1"), find(results, "library", "list, last page")
    lines = []

    def add(name, ratio, passed, fmt):
        lines.append((name, fmt.format(ratio), passed))

    add(
        "list vs Flask throughput (>= 1.0x)",
        ours["rps"] / flask["rps"],
        ours["rps"] >= flask["rps"],
        "{:.2f}x",
    )
    add(
        "list vs bare Django (>= 0.5x)",
        ours["rps"] / ceiling["rps"],
        ours["rps"] >= 0.5 * ceiling["rps"],
        "{:.2f}x",
    )
    cost = 1 - ours["rps"] / plain["rps"]
    add("revocation check cost (<= 5%)", cost * 100, cost <= 0.05, "{:.1f}%")
    add(
        "last page p50 / page 1 p50 (<= 2x)",
        last["p50_ms"] / first["p50_ms"],
        last["p50_ms"] <= 2 * first["p50_ms"],
        "{:.2f}x",
    )
    for kind in ("refresh", "verify"):
        few = find(results, "library", f"{kind}, few")
        many = find(results, "library", f"{kind}, {results['dead_token_rows']:,}")
        ratio = many["p50_ms"] / few["p50_ms"]
        add(f"{kind} p50 with many token rows / few (~1x)", ratio, ratio <= 1.25, "{:.2f}x")
    return lines


def report(results: dict, args) -> None:
    results["targets"] = [{"target": t, "measured": m, "met": ok} for t, m, ok in targets(results)]
    print()
    print(f"{'server':28} {'scenario':40} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}")
    for row in results["rows"]:
        print(
            f"{row['server']:28} {row['scenario']:40} {row['rps']:9.1f} {row['p50_ms']:8.2f} "
            f"{row['p99_ms']:8.2f} {row['errors']:8d}"
        )
    print()
    for target in results["targets"]:
        print(f"{'met    ' if target['met'] else 'NOT met'}  {target['target']:45} {target['measured']}")
    hashing = results["hashing_ms"]
    print(
        f"\nOne password hash: Argon2 {hashing['argon2']} ms ({hashing['argon2_parameters']}); "
        f"PBKDF2 {hashing['pbkdf2_sha256']} ms ({hashing['pbkdf2_iterations']:,} iterations)."
    )
    print("\nOne access token checked (every request) and signed (twice a login or refresh), in process:")
    print(jwt_table(results["jwt_algorithms"]))
    print(
        f"\n{results['authors']:,} authors; {results['seconds_per_scenario']} s a scenario; "
        f"{'pinned' if results['pinned'] else 'not pinned'}; {results['total_seconds']} s in all."
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    for name in (stamp, args.label):
        (RESULTS / f"{name}.json").write_text(json.dumps(results, indent=2) + "\n")
        (RESULTS / f"{name}-profile.txt").write_text(results["profile"])
        chart(results, RESULTS / f"{name}.png")
    print(f"Wrote bench/results/{stamp}.json, .png and -profile.txt (and {args.label}.*).")


def chart(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    rows = results["rows"]
    labels = [f"{r['server']}: {r['scenario']}" for r in rows]
    figure, axis = pyplot.subplots(figsize=(11, 0.45 * len(rows) + 1.5))
    bars = axis.barh(labels, [r["rps"] for r in rows], color="#3b6ea5")
    axis.bar_label(bars, labels=[f"{r['rps']:.0f}" for r in rows], padding=3, fontsize=8)
    axis.invert_yaxis()
    axis.set_xlabel("requests per second (1 sync worker, higher is better)")
    axis.set_title(f"library benchmark, {results['when']}, {results['authors']:,} authors")
    axis.tick_params(axis="y", labelsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=100)


if __name__ == "__main__":
    main()
