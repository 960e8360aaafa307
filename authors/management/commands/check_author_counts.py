from django.core.management.base import BaseCommand, CommandError

from authors import selectors, services


class Command(BaseCommand):
    help = (
        "Compare each library's author counter (kept by database triggers, read by the "
        "authors list) with a real count. Exits 1 if any differs; --repair rewrites them."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--repair",
            action="store_true",
            help="Rewrite every counter from a real count, in one transaction.",
        )

    def handle(self, *args, repair, **options):
        mismatches = selectors.library_size_mismatches()
        if not mismatches:
            self.stdout.write("Every library's author counter agrees with a real count.")
            return
        width = max(len("owner"), *(len(m.username) for m in mismatches))
        self.stdout.write(f"{'owner':<{width}}  {'counter':>12}  {'real count':>12}")
        for mismatch in mismatches:
            self.stdout.write(f"{mismatch.username:<{width}}  {mismatch.counted:>12}  {mismatch.actual:>12}")
        differ = f"{len(mismatches)} {'library' if len(mismatches) == 1 else 'libraries'}"
        if not repair:
            raise CommandError(
                f"{differ}: the counter differs from a real count. Run with --repair to rewrite the "
                "counters, and find what wrote authors behind the triggers' back (README: Management commands)."
            )
        libraries = services.recount_library_sizes()
        self.stdout.write(f"Repaired {differ}; rewrote {libraries} counters from a real count.")
