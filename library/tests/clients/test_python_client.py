"""Every flow of the API through a Python client that openapi-python-client generates
from the live /api/schema/, and nothing else: no hand-written request, no patch to the
generated code. Each answer must be one the schema documents (an undocumented status
raises) and parse as the type it names.
"""

import importlib
import io
import itertools
import os
import subprocess
import sys
import time
import uuid
from contextlib import redirect_stdout
from pathlib import Path
from types import SimpleNamespace

import pyotp
import pytest

from library.tests.clients.conftest import read_mail, save_artifact
from library.tests.helpers import readme_block, reset_link_fields, verification_key

pytestmark = pytest.mark.clients

PACKAGE = "library_client"
PASSWORD = "a long unguessable phrase"
NEW_PASSWORD = "an even longer fresh phrase"


class Generated:
    """The generated package; `api.<operationId>(client, ...)` calls that operation (its
    sync_detailed) and remembers that it was called."""

    def __init__(self, base: str):
        self.base = base
        self.package = importlib.import_module(PACKAGE)
        self.models = importlib.import_module(f"{PACKAGE}.models")
        self.operations = {
            path.stem: f"{PACKAGE}.api.{path.parent.name}.{path.stem}"
            for path in Path(self.package.__file__).parent.glob("api/*/*.py")
            if path.stem != "__init__"
        }
        self.called: set[str] = set()

    def __getattr__(self, operation_id: str):
        module = importlib.import_module(self.operations[operation_id])

        def call(client, **arguments):
            self.called.add(operation_id)
            return module.sync_detailed(client=client, **arguments)

        return call

    def anonymous(self):
        return self.package.Client(base_url=self.base, raise_on_unexpected_status=True)

    def bearer(self, access: str):
        return self.package.AuthenticatedClient(
            base_url=self.base, token=access, raise_on_unexpected_status=True
        )


