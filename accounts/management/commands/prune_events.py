from django.core.management.base import BaseCommand, CommandError

from accounts import maintenance
from library.progress import progress


class Command(BaseCommand):
    help = (
        "Delete security log events older than --days days (180 by default). Runs in batches; "
        "safe to run from cron while the API serves."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=180, help="Keep this many days of events (default 180)."
        )
        parser.add_argument("--batch-size", type=int, default=5000, help="Rows per DELETE (default 5000).")

    def handle(self, *args, days, batch_size, **options):
        if days < 1 or batch_size < 1:
            raise CommandError("--days and --batch-size must be at least 1.")
        bar = progress(desc="Deleting old security events")
        try:
            deleted = maintenance.prune_events(days=days, batch_size=batch_size, on_batch=bar.update)
        finally:
            bar.close()
        self.stdout.write(f"Deleted {deleted} security events older than {days} days.")
