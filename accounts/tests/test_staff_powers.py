"""Staff manage accounts that are not staff; superusers manage everyone and who is staff."""

import pytest

from accounts.models import User
from accounts.tests.factories import UserFactory
from library.tests.helpers import USERS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("target_flags", [{"is_superuser": True, "is_staff": True}, {"is_staff": True}])
def test_plain_staff_cannot_deactivate_staff_or_superusers(staff_client, target_flags):
    target = UserFactory(**target_flags)

    response = staff_client.patch(f"{USERS}{target.pk}/", {"is_active": False})

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert User.objects.get(pk=target.pk).is_active


@pytest.mark.parametrize("target_flags", [{"is_superuser": True, "is_staff": True}, {"is_staff": True}])
def test_plain_staff_cannot_delete_staff_or_superusers(staff_client, target_flags):
    target = UserFactory(**target_flags)

    response = staff_client.delete(f"{USERS}{target.pk}/")

    assert response.status_code == 403
    assert User.objects.filter(pk=target.pk).exists()


def test_plain_staff_cannot_grant_staff(staff_client):
    target = UserFactory()

    response = staff_client.patch(f"{USERS}{target.pk}/", {"is_staff": True})

    assert response.status_code == 403
    assert not User.objects.get(pk=target.pk).is_staff


def test_plain_staff_still_manage_ordinary_accounts(staff_client):
    target = UserFactory()

    assert staff_client.patch(f"{USERS}{target.pk}/", {"is_active": False}).status_code == 200
    assert staff_client.delete(f"{USERS}{target.pk}/").status_code == 204


def test_superusers_manage_staff_and_superusers(superuser_client):
    staff, other_superuser = UserFactory(is_staff=True), UserFactory(is_staff=True, is_superuser=True)

    assert superuser_client.patch(f"{USERS}{staff.pk}/", {"is_staff": False}).status_code == 200
    assert superuser_client.patch(f"{USERS}{other_superuser.pk}/", {"is_active": False}).status_code == 200
    assert superuser_client.delete(f"{USERS}{other_superuser.pk}/").status_code == 204
    assert not User.objects.get(pk=staff.pk).is_staff


def test_plain_staff_sees_a_staff_account_in_the_admin_but_cannot_change_it(staff):
    from django.contrib.auth.models import Permission
    from django.test import Client

    staff.user_permissions.add(*Permission.objects.filter(codename__in=["view_user", "change_user"]))
    target = UserFactory(is_staff=True, is_superuser=True)
    browser = Client()
    browser.force_login(staff)

    page = browser.get(f"/admin/accounts/user/{target.pk}/change/")
    refused = browser.post(f"/admin/accounts/user/{target.pk}/change/", {"is_active": ""})

    assert page.status_code == 200 and "Save" not in page.content.decode()
    assert refused.status_code == 403
    assert User.objects.get(pk=target.pk).is_active


def test_plain_staffs_refusals_say_who_may(staff_client):
    ordinary, staff_member = UserFactory(), UserFactory(is_staff=True)

    grant = staff_client.patch(f"{USERS}{ordinary.pk}/", {"is_staff": True})
    change = staff_client.patch(f"{USERS}{staff_member.pk}/", {"is_active": False})

    assert grant.json()["detail"] == "Only a superuser may grant or remove staff status."
    assert change.json()["detail"] == "Only a superuser may change or delete a staff or superuser account."
