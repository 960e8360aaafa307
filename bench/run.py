"""The benchmark: the library API under gunicorn, beside a bare Django ceiling and the
Flask tutorials' app, driven by wrk over loopback, in interleaved rounds.

    python bench/run.py                    # 3 rounds of 5 s a scenario, about 10 minutes
    python bench/run.py --seconds 1 --rounds 1 --large-authors 0 --label quick   # a quick look
    python bench/run.py --authors 1000000 --dead-token-rows 1000000 --label scale   # the scale run

Every server starts once (one gunicorn sync worker each, pinned to CPU 0; wrk runs on CPU
1), each scenario is warmed up once, then every round runs every scenario once, in the
same order. A figure is the median over the rounds, with its spread ((max - min) / median).
The databases are seeded first and copied, so that writes (create, login, refresh) never
change what the reads see: the library (--authors), a copy for the writes, a copy with
--dead-token-rows more token rows, and the large library (--large-authors) of its own.

Then, in process: CPU per request of each application (bench/cpu.py), password hashing,
each JWT signing algorithm (bench/jwt_algorithms.py) and pyinstrument's profile of the
list. Prints the table, the issue's targets and how they moved since the last run; writes
bench/results/<time>.json, .png and -profile.txt, and the same as bench/results/latest.*
(or --label), which are committed.
"""

import argparse
import json
import os
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
import urllib.request
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import cpu
from jwt_algorithms import jwt_algorithm_costs
from jwt_algorithms import table as jwt_table

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS = BASE_DIR / "bench" / "results"
PYTHON = sys.executable
FORMAT = 2  # of the results file; the comparison with the last run needs the same
USERNAME = "bench"
PASSWORD = "bench-password-1234"  # noqa: S105 - a throwaway benchmark account
SECRET = "bench-secret-key-" + "k" * 40
JWT_KEY = "bench-jwt-signing-key-" + "j" * 40
# Refresh tokens are single-use: enough for this many refreshes a second, through the
# warm-up and every round, for each of the two refresh scenarios (their databases are copies).
MAX_REFRESH_RATE = 1500
STEADY = 10  # percent: a target ratio that moved more than this since the last run is flagged


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--authors", type=int, default=10_000, help="the library the scenarios read")
    parser.add_argument(
        "--large-authors",
        type=int,
        default=1_000_000,
        help="a second, larger library for the list (none unless larger than --authors)",
    )
    parser.add_argument("--dead-token-rows", type=int, default=100_000, help="for the token-table scenarios")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5, help="per scenario and round")
    parser.add_argument("--warm-up", type=int, default=1, help="seconds per scenario, before the rounds")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--label", default="latest", help="also write bench/results/LABEL.* (committed)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: `make bench` installs Debian's wrk.")

    with tempfile.TemporaryDirectory(prefix="library-bench-") as tmp:
        results = Bench(Path(tmp), args).all()
    report(results, args)


def environment(database: Path) -> dict[str, str]:
    """The servers' environment: production settings (DEBUG off) on `database`, and
    limits out of the way of a load test. SQLite keeps the project's defaults
    (synchronous=FULL): nothing here sets SQLITE_*."""
    return {
        **{
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "SQLITE_"))
        },
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SECRET_KEY": SECRET,
        "JWT_SIGNING_KEY": JWT_KEY,
        "DJANGO_DEBUG": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        # Rates no run reaches, over one second: DRF's throttle keeps the time of every
        # request in its window, and all of the benchmark's requests come from one
        # address, so over a minute that list grew to thousands of entries, pickled into
        # the counter's row on each refresh (a real client refreshes every few minutes).
        "THROTTLE_LOGIN": "1000000/s",
        "THROTTLE_REGISTER": "1000000/s",
        "THROTTLE_REFRESH": "1000000/s",
        # The bench user holds every seeded session at once (MAX_SESSIONS_PER_USER
        # would end all but the newest 50 at the first login).
        "MAX_SESSIONS_PER_USER": "10000000",
        "LOG_LEVEL": "WARNING",  # the references log nothing either
        "PYTHONPATH": str(BASE_DIR),
    }


def manage(env: dict, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=BASE_DIR, env=env, check=True, stdout=subprocess.DEVNULL)


def settle(database: Path) -> None:
    """Fold the write-ahead log into the database file and empty it: every server then
    starts from one file, with no checkpoint of the seeding's writes to pay in a round
    (and a copy of the file is the whole database)."""
    with closing(sqlite3.connect(database)) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


