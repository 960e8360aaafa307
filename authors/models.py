from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

# Names are printed in lists, CSV files and terminals: no control characters in them
# (the rule every app shares, with its message).
from library.validators import no_control_characters

# A name appears once per library, in any case: the constraint below decides, and the
# serializer's early check (selectors.name_taken) and the services say it with this.
DUPLICATE_NAME = "This name is already in your library."


class Author(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="authors")
    name = models.CharField(max_length=100, validators=[no_control_characters])
    book = models.CharField(max_length=200, validators=[no_control_characters])
    country = models.CharField(max_length=100, validators=[no_control_characters])
    booker_prize = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                "owner",
                Lower("name"),
                name="authors_author_owner_name_ci_unique",
                violation_error_message=DUPLICATE_NAME,
            ),
            models.CheckConstraint(
                condition=~models.Q(name="") & ~models.Q(book="") & ~models.Q(country=""),
                name="authors_author_fields_not_blank",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "-created_at", "-id"], name="authors_owner_created_idx"),
            models.Index("owner", Lower("country"), name="authors_owner_country_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.book}"


class LibrarySize(models.Model):
    """How many authors an owner has, so that a list need not COUNT them on each request.

    Written only by the database triggers of migration 0004 on `authors_author` (insert,
    delete, a change of owner; TRUNCATE on PostgreSQL), so it stays exact whatever path
    writes authors: the API, the import, the admin, bulk ORM calls, a user's cascade, raw
    SQL. A missing row means 0. `manage.py check_author_counts` compares it with a real
    COUNT and `--repair`s it. Not a positive field: a CHECK would turn a drifted counter
    into failing deletes, where the check command should find it instead."""

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="library_size"
    )
    authors = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.owner_id}: {self.authors} authors"
