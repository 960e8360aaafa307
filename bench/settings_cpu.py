"""The project's settings with bench/urls_cpu.py's URLs: every route of the project, plus
two bench-only views. Only bench/cpu.py uses it."""

from library.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls_cpu"