@pytest.fixture(scope="module")
def api(live, tmp_path_factory):
    """The client, generated from the live schema into a fresh directory and imported;
    it talks to the server the schema's `servers` names."""
    out = tmp_path_factory.mktemp("python-client")
    tools = Path(sys.executable).parent  # openapi-python-client and the ruff it formats with
    result = subprocess.run(
        [
            str(tools / "openapi-python-client"),
            "generate",
            "--url",
            f"{live.base}/api/schema/",
            "--meta",
            "none",
            "--output-path",
            str(out / PACKAGE),
            "--fail-on-warning",
        ],
        env=os.environ | {"PATH": f"{tools}{os.pathsep}{os.environ['PATH']}"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    sys.path.insert(0, str(out))
    try:
        generated = Generated(base=live.schema["servers"][0]["url"])
        yield generated
        save_artifact("python-client-operations.txt", "\n".join(sorted(generated.called)) + "\n")
    finally:
        sys.path.remove(str(out))
        for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
            del sys.modules[name]


names = (f"py{n}{uuid.uuid4().hex[:6]}" for n in itertools.count())


def register(api, username: str | None = None):
    username = username or next(names)
    answer = api.auth_register_create(
        api.anonymous(),
        body=api.models.RegisterRequest(
            username=username, email=f"{username}@example.com", password=PASSWORD
        ),
    )
    assert answer.status_code == 201, answer.content
    assert isinstance(answer.parsed, api.models.RegisteredUser)
    return answer.parsed


def log_in(api, username: str, password: str = PASSWORD):
    answer = api.auth_token_create(
        api.anonymous(), body=api.models.LoginRequest(username=username, password=password)
    )
    assert answer.status_code == 200, answer.content
    assert isinstance(answer.parsed, api.models.TokenPair)
    return answer.parsed


def reader(api):
    """A new user, logged in: (their client, their token pair, their username)."""
    username = register(api).username
    pair = log_in(api, username)
    return api.bearer(pair.access), pair, username


def status_of(api, access: str) -> int:
    """What GET /api/accounts/me/ answers to `access`."""
    return api.accounts_me_retrieve(api.bearer(access)).status_code


def add_authors(api, client, *authors: tuple[str, str, str, bool]) -> list:
    added = []
    for name, book, country, booker_prize in authors:
        body = api.models.AuthorRequest(name=name, book=book, country=country, booker_prize=booker_prize)
        answer = api.authors_create(client, body=body)
        assert answer.status_code == 201, answer.content
        added.append(answer.parsed)
    return added


LIBRARY = [
    ("Anna Burns", "Milkman", "United Kingdom", True),
    ("Ali Smith", "Autumn", "United Kingdom", False),
    ("Sally Rooney", "Normal People", "Ireland", False),
]


def names_of(answer) -> list[str]:
    assert answer.status_code == 200, answer.content
    return [author.name for author in answer.parsed.results]


# --- the flows -----------------------------------------------------------------------------


def test_the_schema_names_the_server_that_served_it(api, live):
    assert api.base == live.base
    assert api.health_retrieve(api.anonymous()).parsed.status == "ok"


def test_the_signing_keys(api):
    answer = api.auth_jwks_retrieve(api.anonymous())

    assert answer.status_code == 200, answer.content
    assert answer.parsed.keys == []  # HS256: its key is a secret


def test_a_csrf_token_for_the_cookie_transport(api):
    answer = api.auth_csrf_retrieve(api.anonymous())

    assert answer.status_code == 200, answer.content
    assert len(answer.parsed.csrf_token) == 64
    assert "csrftoken" in answer.headers.get("set-cookie", "")


def test_register(api):
    user = register(api, "pyada")

    assert (user.username, user.email) == ("pyada", "pyada@example.com")


def test_log_in_by_username(api):
    username = register(api).username

    assert status_of(api, log_in(api, username).access) == 200


def test_log_in_by_email(api):
    username = register(api).username

    assert status_of(api, log_in(api, f"{username}@example.com").access) == 200


def test_a_wrong_password_is_a_documented_401(api):
    username = register(api).username

    answer = api.auth_token_create(
        api.anonymous(), body=api.models.LoginRequest(username=username, password="guess")
    )

    assert (answer.status_code, answer.parsed.code) == (401, "invalid_credentials")


def test_list_users(api):
    client, _, username = reader(api)

    answer = api.accounts_users_list(client, page_size=100)

    assert answer.status_code == 200
    assert all(isinstance(user, api.models.PublicUser) for user in answer.parsed.results)
    assert username in [user.username for user in answer.parsed.results]


def test_read_your_account_and_change_it(api):
    client, _, username = reader(api)

    changed = api.accounts_me_partial_update(client, body=api.models.PatchedMeRequest(last_name="King"))

    assert changed.status_code == 200
    assert isinstance(changed.parsed, api.models.Me)
    assert (changed.parsed.username, changed.parsed.last_name) == (username, "King")
    assert api.accounts_me_retrieve(client).parsed.last_name == "King"


def test_create_an_author(api):
    client, _, username = reader(api)

    [author] = add_authors(api, client, LIBRARY[0])

    assert isinstance(author, api.models.Author)
    assert (author.name, author.booker_prize, author.owner) == ("Anna Burns", True, username)


def test_list_authors(api):
    client, _, _ = reader(api)
    add_authors(api, client, *LIBRARY)

    answer = api.authors_list(client)

    assert isinstance(answer.parsed, api.models.PaginatedAuthorList)
    assert answer.parsed.count == 3
    assert names_of(answer) == ["Sally Rooney", "Ali Smith", "Anna Burns"]  # newest first


def test_filter_authors(api):
    client, _, _ = reader(api)
    add_authors(api, client, *LIBRARY)

    assert names_of(api.authors_list(client, country="united kingdom", booker_prize=True)) == ["Anna Burns"]
    assert names_of(api.authors_list(client, booker_prize=False, ordering="name")) == [
        "Ali Smith",
        "Sally Rooney",
    ]


def test_search_authors(api):
    client, _, _ = reader(api)
    add_authors(api, client, *LIBRARY)

    assert names_of(api.authors_list(client, search="autumn")) == ["Ali Smith"]


def test_order_authors(api):
    client, _, _ = reader(api)
    add_authors(api, client, *LIBRARY)

    assert names_of(api.authors_list(client, ordering="country,-name")) == [
        "Sally Rooney",
        "Anna Burns",
        "Ali Smith",
    ]
    refused = api.authors_list(client, ordering="bogus")
    assert refused.status_code == 400
    assert "ordering" in refused.parsed.additional_properties


def test_page_through_authors(api):
    client, _, _ = reader(api)
    add_authors(api, client, *LIBRARY)

    first = api.authors_list(client, ordering="name", page_size=2)
    second = api.authors_list(client, ordering="name", page_size=2, page=2)

    assert names_of(first) == ["Ali Smith", "Anna Burns"]
    assert names_of(second) == ["Sally Rooney"]
    assert "page=2" in first.parsed.next_
    assert (first.parsed.previous, second.parsed.next_) == (None, None)
    assert api.authors_list(client, page=9).status_code == 404


def test_get_an_author(api):
    client, _, _ = reader(api)
    [author] = add_authors(api, client, LIBRARY[0])

    answer = api.authors_retrieve(client, id=author.id)

    assert (answer.status_code, answer.parsed.name) == (200, "Anna Burns")


def test_put_an_author(api):
    client, _, _ = reader(api)
    [author] = add_authors(api, client, LIBRARY[0])

    body = api.models.AuthorRequest(
        name="Anna Burns", book="No Bones", country="Northern Ireland", booker_prize=False
    )
    answer = api.authors_update(client, id=author.id, body=body)

    assert answer.status_code == 200
    assert (answer.parsed.book, answer.parsed.country, answer.parsed.booker_prize) == (
        "No Bones",
        "Northern Ireland",
        False,
    )


def test_patch_an_author(api):
    client, _, _ = reader(api)
    [author] = add_authors(api, client, LIBRARY[1])

    answer = api.authors_partial_update(
        client, id=author.id, body=api.models.PatchedAuthorRequest(booker_prize=True)
    )

    assert (answer.status_code, answer.parsed.booker_prize, answer.parsed.book) == (200, True, "Autumn")


def test_delete_an_author(api):
    client, _, _ = reader(api)
    [author] = add_authors(api, client, LIBRARY[0])

    assert api.authors_destroy(client, id=author.id).status_code == 204
    assert api.authors_retrieve(client, id=author.id).status_code == 404


def test_bulk_delete_authors(api):
    client, _, _ = reader(api)
    add_authors(api, client, *LIBRARY)

    refused = api.authors_bulk_destroy(client)
    winners = api.authors_bulk_destroy(client, booker_prize=True)
    everything = api.authors_bulk_destroy(client, all_=True)

    assert refused.status_code == 400
    assert (winners.status_code, winners.parsed.deleted) == (200, 1)
    assert (everything.status_code, everything.parsed.deleted) == (200, 2)
    assert api.authors_list(client).parsed.count == 0


def test_revoke_an_access_token(api):
    client, pair, _ = reader(api)

    answer = api.auth_token_revoke_create(client, body=api.models.TokenRequest(token=pair.access))

    assert answer.status_code == 204
    assert status_of(api, pair.access) == 401


def test_refresh(api):
    _, pair, _ = reader(api)

    answer = api.auth_token_refresh_create(
        api.anonymous(), body=api.models.RefreshRequest(refresh=pair.refresh)
    )

    assert answer.status_code == 200
    assert status_of(api, answer.parsed.access) == 200
    again = api.auth_token_refresh_create(
        api.anonymous(), body=api.models.RefreshRequest(refresh=pair.refresh)
    )
    assert (again.status_code, again.parsed.code) == (401, "token_not_valid")


def test_revoke_a_refresh_token_ends_its_session(api):
    client, pair, _ = reader(api)
    rotated = api.auth_token_refresh_create(
        api.anonymous(), body=api.models.RefreshRequest(refresh=pair.refresh)
    )

    answer = api.auth_token_revoke_create(client, body=api.models.TokenRequest(token=pair.refresh))

    assert answer.status_code == 204
    refresh = api.auth_token_refresh_create(
        api.anonymous(), body=api.models.RefreshRequest(refresh=rotated.parsed.refresh)
    )
    assert refresh.status_code == 401
    assert status_of(api, rotated.parsed.access) == 401


def test_verify(api):
    _, pair, _ = reader(api)

    good = api.auth_token_verify_create(api.anonymous(), body=api.models.TokenRequest(token=pair.access))
    bad = api.auth_token_verify_create(api.anonymous(), body=api.models.TokenRequest(token="not-a-token"))

    assert good.status_code == 200
    assert (bad.status_code, bad.parsed.code) == (401, "token_not_valid")


def test_list_sessions_and_end_one(api):
    client, pair, username = reader(api)
    other = log_in(api, username)

    sessions = api.auth_sessions_list(client).parsed.results
    [current] = [session for session in sessions if session.current]
    [elsewhere] = [session for session in sessions if not session.current]
    ended = api.auth_sessions_destroy(client, id=elsewhere.id)

    assert isinstance(current, api.models.LoginSession)
    assert ended.status_code == 204
    assert status_of(api, other.access) == 401
    assert status_of(api, pair.access) == 200


def test_name_a_session(api):
    client, _, _ = reader(api)
    [session] = api.auth_sessions_list(client).parsed.results

    named = api.auth_sessions_partial_update(
        client, id=session.id, body=api.models.PatchedLoginSessionNameRequest(name="Ada's phone")
    )
    refused = api.auth_sessions_partial_update(
        client, id=session.id, body=api.models.PatchedLoginSessionNameRequest(name="Ada's\tphone")
    )

    assert (named.status_code, named.parsed.name, named.parsed.current) == (200, "Ada's phone", True)
    assert refused.status_code == 400
    assert [row.name for row in api.auth_sessions_list(client).parsed.results] == ["Ada's phone"]


def test_log_out(api):
    client, pair, _ = reader(api)

    answer = api.auth_logout_create(client, body=api.models.LogoutRequest(refresh=pair.refresh))

    assert answer.status_code == 204
    assert status_of(api, pair.access) == 401
    refresh = api.auth_token_refresh_create(
        api.anonymous(), body=api.models.RefreshRequest(refresh=pair.refresh)
    )
    assert refresh.status_code == 401


def test_log_out_everywhere(api):
    client, pair, username = reader(api)
    other = log_in(api, username)

    assert api.auth_logout_all_create(client).status_code == 204
    assert (status_of(api, pair.access), status_of(api, other.access)) == (401, 401)


def test_change_your_password(api):
    client, pair, username = reader(api)

    body = api.models.PasswordChangeRequest(old_password=PASSWORD, new_password=NEW_PASSWORD)
    answer = api.accounts_me_password_create(client, body=body)

    assert answer.status_code == 200
    assert isinstance(answer.parsed, api.models.TokenPair)
    assert (status_of(api, pair.access), status_of(api, answer.parsed.access)) == (401, 200)
    assert status_of(api, log_in(api, username, NEW_PASSWORD).access) == 200


def test_delete_your_own_account(api):
    client, _, username = reader(api)

    wrong = api.accounts_me_destroy(client, body=api.models.DeleteAccountRequest(password="guess"))
    right = api.accounts_me_destroy(client, body=api.models.DeleteAccountRequest(password=PASSWORD))

    assert wrong.status_code == 400
    assert right.status_code == 204
    login = api.auth_token_create(
        api.anonymous(), body=api.models.LoginRequest(username=username, password=PASSWORD)
    )
    assert login.status_code == 401


def test_reset_a_forgotten_password_from_the_mailed_link(api, live):
    _, pair, username = reader(api)
    address = f"{username}@example.com"

    asked = api.auth_password_reset_create(
        api.anonymous(), body=api.models.EmailAddressRequest(email=address)
    )
    link = reset_link_fields(read_mail(live, address, "Set a new password"))
    body = api.models.PasswordResetConfirmRequest(
        uid=link["uid"], token=link["token"], new_password=NEW_PASSWORD
    )
    reset = api.auth_password_reset_confirm_create(api.anonymous(), body=body)
    again = api.auth_password_reset_confirm_create(api.anonymous(), body=body)

    assert asked.status_code == 202
    assert isinstance(asked.parsed, api.models.Accepted)
    assert (reset.status_code, again.status_code) == (204, 400)
    assert status_of(api, pair.access) == 401
    assert status_of(api, log_in(api, username, NEW_PASSWORD).access) == 200


def test_confirm_your_email_address_from_the_mailed_link(api, live):
    client, _, username = reader(api)
    address = f"{username}@example.com"

    resent = api.auth_email_verify_resend_create(
        api.anonymous(), body=api.models.EmailAddressRequest(email=address)
    )
    key = verification_key(read_mail(live, address, "Confirm your email address"))
    confirmed = api.auth_email_verify_create(
        api.anonymous(), body=api.models.EmailVerificationRequest(key=key)
    )

    assert resent.status_code == 202
    assert confirmed.status_code == 200
    assert isinstance(confirmed.parsed, api.models.VerifiedEmail)
    assert (confirmed.parsed.email, confirmed.parsed.email_verified) == (address, True)
    assert api.accounts_me_retrieve(client).parsed.email_verified is True


# --- the second factor, and the security log ---------------------------------------------------


def documented(live, path: str, method: str, status: int, example: str):
    """The example answer the schema documents for that status."""
    content = live.schema["paths"][path][method]["responses"][str(status)]["content"]
    return content["application/json"]["examples"][example]["value"]


def wrong_code(totp: pyotp.TOTP) -> str:
    """Six digits that are no code of `totp` within the server's one step of drift."""
    right = {totp.at(time.time(), counter_offset=offset) for offset in (-1, 0, 1)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in right)


def with_a_second_factor(api):
    """A new user, logged in, who turned TOTP on: (their client, their TOTP, their
    recovery codes, their username). The confirming code is spent: the next TOTP code
    to use is next_code's."""
    client, _, username = reader(api)
    setup = api.auth_mfa_totp_setup_create(client, body=api.models.PasswordRequest(password=PASSWORD))
    assert setup.status_code == 200, setup.content
    totp = pyotp.TOTP(setup.parsed.secret)
    confirmed = api.auth_mfa_totp_confirm_create(client, body=api.models.CodeRequest(code=totp.now()))
    assert confirmed.status_code == 200, confirmed.content
    return client, totp, confirmed.parsed.recovery_codes, username


def next_code(totp: pyotp.TOTP) -> str:
    """The code of the next time step: the current one's was spent confirming, and a code
    is accepted once; the server allows one step of drift."""
    return totp.at(time.time(), counter_offset=1)


def test_set_up_a_second_factor(api):
    client, _, username = reader(api)

    setup = api.auth_mfa_totp_setup_create(client, body=api.models.PasswordRequest(password=PASSWORD))
    pending = api.accounts_me_retrieve(client).parsed.mfa_enabled
    totp = pyotp.TOTP(setup.parsed.secret)
    confirmed = api.auth_mfa_totp_confirm_create(client, body=api.models.CodeRequest(code=totp.now()))

    assert setup.status_code == 200
    assert isinstance(setup.parsed, api.models.TotpSetup)
    assert pyotp.parse_uri(setup.parsed.otpauth_url).secret == totp.secret
    assert pyotp.parse_uri(setup.parsed.otpauth_url).name == username
    assert setup.parsed.qr_svg.startswith("<svg")
    assert pending is False
    assert confirmed.status_code == 200
    assert isinstance(confirmed.parsed, api.models.RecoveryCodes)
    assert len(set(confirmed.parsed.recovery_codes)) == 10
    assert api.accounts_me_retrieve(client).parsed.mfa_enabled is True


def test_log_in_with_the_second_factor(api, live):
    _, totp, _, username = with_a_second_factor(api)

    challenge = api.auth_token_create(
        api.anonymous(), body=api.models.LoginRequest(username=username, password=PASSWORD)
    )
    mfa_token = challenge.parsed.mfa_token
    wrong = api.auth_token_mfa_create(
        api.anonymous(), body=api.models.MfaLoginRequest(mfa_token=mfa_token, code=wrong_code(totp))
    )
    right = api.auth_token_mfa_create(
        api.anonymous(), body=api.models.MfaLoginRequest(mfa_token=mfa_token, code=next_code(totp))
    )

    assert challenge.status_code == 202
    assert isinstance(challenge.parsed, api.models.MfaChallenge)
    assert [method.value for method in challenge.parsed.methods] == ["totp", "recovery_code"]
    assert challenge.parsed.expires_in == 300
    assert wrong.status_code == 400
    assert isinstance(wrong.parsed, api.models.AuthTokenMfaCreateResponse400)
    assert wrong.parsed.to_dict() == documented(live, "/api/auth/token/mfa/", "post", 400, "Code")
    assert right.status_code == 200
    assert isinstance(right.parsed, api.models.TokenPair)
    assert status_of(api, right.parsed.access) == 200


def test_renew_your_recovery_codes(api, live):
    client, _, codes, _ = with_a_second_factor(api)

    renewed = api.auth_mfa_recovery_codes_create(
        client, body=api.models.BothFactorsRequest(password=PASSWORD, code=codes[0])
    )
    old = api.auth_mfa_recovery_codes_create(
        client, body=api.models.BothFactorsRequest(password=PASSWORD, code=codes[1])
    )

    assert renewed.status_code == 200
    assert isinstance(renewed.parsed, api.models.RecoveryCodes)
    assert len(renewed.parsed.recovery_codes) == 10
    assert set(renewed.parsed.recovery_codes).isdisjoint(codes)
    assert old.status_code == 400  # the old set died
    assert old.parsed.to_dict() == documented(live, "/api/auth/mfa/recovery-codes/", "post", 400, "Code")


def test_turn_the_second_factor_off_with_a_recovery_code(api):
    client, _, codes, username = with_a_second_factor(api)

    answer = api.auth_mfa_totp_destroy(
        client, body=api.models.BothFactorsRequest(password=PASSWORD, code=codes[0])
    )

    assert answer.status_code == 204
    assert api.accounts_me_retrieve(client).parsed.mfa_enabled is False
    assert status_of(api, log_in(api, username).access) == 200  # one step again


def test_your_security_log(api, live):
    client, _, username = reader(api)
    api.auth_token_create(api.anonymous(), body=api.models.LoginRequest(username=username, password="guess"))
    log_in(api, username)

    answer = api.auth_events_list(client, type_=[api.models.AuthEventsListTypeItem.LOGIN_FAILED])
    every = api.auth_events_list(client)
    # A client generated from a newer schema may know a type this server does not.
    unknown = api.auth_events_list(client, type_=[SimpleNamespace(value="bogus")])

    assert answer.status_code == 200
    assert isinstance(answer.parsed, api.models.PaginatedSecurityEventList)
    [failed] = answer.parsed.results
    assert isinstance(failed, api.models.SecurityEvent)
    assert (failed.type_.value, failed.identifier) == ("login_failed", username)
    assert [event.type_.value for event in every.parsed.results] == [
        "login_succeeded",
        "login_failed",
        "login_succeeded",
    ]  # newest first
    assert unknown.status_code == 400
    assert isinstance(unknown.parsed, api.models.AuthEventsListResponse400)
    assert unknown.parsed.to_dict() == documented(live, "/api/auth/events/", "get", 400, "Type")


# --- as staff: the superuser `manage.py createsuperuser` made ---------------------------------


@pytest.fixture(scope="module")
def staff(api, live):
    return api.bearer(log_in(api, live.staff.username, live.staff.password).access)


def test_staff_list_users_typed_as_staff(api, staff, live):
    register(api)

    users = api.accounts_users_list(staff, page_size=100).parsed.results

    assert users and all(isinstance(user, api.models.StaffUser) for user in users)
    [librarian] = [user for user in users if user.username == live.staff.username]
    assert (librarian.email, librarian.is_staff) == (live.staff.email, True)


def test_staff_read_one_user_typed_as_staff(api, staff):
    user = register(api)

    answer = api.accounts_users_retrieve(staff, id=user.id)

    assert isinstance(answer.parsed, api.models.StaffUser)
    assert (answer.parsed.email, answer.parsed.is_active) == (user.email, True)


def test_staff_deactivate_and_activate_a_user(api, staff):
    client, pair, username = reader(api)
    user_id = api.accounts_me_retrieve(client).parsed.id

    off = api.accounts_users_partial_update(
        staff, id=user_id, body=api.models.PatchedStaffUserRequest(is_active=False)
    )
    refused = api.auth_token_create(
        api.anonymous(), body=api.models.LoginRequest(username=username, password=PASSWORD)
    )
    on = api.accounts_users_partial_update(
        staff, id=user_id, body=api.models.PatchedStaffUserRequest(is_active=True)
    )

    assert (off.status_code, off.parsed.is_active) == (200, False)
    assert isinstance(off.parsed, api.models.StaffUser)
    assert status_of(api, pair.access) == 401
    assert refused.status_code == 401
    assert (on.status_code, on.parsed.is_active) == (200, True)
    assert status_of(api, log_in(api, username).access) == 200


def test_staff_delete_a_user(api, staff):
    client, _, _ = reader(api)
    user_id = api.accounts_me_retrieve(client).parsed.id

    assert api.accounts_users_destroy(staff, id=user_id).status_code == 204
    assert api.accounts_users_retrieve(staff, id=user_id).status_code == 404


def test_a_user_cannot_act_as_staff(api):
    client, _, _ = reader(api)
    other = register(api)

    answer = api.accounts_users_partial_update(
        client, id=other.id, body=api.models.PatchedStaffUserRequest(is_active=False)
    )

    assert (answer.status_code, answer.parsed.code) == (403, "permission_denied")


def test_the_readme_example_runs_as_written(api, live):
    register(api, "ada")
    example = readme_block("## Generate a client", "python").replace("http://127.0.0.1:8000", live.base)

    printed = io.StringIO()
    with redirect_stdout(printed):
        exec(example, {})  # noqa: S102 (the README's own code, against the test server)

    assert printed.getvalue() == "['Anna Burns']\n"


# Last: every operation of the schema went through the generated client.
def test_every_operation_was_called(api):
    assert set(api.operations) - api.called == set()
