from django.core.management.base import BaseCommand

from accounts import maintenance
from library.progress import progress


class Command(BaseCommand):
    help = (
        "Delete what expired tokens leave behind: login sessions, revoked access-token "
        "records, SimpleJWT's outstanding (and so blacklisted) tokens, and the second steps of "
        "logins (mfa_tokens) once expired and out of the wrong-code window. Runs in batches; "
        "safe to run from cron while the API serves."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=5000, help="Rows per DELETE (default 5000).")

    def handle(self, *args, batch_size, **options):
        bars = {}

        def advance(table: str, rows: int) -> None:
            bars.setdefault(table, progress(desc=f"Deleting expired {table}")).update(rows)

        deleted = maintenance.prune_expired(batch_size=batch_size, on_batch=advance)
        for bar in bars.values():
            bar.close()
        for table, count in deleted.items():
            self.stdout.write(f"Deleted {count} expired {table}.")
