"""The whole dependency tree is pinned with hashes: requirements*.txt hold the top-level
pins, the .lock beside each the tree compiled from it (`make lock`), and make installs
from the locks only."""

import importlib.metadata
import re
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# A lock's `name==version` lines (their hashes follow on continuation lines).
LOCKED_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", re.MULTILINE)
HASH = "--hash=sha256:" + "0" * 64


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked_versions(lock: str) -> dict[str, str]:
    return {canonical(name): version for name, version in LOCKED_PIN.findall((BASE_DIR / lock).read_text())}


def check_locks(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(BASE_DIR / ".ci" / "check_locks.py"), str(root)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_each_lock_agrees_with_its_requirements():
    result = check_locks(BASE_DIR)

    assert result.returncode == 0, result.stdout + result.stderr


def test_lock_check_reports_a_pin_that_its_lock_does_not_match(tmp_path):
    (tmp_path / "requirements.txt").write_text("Django==5.2.20\npsycopg[binary]==3.3.9\n")
    (tmp_path / "requirements.lock").write_text(f"django==5.2.19 \\\n    {HASH}\n")

    result = check_locks(tmp_path)

    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "requirements.txt pins django==5.2.20 but requirements.lock has 5.2.19",
        "requirements.txt pins psycopg==3.3.9 but requirements.lock has no psycopg",
    ]


def test_lock_check_reports_a_requirements_file_without_a_lock(tmp_path):
    (tmp_path / "bench").mkdir()
    (tmp_path / "bench" / "requirements.txt").write_text("Flask==3.1.3\n")

    result = check_locks(tmp_path)

    assert result.returncode == 1
    assert result.stdout.splitlines() == ["bench/requirements.txt has no lock: bench/requirements.lock"]


def test_lock_check_follows_included_requirements(tmp_path):
    (tmp_path / "requirements.txt").write_text("Django==5.2.19\n")
    (tmp_path / "requirements.lock").write_text(f"django==5.2.19 \\\n    {HASH}\n")
    (tmp_path / "requirements-dev.txt").write_text("-r requirements.txt\npytest==9.2.0\n")
    (tmp_path / "requirements-dev.lock").write_text(f"pytest==9.2.0 \\\n    {HASH}\n")

    result = check_locks(tmp_path)

    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "requirements-dev.txt pins django==5.2.19 but requirements-dev.lock has no django"
    ]


def test_make_installs_from_hashed_locks_only():
    installs = [
        line.strip() for line in (BASE_DIR / "Makefile").read_text().splitlines() if "pip install" in line
    ]

    unpinned = [line for line in installs if not re.search(r"--require-hashes .*-r \S+\.lock$", line)]

    assert installs and unpinned == []


def test_installed_packages_are_the_locked_versions():
    expected = locked_versions("requirements-bootstrap.lock") | locked_versions("requirements-dev.lock")
    installed = {
        canonical(distribution.metadata["Name"]): distribution.version
        for distribution in importlib.metadata.distributions()
    }

    drift = {
        name: (version, installed.get(name))
        for name, version in expected.items()
        if installed.get(name) != version
    }

    assert drift == {}  # {name: (locked, installed)}; `make test` reinstalls when a lock changes
