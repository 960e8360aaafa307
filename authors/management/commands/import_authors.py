from django.core.management.base import BaseCommand, CommandError

from accounts.management.lookups import user_named
from authors import services
from library.progress import progress

from ._files import file_format, read_rows


class Command(BaseCommand):
    help = (
        "Import authors from a CSV or JSON file into a user's library, validating each row "
        "with the API's rules. Names already in the library are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="A .csv (with a header) or .json (a list of objects) file.")
        parser.add_argument("--owner", required=True, help="Username of the library's owner.")
        parser.add_argument("--format", choices=["csv", "json"], help="Default: from the file's extension.")
        parser.add_argument("--atomic", action="store_true", help="Import nothing if any row is rejected.")

    def handle(self, *args, file, owner, format, atomic, **options):
        user = user_named(owner)
        rows = read_rows(file, file_format(file, format))
        # A bar on a terminal; on a pipe or in a log, only the summary below.
        report = services.import_authors(owner=user, rows=progress(rows, desc="Importing"), atomic=atomic)
        for number, reasons in report.rejected:
            self.stderr.write(f"Row {number} rejected: {reasons}")
        summary = f"{report.created} created, {report.skipped} skipped, {len(report.rejected)} rejected."
        if report.rolled_back:
            raise CommandError(f"Nothing imported (--atomic): {summary}")
        self.stdout.write(summary)
