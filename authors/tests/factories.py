import factory

from accounts.tests.factories import UserFactory
from authors.models import Author


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Author {n}")
    book = factory.Sequence(lambda n: f"Book {n}")
    country = "United Kingdom"
    booker_prize = False
