from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from authors import services

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-library-2026"  # noqa: S105 - a published demo credential, development only

# (name, book, country, booker_prize)
DEMO_AUTHORS = [
    ("Hilary Mantel", "Wolf Hall", "United Kingdom", True),
    ("Margaret Atwood", "The Blind Assassin", "Canada", True),
    ("Salman Rushdie", "Midnight's Children", "United Kingdom", True),
    ("Kazuo Ishiguro", "The Remains of the Day", "United Kingdom", True),
    ("Arundhati Roy", "The God of Small Things", "India", True),
    ("J. M. Coetzee", "Disgrace", "South Africa", True),
    ("Peter Carey", "Oscar and Lucinda", "Australia", True),
    ("Ben Okri", "The Famished Road", "Nigeria", True),
    ("Michael Ondaatje", "The English Patient", "Canada", True),
    ("Roddy Doyle", "Paddy Clarke Ha Ha Ha", "Ireland", True),
    ("Yann Martel", "Life of Pi", "Canada", True),
    ("Kiran Desai", "The Inheritance of Loss", "India", True),
    ("Anne Enright", "The Gathering", "Ireland", True),
    ("Aravind Adiga", "The White Tiger", "India", True),
    ("Julian Barnes", "The Sense of an Ending", "United Kingdom", True),
    ("Eleanor Catton", "The Luminaries", "New Zealand", True),
    ("Richard Flanagan", "The Narrow Road to the Deep North", "Australia", True),
    ("Marlon James", "A Brief History of Seven Killings", "Jamaica", True),
    ("Paul Beatty", "The Sellout", "United States", True),
    ("George Saunders", "Lincoln in the Bardo", "United States", True),
    ("Anna Burns", "Milkman", "United Kingdom", True),
    ("Bernardine Evaristo", "Girl, Woman, Other", "United Kingdom", True),
    ("Douglas Stuart", "Shuggie Bain", "United Kingdom", True),
    ("Damon Galgut", "The Promise", "South Africa", True),
    ("Shehan Karunatilaka", "The Seven Moons of Maali Almeida", "Sri Lanka", True),
    ("Paul Lynch", "Prophet Song", "Ireland", True),
    ("Samantha Harvey", "Orbital", "United Kingdom", True),
    ("Chimamanda Ngozi Adichie", "Half of a Yellow Sun", "Nigeria", False),
    ("Zadie Smith", "On Beauty", "United Kingdom", False),
    ("Ali Smith", "How to Be Both", "United Kingdom", False),
    ("Colm Toibin", "Brooklyn", "Ireland", False),
    ("Sally Rooney", "Normal People", "Ireland", False),
    ("Ocean Vuong", "On Earth We're Briefly Gorgeous", "United States", False),
    ("Tsitsi Dangarembga", "This Mournable Body", "Zimbabwe", False),
    ("Elif Shafak", "10 Minutes 38 Seconds in This Strange World", "Turkey", False),
    ("Amitav Ghosh", "Sea of Poppies", "India", False),
]


class Command(BaseCommand):
    help = (
        f"Create the demo user {DEMO_USERNAME!r} with a few dozen authors, so a newcomer has "
        "something to look at. Idempotent. Development only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DJANGO_DEBUG=false.")

    def handle(self, *args, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo creates a known password; it runs only with DJANGO_DEBUG=true.")
        user, made = User.objects.get_or_create(
            username=DEMO_USERNAME, defaults={"email": "demo@example.com", "first_name": "Demo"}
        )
        if made:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        rows = [
            dict(zip(("name", "book", "country", "booker_prize"), row, strict=True)) for row in DEMO_AUTHORS
        ]
        report = services.import_authors(owner=user, rows=rows)
        state = "created" if made else "already there"
        self.stdout.write(
            f"Demo user {DEMO_USERNAME!r} (password {DEMO_PASSWORD!r}) {state}; "
            f"{report.created} authors added, {report.skipped} already there."
        )
