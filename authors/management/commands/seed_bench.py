import uuid
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts import sessions
from accounts.models import LoginSession, RevokedAccessToken, User
from authors.models import Author
from library.progress import progress

BATCH = 10_000


class Command(BaseCommand):
    help = "Seed a benchmark database (authors, live sessions, dead token rows). Not for production."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="bench")
        parser.add_argument("--password", default="bench-password-1234")
        parser.add_argument("--authors", type=int, default=0, help="Authors to add to the user's library.")
        parser.add_argument("--refresh-tokens", type=int, default=0, help="Live sessions to start.")
        parser.add_argument("--refresh-file", help="Where to write their refresh tokens, one a line.")
        parser.add_argument(
            "--dead-token-rows", type=int, default=0, help="Revoked sessions and tokens to add."
        )

    def handle(
        self, *args, username, password, authors, refresh_tokens, refresh_file, dead_token_rows, **options
    ):
        user, made = User.objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.com"}
        )
        if made:
            user.set_password(password)
            user.save(update_fields=["password"])
        self._authors(user, authors)
        self._dead_token_rows(user, dead_token_rows)
        if refresh_tokens:
            with transaction.atomic():
                pairs = [
                    sessions.start_session(user=user, user_agent="wrk", login=False)
                    for _ in range(refresh_tokens)
                ]
            with open(refresh_file, "w") as handle:
                handle.writelines(f"{pair.refresh}\n" for pair in pairs)
        self.stdout.write(
            f"{user.username}: {Author.objects.filter(owner=user).count()} authors, "
            f"{LoginSession.objects.count()} sessions, {OutstandingToken.objects.count()} outstanding tokens."
        )

    def _authors(self, user: User, count: int) -> None:
        start = timezone.now() - timedelta(seconds=count)
        bar = progress(desc="Authors", total=count)
        for first in range(0, count, BATCH):
            Author.objects.bulk_create(
                Author(
                    owner=user,
                    name=f"Author {n:07d}",
                    book=f"Book {n}",
                    country=("United Kingdom", "Ireland", "India", "Nigeria")[n % 4],
                    booker_prize=n % 7 == 0,
                    created_at=start + timedelta(seconds=n),
                )
                for n in range(first, min(first + BATCH, count))
            )
            bar.update(min(BATCH, count - first))
        bar.close()

    def _dead_token_rows(self, user: User, count: int) -> None:
        """Rows a busy deployment accumulates: ended sessions, blacklisted refresh tokens,
        revoked access tokens, all still within their lifetime."""
        now, later = timezone.now(), timezone.now() + timedelta(days=7)
        bar = progress(desc="Dead token rows", total=count)
        for first in range(0, count, BATCH):
            size = min(BATCH, count - first)
            jtis = [uuid.uuid4().hex for _ in range(size)]
            with transaction.atomic():
                LoginSession.objects.bulk_create(
                    LoginSession(user=user, refresh_jti=jti, expires_at=later, revoked_at=now) for jti in jtis
                )
                outstanding = OutstandingToken.objects.bulk_create(
                    OutstandingToken(user=user, jti=jti, token="", created_at=now, expires_at=later)
                    for jti in jtis
                )
                if not outstanding[0].pk:  # SQLite before 3.35 returns no ids
                    outstanding = list(OutstandingToken.objects.filter(jti__in=jtis))
                BlacklistedToken.objects.bulk_create(BlacklistedToken(token=token) for token in outstanding)
                RevokedAccessToken.objects.bulk_create(
                    RevokedAccessToken(jti=uuid.uuid4().hex, expires_at=later) for _ in range(size)
                )
            bar.update(size)
        bar.close()
