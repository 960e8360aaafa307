"""Where the time goes: CPU time per request, in process, each WSGI application called
directly (an environ dict built here: no server, and no test Client, whose signals cost
time of their own), DEBUG off.

    python bench/cpu.py                        # on a scratch database of 10,000 authors
    python bench/cpu.py --database DB [--large-database DB]    # as bench/run.py calls it

A figure is the median of REPEATS runs of time.process_time over enough calls for about
REPEAT_SECONDS each, after a warm-up. Each application runs in a process of its own (one
Django settings module a process): the bare Django ceiling (bench/ceiling.py), the Flask
reference (bench/flask_app.py), and the project with two bench-only views
(bench/settings_cpu.py). The database's user "bench" owns the big library; "bench-20"
(added here when missing) owns 20 authors.
"""

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
REPEATS = 5
REPEAT_SECONDS = 0.2
WARM_UP_CALLS = 30
SMALL_LIBRARY = "bench-20"


def labels(authors: int, large_authors: int) -> dict[str, str]:
    """The figures, in the order of the table."""
    return {
        "ceiling": "bare Django constant JSON (the ceiling)",
        "flask": f"Flask reference, list of 20 authors ({authors:,})",
        "apiview": "DRF APIView, a constant, no authentication",
        "apiview_auth": "the same APIView, our bearer authentication",
        "signature": "  a new token's signature and claims (PyJWT, the keyring)",
        "decode": "  the token's claims, checked before (jwt.access_claims)",
        "check": "  access check (access.user_for_access)",
        "list_small": "our list of 20 authors, 20-author library",
        "list": f"our list of 20 authors, {authors:,}-author library",
        "retrieve": "retrieve one author",
        "list_large": f"our list of 20 authors, {large_authors:,}-author library",
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database", type=Path, help="a benchmark database (seeds a scratch one if not given)"
    )
    parser.add_argument("--large-database", type=Path, help="a database with the large library")
    parser.add_argument("--authors", type=int, default=10_000, help="the library's size (for the labels)")
    parser.add_argument("--large-authors", type=int, default=1_000_000, help="the large library's size")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON only")
    parser.add_argument("--group", choices=("ceiling", "flask", "django"), help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    parser.add_argument("--only-list", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.group:
        print(json.dumps(measure_group(args)))
        return
    if args.database:
        figures = cpu_figures(args.database, args.large_database)
    else:
        import run

        with tempfile.TemporaryDirectory(prefix="library-cpu-") as tmp:
            database = Path(tmp) / "bench.sqlite3"
            run.manage(run.environment(database), "migrate", "--no-input")
            run.manage(run.environment(database), "seed_bench", f"--authors={args.authors}")
            figures = cpu_figures(database, None)
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print(table(figures, labels(args.authors, args.large_authors)))


def cpu_figures(database: Path, large_database: Path | None) -> dict[str, float]:
    """Microseconds of CPU per request (or per call), figure by figure; each group in a
    fresh process."""
    django = group("django", database)
    figures = {**group("ceiling", database), **group("flask", database, token=django.pop("token"))}
    figures.update(django)
    if large_database:
        figures.update(group("django", large_database, only_list=True))
    return figures


def group(name: str, database: Path, token: str | None = None, only_list: bool = False) -> dict:
    import run

    command = [sys.executable, str(Path(__file__).resolve()), "--group", name, "--database", str(database)]
    command += ["--token", token] if token else []
    command += ["--only-list"] if only_list else []
    out = subprocess.run(
        command, cwd=BASE_DIR, env=run.environment(database), check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- in the measuring process ----------------------------------------------------------


def measure_group(args) -> dict:
    sys.path.insert(0, str(BASE_DIR))
    if args.group == "ceiling":
        os.environ["DJANGO_SETTINGS_MODULE"] = "bench.ceiling"
        from bench.ceiling import application

        return {"ceiling": cpu_us(wsgi_get(application, "/api/authors/"))}
    if args.group == "flask":
        os.environ["BENCH_SQLALCHEMY_URL"] = f"sqlite:///{args.database}"
        from bench.flask_app import app

        return {"flask": cpu_us(wsgi_get(app, "/api/authors/", args.token))}
    return measure_django(args.only_list)


def measure_django(only_list: bool) -> dict:
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings_cpu"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from accounts import access, jwt, sessions
    from accounts.models import User
    from authors.models import Author
    from library.wsgi import application

    def access_token(username: str) -> str:
        return sessions.start_session(user=User.objects.get(username=username), login=False).access

    token = access_token("bench")
    if only_list:
        return {"list_large": cpu_us(wsgi_get(application, "/api/authors/", token))}
    if not User.objects.filter(username=SMALL_LIBRARY).exists():
        call_command("seed_bench", username=SMALL_LIBRARY, authors=20, stdout=io.StringIO())
    author = Author.objects.filter(owner__username="bench").order_by("id").values_list("id", flat=True)[0]
    # What the bearer authentication does with the header's token, in its two steps; the
    # signature is checked once per process (jwt.access_claims), its cost shown apart.
    validated = jwt.access_claims(token)
    with connection.cursor() as cursor:
        synchronous = cursor.execute("PRAGMA synchronous").fetchone()[0]
    return {
        "token": token,
        # As the app's own connection has it (settings.py sets it on each connection).
        "sqlite_synchronous": {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}[synchronous],
        "apiview": cpu_us(wsgi_get(application, "/api/bench/constant/")),
        "apiview_auth": cpu_us(wsgi_get(application, "/api/bench/authenticated-constant/", token)),
        "signature": cpu_us(lambda: jwt.BACKEND.decode(token)),
        "decode": cpu_us(lambda: jwt.access_claims(token)),
        "check": cpu_us(lambda: access.user_for_access(validated)),
        "list_small": cpu_us(wsgi_get(application, "/api/authors/", access_token(SMALL_LIBRARY))),
        "list": cpu_us(wsgi_get(application, "/api/authors/", token)),
        "retrieve": cpu_us(wsgi_get(application, f"/api/authors/{author}/", token)),
    }


def wsgi_get(application, path: str, token: str | None = None) -> Callable[[], None]:
    """One GET, as gunicorn's sync worker makes it: environ, start_response, the body
    read and closed (closing ends Django's request)."""
    path, _, query = path.partition("?")
    base = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_ACCEPT": "*/*",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if token:
        base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    statuses = []

    def start_response(status, headers, exc_info=None):
        statuses.append(status)

    def call() -> None:
        body = application({**base, "wsgi.input": io.BytesIO(b"")}, start_response)
        try:
            b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()

    call()
    if not statuses[-1].startswith("200"):
        raise RuntimeError(f"GET {path} answered {statuses[-1]}")
    return call


def cpu_us(call: Callable[[], object]) -> float:
    """Microseconds of CPU per call: the median of REPEATS timed runs."""
    for _ in range(WARM_UP_CALLS):
        call()
    start, calls = time.process_time(), 0
    while time.process_time() - start < REPEAT_SECONDS / 4:
        call()
        calls += 1
    number = max(20, round(REPEAT_SECONDS / ((time.process_time() - start) / calls)))
    runs = []
    for _ in range(REPEATS):
        start = time.process_time()
        for _ in range(number):
            call()
        runs.append((time.process_time() - start) / number)
    return round(statistics.median(runs) * 1e6, 1)


def table(figures: dict[str, float], names: dict[str, str]) -> str:
    lines = [f"{'CPU per request, in process':52} {'us':>8}"]
    lines += [f"{label:52} {figures[key]:8.1f}" for key, label in names.items() if key in figures]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
