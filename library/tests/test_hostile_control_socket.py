"""gunicorn 25+ opens a control socket by default, at one path per user
($HOME/.gunicorn/gunicorn.ctl): a second instance unlinks the first one's. The project
turns it off. Run by `make test-hostile`."""

import pytest

from library.tests.servers import gunicorn, manage, server_environment

pytestmark = pytest.mark.hostile


def test_gunicorn_creates_no_control_socket_in_home(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    environment = {
        name: value
        for name, value in server_environment(
            DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", HOME=str(home)
        ).items()
        if name != "XDG_RUNTIME_DIR"  # else gunicorn would put its socket there instead
    }
    manage("migrate", "--no-input", environment=environment)

    with gunicorn(environment):
        while_serving = sorted(str(path.relative_to(home)) for path in home.rglob("*"))
    # gunicorn unlinks its socket on the way out but leaves the directory it made.
    after = sorted(str(path.relative_to(home)) for path in home.rglob("*"))

    assert (while_serving, after) == ([], [])