@dataclass
class Server:
    kind: str  # library, library-without-revocation, ceiling or flask
    database: Path
    refresh_file: Path | None = None
    base: str = ""
    access: str = ""  # a token of the user "bench" in this server's database
    next_token: int = 0  # the first refresh token no request has used yet
    settings: dict[str, str] = field(default_factory=dict)  # more environment


@dataclass
class Scenario:
    key: str
    server: str  # as the table names it
    name: str
    host: str  # which of Bench.servers answers it
    method: str = "GET"
    path: str = "/api/authors/"
    auth: bool = True
    script: str | None = None  # create, login, refresh or verify
    connections: int | None = None


class Bench:
    def __init__(self, tmp: Path, args):
        self.tmp, self.args = tmp, args
        self.servers: dict[str, Server] = {}
        self.seeding: dict[str, float] = {}
        self.phases: dict[str, int] = {}
        self.refresh_tokens = 0

    def all(self) -> dict:
        started, load_before = time.monotonic(), os.getloadavg()[0]
        self.prepare()
        self.phases["seeding"] = round(time.monotonic() - started)
        scenarios = self.scenarios()
        with ExitStack() as stack:
            for server in self.servers.values():
                stack.enter_context(self.serve(server))
            print(f"Warm-up: {self.args.warm_up} s a scenario.", flush=True)
            for scenario in scenarios:
                self.measure(scenario, self.args.warm_up)
            rounds = {scenario.key: [] for scenario in scenarios}
            for number in range(1, self.args.rounds + 1):
                print(f"Round {number} of {self.args.rounds}: {self.args.seconds} s a scenario.", flush=True)
                for scenario in scenarios:
                    rounds[scenario.key].append(self.measure(scenario, self.args.seconds))
        self.phases["servers and rounds"] = round(time.monotonic() - started) - self.phases["seeding"]
        library = self.servers["library"]
        large = self.servers.get("large")
        print("In process: CPU per request, hashing, JWT algorithms, the list's profile.", flush=True)
        in_process = {}
        for what, measure in (
            ("cpu", lambda: cpu.cpu_figures(library.database, large.database if large else None)),
            ("hashing", hashing_times),
            ("jwt", lambda: jwt_algorithm_costs(number=500)),
            ("profile", lambda: self.profile(library)),
        ):
            begun = time.monotonic()
            in_process[what] = measure()
            self.phases[f"in process: {what}"] = round(time.monotonic() - begun)
        figures = in_process["cpu"]
        return {
            "format": FORMAT,
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "authors": self.args.authors,
            "large_authors": self.args.large_authors,
            "dead_token_rows": self.args.dead_token_rows,
            "rounds": self.args.rounds,
            "seconds_per_scenario": self.args.seconds,
            "warm_up_seconds": self.args.warm_up,
            "connections": self.args.connections,
            "pinned": bool(taskset_prefix(0)),
            "seeding_seconds": self.seeding,
            "rows": [summary(scenario, rounds[scenario.key]) for scenario in scenarios],
            "sqlite_synchronous": figures.pop("sqlite_synchronous"),
            "cpu_us": figures,
            "hashing_ms": in_process["hashing"],
            "jwt_algorithms": in_process["jwt"],
            "profile": in_process["profile"],
            "phase_seconds": self.phases,
            "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],
            "total_seconds": round(time.monotonic() - started),
        }

    # --- the databases -----------------------------------------------------------------

    def prepare(self) -> None:
        """Seed each database once; the larger seedings run side by side."""
        names = ("empty", "library", "writes", "tokens", "large")
        database = {name: self.tmp / f"{name}.sqlite3" for name in names}
        refresh_file = self.tmp / "refresh.txt"
        started = time.monotonic()
        manage(environment(database["empty"]), "migrate", "--no-input")
        settle(database["empty"])
        large = None
        if self.args.large_authors > self.args.authors:
            shutil.copyfile(database["empty"], database["large"])
            large = self.start_seeding(database["large"], f"--authors={self.args.large_authors}")
        try:
            shutil.copyfile(database["empty"], database["library"])
            self.timed("library", lambda: self.seed(database["library"], f"--authors={self.args.authors}"))
            self.refresh_tokens = (
                self.args.warm_up + self.args.rounds * self.args.seconds
            ) * MAX_REFRESH_RATE
            self.timed(
                "live sessions",
                lambda: self.seed_sessions(database["library"], self.refresh_tokens, refresh_file),
            )
            settle(database["library"])
            for copy in ("writes", "tokens"):
                shutil.copyfile(database["library"], database[copy])
            self.timed(
                "dead token rows",
                lambda: self.seed(database["tokens"], f"--dead-token-rows={self.args.dead_token_rows}"),
            )
            settle(database["tokens"])
            if large:
                self.timed("large library (beside the others)", large.wait, started)
                if large.returncode:
                    raise RuntimeError(f"seeding the large library failed ({large.returncode})")
                settle(database["large"])
        finally:
            if large and large.poll() is None:
                large.terminate()
                large.wait()
        self.servers = {
            "library": Server("library", database["library"]),
            "no revocation": Server("library-without-revocation", database["library"]),
            "flask": Server("flask", database["library"]),
            "ceiling": Server("ceiling", database["library"]),
            "writes": Server("library", database["writes"], refresh_file),
            "tokens": Server("library", database["tokens"], refresh_file),
        }
        if large:
            self.servers["large"] = Server("library", database["large"])

    def seed(self, database: Path, *options: str) -> None:
        manage(environment(database), "seed_bench", f"--username={USERNAME}", *options)

    def start_seeding(self, database: Path, *options: str) -> subprocess.Popen:
        command = [PYTHON, "manage.py", "seed_bench", f"--username={USERNAME}", *options]
        return subprocess.Popen(command, cwd=BASE_DIR, env=environment(database), stdout=subprocess.DEVNULL)

    def seed_sessions(self, database: Path, count: int, refresh_file: Path) -> None:
        script = BASE_DIR / "bench" / "seed_sessions.py"
        command = [PYTHON, str(script), USERNAME, str(count), str(refresh_file)]
        subprocess.run(command, cwd=BASE_DIR, env=environment(database), check=True)

    def timed(self, what: str, step, started: float | None = None) -> None:
        """Run `step`; record and print how long it took (since `started` if given)."""
        begun = time.monotonic()
        step()
        self.seeding[what] = round(time.monotonic() - (started or begun), 1)
        print(f"Seeded {what} in {self.seeding[what]} s.", flush=True)

    # --- the scenarios -----------------------------------------------------------------

    def scenarios(self) -> list[Scenario]:
        """Every scenario, in the order of a round: the compared lists side by side."""
        last_page = (self.args.authors + 19) // 20
        author = first_author_id(self.servers["library"].database)
        many = f"{self.args.dead_token_rows:,} more token rows"
        scenarios = [
            Scenario("list", "library", "list 20 authors", "library"),
            Scenario("no_revocation_list", "no revocation check", "list 20 authors", "no revocation"),
            Scenario("flask_list", "Flask + PyJWT + SQLAlchemy", "list 20 authors", "flask"),
            Scenario("ceiling", "bare Django", "constant JSON", "ceiling", auth=False),
        ]
        if "large" in self.servers:
            name = f"list 20 authors, {self.args.large_authors:,}-author library"
            scenarios.append(Scenario("list_large", "library", name, "large"))
        return [
            *scenarios,
            Scenario("page_1", "library", "list, page 1", "library", path="/api/authors/?page=1"),
            Scenario(
                "last_page",
                "library",
                f"list, last page ({last_page})",
                "library",
                path=f"/api/authors/?page={last_page}",
            ),
            Scenario("retrieve", "library", "retrieve one author", "library", path=f"/api/authors/{author}/"),
            Scenario(
                "verify_few",
                "library",
                "verify, few token rows",
                "library",
                "POST",
                "/api/auth/token/verify/",
                auth=False,
                script="verify",
            ),
            Scenario(
                "verify_many",
                "library",
                f"verify, {many}",
                "tokens",
                "POST",
                "/api/auth/token/verify/",
                auth=False,
                script="verify",
            ),
            Scenario("create", "library", "create an author", "writes", "POST", script="create"),
            Scenario(
                "refresh_few",
                "library",
                "refresh, few token rows",
                "writes",
                "POST",
                "/api/auth/token/refresh/",
                auth=False,
                script="refresh",
            ),
            Scenario(
                "refresh_many",
                "library",
                f"refresh, {many}",
                "tokens",
                "POST",
                "/api/auth/token/refresh/",
                auth=False,
                script="refresh",
            ),
            # One connection: the p50 is then one login, not a queue of them behind one worker.
            Scenario(
                "login",
                "library",
                "login (Argon2, 1 connection)",
                "writes",
                "POST",
                "/api/auth/token/",
                auth=False,
                script="login",
                connections=1,
            ),
        ]

    # --- servers -------------------------------------------------------------------------

    @contextmanager
    def serve(self, server: Server):
        port = free_port()
        env = {**environment(server.database), **server.settings}
        app = "library.wsgi:application"
        if server.kind == "library-without-revocation":
            env["DJANGO_SETTINGS_MODULE"] = "bench.settings_without_revocation"
        elif server.kind == "ceiling":
            env["DJANGO_SETTINGS_MODULE"], app = "bench.ceiling", "bench.ceiling:application"
        elif server.kind == "flask":
            env["BENCH_SQLALCHEMY_URL"], app = f"sqlite:///{server.database}", "bench.flask_app:app"
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
        server.base = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(server.base, process)
            if server.kind == "library":
                server.access = login(server.base)
            yield server
        finally:
            process.terminate()
            process.wait(timeout=30)

    # --- measuring -----------------------------------------------------------------------

    def measure(self, scenario: Scenario, seconds: int) -> dict:
        server = self.servers[scenario.host]
        # The references read the library's database: its token is theirs too.
        access = server.access or self.servers["library"].access
        path = scenario.path
        headers = {"Authorization": f"Bearer {access}"} if scenario.auth else {}
        lua = self.tmp / f"{scenario.key}.lua"
        lua.write_text(lua_script(scenario, path, headers, access, server.refresh_file))
        connections = scenario.connections or self.args.connections
        figures = wrk(server.base + path, lua, seconds, connections, first_token=server.next_token)
        if scenario.script == "refresh":
            # Each request used one token; those in flight when wrk stopped did too.
            server.next_token += figures["requests"] + connections
            if server.next_token > self.refresh_tokens:
                print(f"  Out of refresh tokens: raise MAX_REFRESH_RATE ({MAX_REFRESH_RATE}).", flush=True)
        errors = f"  ({figures['errors']} non-2xx)" if figures["errors"] else ""
        print(
            f"  {scenario.server:28} {scenario.name:44} {figures['rps']:9.1f} req/s  "
            f"p50 {figures['p50_ms']:7.2f} ms{errors}",
            flush=True,
        )
        return figures

    def profile(self, server: Server) -> str:
        """pyinstrument's view of 300 list requests, in process, on the library's database."""
        out = subprocess.run(
            [PYTHON, str(BASE_DIR / "bench" / "profile_list.py"), server.access],
            cwd=BASE_DIR,
            env=environment(server.database),
            check=True,
            capture_output=True,
            text=True,
        )
        return out.stdout


