"""make mutation's premise: mutmut's fork server collects the tests and runs none, so a
mutant runs as in a fresh process only if collecting calls no function it mutates."""

import importlib.util
import json
import shutil
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def mutation():
    spec = importlib.util.spec_from_file_location("mutation", BASE_DIR / ".ci" / "mutation.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_collecting_the_suite_calls_no_mutated_function(mutation):
    assert mutation.mutated_functions_called_while_collecting() == []


def test_a_function_called_at_import_is_named(mutation, tmp_path, monkeypatch):
    """The probe's own check: a mutated module that calls one of its functions on import,
    imported by a test module, is reported; its module and class bodies are not."""
    environment = {key: value for key, value in mutation.FRESH_ENV.items() if key != "DJANGO_SETTINGS_MODULE"}
    monkeypatch.setattr(mutation, "FRESH_ENV", environment)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.mutmut]\nonly_mutate = ["rules.py"]\npytest_add_cli_args_test_selection = []\n'
    )
    (tmp_path / "rules.py").write_text(
        "def limit():\n    return [n for n in (1, 2)]\n\n\n"
        "class Rule:\n    size = 2\n\n\n"
        "LIMITS = [n for n in (3, 4)]\nLIMIT = limit()\n"
    )
    (tmp_path / "test_rules.py").write_text("import rules\n\n\ndef test_limit():\n    assert rules.LIMIT\n")

    assert mutation.mutated_functions_called_while_collecting(tmp_path) == [
        "rules.py:limit",
        "rules.py:limit.<locals>.<listcomp>",
    ]


def test_verdicts_saved_are_the_verdicts_restored(mutation, tmp_path, monkeypatch):
    """The committed verdicts come back as mutmut's own, with the function hashes mutmut
    keeps a verdict by; a module mutmut already has verdicts for is left alone."""
    monkeypatch.setattr(mutation, "MUTANTS", tmp_path / "mutants")
    monkeypatch.setattr(mutation, "VERDICTS", tmp_path / "verdicts.json")
    run = {
        "exit_code_by_key": {"accounts.jwt.x_f__mutmut_1": 1, "accounts.jwt.x_f__mutmut_2": 0},
        "hash_by_function_name": {"x_f": "abc"},
        "type_check_error_by_key": {},
        "durations_by_key": {"accounts.jwt.x_f__mutmut_1": 0.5},
        "estimated_durations_by_key": {},
    }
    (tmp_path / "mutants" / "accounts").mkdir(parents=True)
    (tmp_path / "mutants" / "accounts" / "jwt.py.meta").write_text(json.dumps(run))
    mutation.save_verdicts()
    shutil.rmtree(tmp_path / "mutants")
    (tmp_path / "mutants" / "library").mkdir(parents=True)
    (tmp_path / "mutants" / "library" / "sql.py.meta").write_text("kept")
    saved = json.loads((tmp_path / "verdicts.json").read_text())
    saved["library/sql.py"] = {"function_hashes": {}, "verdicts": {}}
    (tmp_path / "verdicts.json").write_text(json.dumps(saved))

    mutation.restore_verdicts()

    restored = json.loads((tmp_path / "mutants" / "accounts" / "jwt.py.meta").read_text())
    assert restored["exit_code_by_key"] == run["exit_code_by_key"]
    assert restored["hash_by_function_name"] == run["hash_by_function_name"]
    assert (tmp_path / "mutants" / "library" / "sql.py.meta").read_text() == "kept"
