from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.timesince import timesince

from accounts import keyring


class Command(BaseCommand):
    help = (
        "The keys that sign tokens (README: Signing keys). `generate` prints a new key for the "
        "environment; `list` shows the ring; `rotate` makes a new key, which every process signs "
        "with a second later; the old key verifies until its tokens have expired."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        generate = actions.add_parser(
            "generate",
            help="Print a new key (an HS256 secret, or a private key in PEM) for JWT_SIGNING_KEY or "
            "JWT_PRIVATE_KEY_FILE; the ring is not changed.",
        )
        generate.add_argument("--algorithm", choices=keyring.ALGORITHMS, default=settings.JWT_ALGORITHM)
        actions.add_parser("list", help="The ring: each key's id, algorithm, age and what it does now.")
        rotate = actions.add_parser(
            "rotate", help="A new signing key of JWT_ALGORITHM; the old one only verifies from now on."
        )
        rotate.add_argument(
            "--algorithm", choices=keyring.ALGORITHMS, default=None, help="default: JWT_ALGORITHM"
        )
        drop = actions.add_parser(
            "drop", help="Drop a key that leaked at once: tokens it signed stop working (rotate first)."
        )
        # A key id is base64url, so it may start with "-": `drop -- KID` reads it as the id.
        drop.add_argument("kid", help='the key id; put "--" before one that starts with "-"')

    def handle(self, *args, action, **options):
        if action == "generate":
            self.stdout.write(keyring.generate(options["algorithm"]).strip())
        elif action == "list":
            self.list_ring()
        elif action == "drop":
            try:
                keyring.drop(options["kid"])
            except ValueError as error:
                raise CommandError(str(error)) from None
            self.stdout.write(
                f"Dropped {options['kid']}: every process refuses its tokens within "
                f"{settings.JWT_KEYRING_RELOAD_SECONDS} s (JWT_KEYRING_RELOAD_SECONDS), or at once after a restart."
            )
            self.list_ring()
        else:
            key = keyring.rotate(options["algorithm"])
            self.stdout.write(
                f"{key.algorithm} key {key.kid} is published now and signs in every process a second from now. "
                "The keys before it verify until the tokens they signed have expired."
            )
            self.list_ring()

    def list_ring(self):
        now = timezone.now()
        for key in keyring.listed():
            if key.state == "verifies":
                state = f"verifies until {key.verifies_until:%Y-%m-%d %H:%M} UTC"
            elif key.state == "next":
                state = "signs within a second"
            else:
                state = key.state
            self.stdout.write(
                f"{key.kid}  {key.algorithm:<5}  {timesince(key.created_at, now):>16} old  {state}"
            )