def summary(scenario: Scenario, rounds: list[dict]) -> dict:
    """A scenario's medians over the rounds and their spread, beside each round's figures."""
    figures = {
        "key": scenario.key,
        "server": scenario.server,
        "scenario": scenario.name,
        "errors": sum(r["errors"] for r in rounds),
    }
    for name in ("rps", "p50_ms", "p99_ms"):
        values = [r[name] for r in rounds]
        figures[name] = round(statistics.median(values), 2)
        figures[f"{name}_spread_pct"] = spread(values)
    return {**figures, "rounds": rounds}


def spread(values: list[float]) -> float:
    """(max - min) / median, in percent."""
    middle = statistics.median(values)
    return round((max(values) - min(values)) / middle * 100, 1) if middle else 0.0


def login(base: str) -> str:
    body = json.dumps({"username": USERNAME, "password": PASSWORD}).encode()
    request = urllib.request.Request(
        f"{base}/api/auth/token/", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["access"]


def first_author_id(database: Path) -> int:
    with closing(sqlite3.connect(database)) as db:
        (author,) = db.execute(
            "SELECT a.id FROM authors_author a JOIN accounts_user u ON u.id = a.owner_id"
            " WHERE u.username = ? ORDER BY a.id LIMIT 1",
            (USERNAME,),
        ).fetchone()
    return author


def lua_script(scenario: Scenario, path: str, headers: dict, access: str, refresh_file: Path | None) -> str:
    method = scenario.method
    header_lines = "".join(f'wrk.headers["{k}"] = "{v}"\n' for k, v in headers.items())
    common = f'wrk.method = "{method}"\nwrk.headers["Content-Type"] = "application/json"\n{header_lines}'
    if scenario.script == "create":
        return (
            common
            + "counter = 0\nrequest = function()\n  counter = counter + 1\n"
            + '  local body = string.format(\'{"name": "Bench %s-%d", "book": "B", "country": "C"}\', '
            + 'os.getenv("RUN_ID"), counter)\n'
            + f'  return wrk.format("{method}", "{path}", nil, body)\nend\n'
        )
    if scenario.script == "login":
        return common + f"wrk.body = '{json.dumps({'username': USERNAME, 'password': PASSWORD})}'\n"
    if scenario.script == "refresh":
        return (
            common
            + f'tokens = {{}}\nfor line in io.lines("{refresh_file}") do tokens[#tokens + 1] = line end\n'
            + 'i = tonumber(os.getenv("FIRST_TOKEN"))\nrequest = function()\n  i = i + 1\n'
            + "  local token = tokens[i] or tokens[#tokens]\n"
            + f'  return wrk.format("{method}", "{path}", nil, \'{{"refresh": "\' .. token .. \'"}}\')\nend\n'
        )
    if scenario.script == "verify":
        return common + f"wrk.body = '{json.dumps({'token': access})}'\n"
    return common


def wrk(url: str, lua: Path, seconds: int, connections: int, first_token: int) -> dict:
    command = [
        *taskset_prefix(1),
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "--timeout",
        "10s",  # wrk's 2 s would drop the slowest requests of a busy machine from the figures
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
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": to_ms(percentiles["50"]),
        "p99_ms": to_ms(percentiles["99"]),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        # Answers outside 2xx and 3xx, and requests that failed or timed out.
        "errors": (int(errors.group(1)) if errors else 0)
        + (sum(map(int, socket_errors.groups())) if socket_errors else 0),
    }


def to_ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return round(float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit], 3)


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


