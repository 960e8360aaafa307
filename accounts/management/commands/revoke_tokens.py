from django.core.management.base import BaseCommand, CommandError

from accounts import selectors, sessions
from accounts.models import User


class Command(BaseCommand):
    help = "End every login session of a user: all their access and refresh tokens stop working."

    def add_arguments(self, parser):
        parser.add_argument("username", help="The user's username (any case).")

    def handle(self, *args, username, **options):
        try:
            user = selectors.users_named(username).get()
        except User.DoesNotExist:
            raise CommandError(f"No user named {username!r}.") from None
        ended = sessions.end_all_sessions(user)
        self.stdout.write(f"Ended {ended} login sessions of {user.username}; their tokens stop working now.")
