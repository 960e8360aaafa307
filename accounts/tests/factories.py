import factory
from django.utils import timezone

from accounts.models import User

PASSWORD = "a long and unguessable passphrase"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"reader{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    first_name = "Ada"
    last_name = "Reader"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    class Params:
        # UserFactory(verified=True): an address its owner has confirmed.
        verified = factory.Trait(email_verified_at=factory.LazyFunction(timezone.now))

    @factory.post_generation
    def save_password(user, create, extracted, **kwargs):
        if create:
            user.save(update_fields=["password"])