@dataclass
class Target:
    key: str
    name: str
    value: float
    limit: float
    at_least: bool  # the value must be >= limit (else <=)
    unit: str = "x"

    @property
    def met(self) -> bool:
        return self.value >= self.limit if self.at_least else self.value <= self.limit


def targets(results: dict) -> list[Target]:
    """Issue 15's targets from the medians (and the in-process access check), then the
    checks the benchmark made before them."""
    rows = {row["key"]: row for row in results["rows"]}

    def rps(key: str) -> float:
        return rows[key]["rps"]

    def ratio(key: str, base: str) -> float:
        return round(rps(key) / rps(base), 3)

    found = [
        Target(
            "list_vs_flask",
            "1. list 20 authors / Flask list (>= 1.5x)",
            ratio("list", "flask_list"),
            1.5,
            True,
        ),
        Target(
            "list_vs_ceiling",
            "1. list 20 authors / bare Django (>= 0.25x)",
            ratio("list", "ceiling"),
            0.25,
            True,
        ),
    ]
    if "list_large" in rows:
        name = f"2. list at {results['large_authors']:,} / at {results['authors']:,} (>= 0.8x)"
        found.append(Target("large_vs_list", name, ratio("list_large", "list"), 0.8, True))
    found += [
        Target(
            "access_check",
            "3. access check, CPU in process (<= 100 us)",
            results["cpu_us"]["check"],
            100,
            False,
            " us",
        ),
        Target(
            "revocation",
            "3. list / list without revocation check (>= 0.95x)",
            ratio("list", "no_revocation_list"),
            0.95,
            True,
        ),
        Target(
            "retrieve_vs_flask",
            "4. retrieve / Flask list (>= 1.5x)",
            ratio("retrieve", "flask_list"),
            1.5,
            True,
        ),
        Target(
            "create_vs_flask", "4. create / Flask list (>= 0.5x)", ratio("create", "flask_list"), 0.5, True
        ),
        Target(
            "refresh_vs_flask",
            "4. refresh / Flask list (>= 0.5x)",
            ratio("refresh_few", "flask_list"),
            0.5,
            True,
        ),
    ]

    def p50_ratio(key: str, base: str) -> float:
        return round(rows[key]["p50_ms"] / rows[base]["p50_ms"], 3)

    found += [
        Target("last_page", "last page p50 / page 1 p50 (<= 2x)", p50_ratio("last_page", "page_1"), 2, False),
        Target(
            "refresh_rows",
            "refresh p50, many token rows / few (<= 1.25x)",
            p50_ratio("refresh_many", "refresh_few"),
            1.25,
            False,
        ),
        Target(
            "verify_rows",
            "verify p50, many token rows / few (<= 1.25x)",
            p50_ratio("verify_many", "verify_few"),
            1.25,
            False,
        ),
    ]
    return found


