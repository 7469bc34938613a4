"""The Personnel page: admins add staff, give or remove roles, reset passwords, deactivate."""

import re

import pytest
from django.contrib.auth import authenticate, get_user_model

from core.roles import ADMINS, COMMS, COUNTER, roles_of

pytestmark = pytest.mark.django_db
User = get_user_model()


def shown_password(page: str) -> str:
    return re.search(r'class="password"><code>([^<]+)</code>', page).group(1)


def test_it_is_for_admins_only(client, marius, corinne):
    for persona in (marius, corinne):
        client.force_login(persona)
        assert client.get("/staff/people/").status_code == 403


def test_it_adds_a_person_with_roles_and_a_password_shown_once(client, adele):
    client.force_login(adele)
    response = client.post(
        "/staff/people/",
        {"username": "lea", "first_name": "Léa", "email": "lea@mairie.example", "roles": [COMMS]},
        follow=True,
    )
    page = response.content.decode()
    password = shown_password(page)
    lea = User.objects.get(username="lea")
    assert roles_of(lea) == {COMMS}
    assert authenticate(username="lea", password=password) == lea
    assert password not in client.get("/staff/people/").content.decode()  # once only


def test_it_refuses_a_username_already_taken(client, adele, marius):
    client.force_login(adele)
    page = client.post("/staff/people/", {"username": "MARIUS"}).content.decode()
    assert "Quelqu&#x27;un a déjà cet identifiant." in page or "a déjà cet identifiant" in page


def test_it_gives_and_removes_roles(client, adele, corinne):
    client.force_login(adele)
    client.post(f"/staff/people/{corinne.pk}/roles", {"roles": [COUNTER, COMMS]})
    assert roles_of(User.objects.get(pk=corinne.pk)) == {COUNTER, COMMS}
    client.post(f"/staff/people/{corinne.pk}/roles", {"roles": []})
    assert roles_of(User.objects.get(pk=corinne.pk)) == frozenset()


def test_it_keeps_admins_from_locking_themselves_out(client, adele):
    client.force_login(adele)
    client.post(f"/staff/people/{adele.pk}/roles", {"roles": [COMMS]})
    client.post(f"/staff/people/{adele.pk}/active")
    adele.refresh_from_db()
    assert ADMINS in roles_of(User.objects.get(pk=adele.pk)) and adele.is_active


def test_it_resets_a_password_and_deactivates_an_account(client, adele, corinne):
    client.force_login(adele)
    page = client.post(f"/staff/people/{corinne.pk}/password", follow=True).content.decode()
    password = shown_password(page)
    assert authenticate(username="corinne", password=password) is not None
    client.post(f"/staff/people/{corinne.pk}/active")
    assert authenticate(username="corinne", password=password) is None
    corinne.refresh_from_db()
    assert not corinne.is_active


def test_it_leaves_superusers_to_superusers(client, adele):
    root = User.objects.create_superuser("root", password="x" * 12)
    client.force_login(adele)
    client.post(f"/staff/people/{root.pk}/active")
    root.refresh_from_db()
    assert root.is_active


def test_it_shows_each_person_the_sections_of_their_tasks_grouped(client, corinne, adele):
    def groups_for(person):
        client.force_login(person)
        page = client.get("/staff/").content.decode()
        return re.findall(r'<h2 id="group-\d+">([^<]+)</h2>', page)

    assert groups_for(corinne) == ["Au guichet"]  # counter staff: the desk only
    assert groups_for(adele) == [
        "Au guichet",
        "Répondre aux habitants",
        "Communication",
        "Administration",
    ]
