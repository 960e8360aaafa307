import factory
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts.models import User

PASSWORD = "a long and unguessable passphrase"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"reader{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    first_name = "Ada"
    last_name = "Reader"
    # Hashed before the insert, as createsuperuser and registration do: a password set
    # after it would be a change of password (ending sessions, recorded in the log).
    password = factory.Transformer(PASSWORD, transform=make_password)

    class Params:
        # UserFactory(verified=True): an address its owner has confirmed.
        verified = factory.Trait(email_verified_at=factory.LazyFunction(timezone.now))