def compare(now: list[dict], then: list[dict]) -> list[tuple[str, float, float, float]]:
    """Each target measured in both runs: (name, then, now, change in percent)."""
    before = {target["key"]: target["value"] for target in then}
    return [
        (
            target["name"],
            before[target["key"]],
            target["value"],
            round((target["value"] / before[target["key"]] - 1) * 100, 1),
        )
        for target in now
        if before.get(target["key"])
    ]


def previous_run(path: Path) -> dict | None:
    """The last run's results, if it wrote them in this format."""
    try:
        previous = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return previous if previous.get("format") == FORMAT else None


def report(results: dict, args) -> None:
    results["targets"] = [{**vars(t), "met": t.met} for t in targets(results)]
    then = previous_run(RESULTS / f"{args.label}.json")
    print(
        f"\n{results['authors']:,} authors; {results['rounds']} rounds of {results['seconds_per_scenario']} s a "
        f"scenario (medians; spread = (max - min) / median); {results['connections']} connections; "
        f"{'pinned' if results['pinned'] else 'not pinned'}; SQLite synchronous="
        f"{results['sqlite_synchronous']}; load average {results['load_average'][0]} at "
        f"the start, {results['load_average'][1]} at the end."
    )
    print(
        f"\n{'server':28} {'scenario':44} {'req/s':>9} {'spread':>7} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}"
    )
    for row in results["rows"]:
        print(
            f"{row['server']:28} {row['scenario']:44} {row['rps']:9.1f} {row['rps_spread_pct']:6.1f}% "
            f"{row['p50_ms']:8.2f} {row['p99_ms']:8.2f} {row['errors']:8d}"
        )
    print()
    print(cpu.table(results["cpu_us"], cpu.labels(results["authors"], results["large_authors"])))
    print()
    for target in results["targets"]:
        value = (
            f"{target['value']:.2f}{target['unit']}"
            if target["unit"] == "x"
            else f"{target['value']:.0f}{target['unit']}"
        )
        print(f"{'PASS' if target['met'] else 'FAIL'}  {target['name']:52} {value}")
    if then:
        print(
            f"\nSince the last run ({args.label}.json, {then['when']}: {then['authors']:,} authors, "
            f"{then['rounds']} rounds of {then['seconds_per_scenario']} s), each target then and now:"
        )
        for name, before, now, change in compare(results["targets"], then["targets"]):
            flag = f"  MOVED MORE THAN {STEADY}%" if abs(change) > STEADY else ""
            print(f"{name:52} {before:9.3f} {now:9.3f} {change:+7.1f}%{flag}")
    else:
        print(f"\nNo comparison: bench/results/{args.label}.json is missing or in an older format.")
    hashing = results["hashing_ms"]
    print(
        f"\nOne password hash: Argon2 {hashing['argon2']} ms ({hashing['argon2_parameters']}); "
        f"PBKDF2 {hashing['pbkdf2_sha256']} ms ({hashing['pbkdf2_iterations']:,} iterations)."
    )
    print("\nOne access token checked (every request) and signed (twice a login or refresh), in process:")
    print(jwt_table(results["jwt_algorithms"]))
    seeding = ", ".join(f"{what} {seconds} s" for what, seconds in results["seeding_seconds"].items())
    phases = ", ".join(f"{what} {seconds} s" for what, seconds in results["phase_seconds"].items())
    print(f"\nSeeding: {seeding}.\nTime: {phases}; {results['total_seconds']} s in all.")
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
    medians = [r["rps"] for r in rows]
    lows = [r["rps"] - min(x["rps"] for x in r["rounds"]) for r in rows]
    highs = [max(x["rps"] for x in r["rounds"]) - r["rps"] for r in rows]
    figure, axis = pyplot.subplots(figsize=(11, 0.45 * len(rows) + 1.5))
    bars = axis.barh(labels, medians, xerr=[lows, highs], color="#3b6ea5", ecolor="#222", capsize=3)
    axis.bar_label(
        bars,
        labels=[f"{r['rps']:.0f} (spread {r['rps_spread_pct']:.0f}%)" for r in rows],
        padding=8,
        fontsize=8,
    )
    axis.invert_yaxis()
    axis.set_xlabel(
        f"requests per second, median of {results['rounds']} rounds, whiskers min to max "
        "(1 sync worker, higher is better)"
    )
    axis.set_title(f"library benchmark, {results['when']}, {results['authors']:,} authors")
    axis.tick_params(axis="y", labelsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=100)


if __name__ == "__main__":
    main()
