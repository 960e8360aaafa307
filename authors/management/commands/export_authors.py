import csv
import json
from types import SimpleNamespace

from django.core.management.base import BaseCommand, CommandError

from accounts.management.lookups import user_named
from authors import selectors
from library.progress import progress

from ._files import COLUMNS, file_format


class Command(BaseCommand):
    help = "Export a user's authors as CSV or JSON, to stdout or a file; import_authors reads it back."

    def add_arguments(self, parser):
        parser.add_argument("--owner", required=True, help="Username of the library's owner.")
        parser.add_argument("--format", choices=["csv", "json"], help="Default: from --output, else csv.")
        parser.add_argument("--output", "-o", help="A file to write; default stdout.")

    def handle(self, *args, owner, format, output, **options):
        user = user_named(owner)
        fmt = file_format(output, format) if output else (format or "csv")
        authors = selectors.authors_owned_by(user).order_by("created_at", "id")
        rows = authors.values(*COLUMNS).iterator(chunk_size=2000)
        if not output:
            _write(lambda text: self.stdout.write(text, ending=""), fmt, rows)
            return
        # A bar on a terminal (stdout may be the data itself); the summary line always.
        rows = progress(rows, desc="Exporting", total=authors.count())
        try:
            with open(output, "w", newline="", encoding="utf-8") as handle:
                count = _write(handle.write, fmt, rows)
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror}.") from None
        self.stdout.write(f"Exported {count} authors to {output}.")


def _write(write, fmt: str, rows) -> int:
    count = 0
    if fmt == "csv":
        writer = csv.DictWriter(SimpleNamespace(write=write), fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            count += 1
        return count
    write("[")
    for row in rows:
        write(("\n  " if count == 0 else ",\n  ") + json.dumps(row, ensure_ascii=False))
        count += 1
    write("\n]\n" if count else "]\n")
    return count
