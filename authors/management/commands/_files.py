"""Reading and writing author files for the import and export commands."""

import csv
import json
from pathlib import Path

from django.core.management.base import CommandError

COLUMNS = ["name", "book", "country", "booker_prize"]


def file_format(path: str, given: str | None) -> str:
    fmt = given or Path(path).suffix.lstrip(".").lower()
    if fmt not in ("csv", "json"):
        raise CommandError("Say --format csv or --format json (or name the file .csv or .json).")
    return fmt


def read_rows(path: str, fmt: str) -> list:
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            if fmt == "csv":
                reader = csv.DictReader(handle)
                missing = set(COLUMNS[:3]) - set(reader.fieldnames or [])
                if missing:
                    raise CommandError(f"The CSV header lacks: {', '.join(sorted(missing))}.")
                return list(reader)
            rows = json.load(handle)
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
    except (UnicodeDecodeError, csv.Error, json.JSONDecodeError) as error:
        raise CommandError(f"{path} is not valid {fmt.upper()}: {error}.") from None
    if not isinstance(rows, list):
        raise CommandError("A JSON import file holds a list of objects.")
    return rows
