from django.core.management.base import BaseCommand

from accounts import sessions
from accounts.management.lookups import user_named


class Command(BaseCommand):
    help = "End every login session of a user: all their access and refresh tokens stop working."

    def add_arguments(self, parser):
        parser.add_argument("username", help="The user's username (any case).")

    def handle(self, *args, username, **options):
        user = user_named(username)
        ended = sessions.log_out_everywhere(user=user)  # recorded with no client: the server's shell
        self.stdout.write(f"Ended {ended} login sessions of {user.username}; their tokens stop working now.")
