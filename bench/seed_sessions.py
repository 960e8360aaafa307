"""Live login sessions for the refresh scenarios, in bulk, their refresh tokens one a line
in FILE. The rows are those accounts.sessions.start_session makes (a session and SimpleJWT's
outstanding-token row); start_session itself looks at all the user's live sessions on
each call (to end those beyond the limit), so tens of thousands of calls took minutes.

    python bench/seed_sessions.py USERNAME COUNT FILE    # bench/run.py calls it
"""

import os
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "library.settings")

import django

django.setup()

from django.db import transaction  # noqa: E402
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken  # noqa: E402

from accounts import jwt  # noqa: E402
from accounts.client import client_name  # noqa: E402
from accounts.models import LoginSession, User  # noqa: E402

BATCH = 2000
USER_AGENT = "wrk"


def seed_sessions(username: str, count: int, path: Path) -> None:
    user = User.objects.get(username=username)
    name = client_name(USER_AGENT)
    with path.open("w") as out:
        for first in range(0, count, BATCH):
            refreshes = [jwt.new_refresh(user.pk, uuid.uuid4()) for _ in range(min(BATCH, count - first))]
            with transaction.atomic():
                LoginSession.objects.bulk_create(
                    LoginSession(
                        id=refresh[jwt.SESSION_CLAIM],
                        user=user,
                        refresh_jti=refresh[jwt.JTI_CLAIM],
                        expires_at=jwt.expiry(refresh),
                        name=name,
                        user_agent=USER_AGENT,
                    )
                    for refresh in refreshes
                )
                OutstandingToken.objects.bulk_create(
                    OutstandingToken(
                        user=user,
                        jti=refresh[jwt.JTI_CLAIM],
                        token="",
                        created_at=jwt.issued_at(refresh),
                        expires_at=jwt.expiry(refresh),
                    )
                    for refresh in refreshes
                )
            out.writelines(f"{refresh}\n" for refresh in refreshes)


if __name__ == "__main__":
    seed_sessions(sys.argv[1], int(sys.argv[2]), Path(sys.argv[3]))
