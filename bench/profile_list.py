"""pyinstrument's profile of the authenticated list request, in process: what a list
request spends its time on. Usage: profile_list.py ACCESS_TOKEN (bench/run.py calls it)."""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "library.settings")

import django

django.setup()

from django.test import Client  # noqa: E402
from pyinstrument import Profiler  # noqa: E402

client = Client(HTTP_AUTHORIZATION=f"Bearer {sys.argv[1]}", HTTP_HOST="127.0.0.1")
assert client.get("/api/authors/").status_code == 200  # warm up, and check the token works
profiler = Profiler(interval=0.0005)
profiler.start()
for _ in range(300):
    client.get("/api/authors/")
profiler.stop()
print(profiler.output_text(unicode=False, color=False))
