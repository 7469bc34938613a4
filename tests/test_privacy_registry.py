"""The privacy page's registry stays true to the schema, the settings, the schedule and the
providers: a field, a model, a retention setting, a periodic task or a provider kind added
without its description fails here (guard 1 of issue 21)."""

import re

import pytest
from django.conf import settings
from django.db import models
from django.test.utils import isolate_apps

import arcachat.settings as project_settings
from core.roles import ADMINS, AGENTS, COMMS, COUNTER, ROLES
from privacy import access, locations, outbound, retention
from privacy.tables import TABLES, stale, undescribed
from privacy.tables.base import CATEGORIES, PEOPLE, concrete_models
from providers.models import Kind, ProviderConfig
from providers.registry import configured_chain
from tests.security.access import AUDIENCES, RULES

# Settings whose names say they are durations of keeping something: each must be a Keep.
RETENTION_NAME = re.compile(r"KEEP|RETENTION|_DAYS$|_AGE$|^SESSION_.*(HOURS|MINUTES|SECONDS)$")


def test_it_describes_every_field_of_every_model():
    missing = undescribed()
    assert missing == [], (
        f"Fields the privacy page does not describe: {missing}. Add one line per field to its "
        "model's entry in privacy/tables/<app>.py (see privacy/tables/__init__.py)."
    )


def test_it_describes_no_field_or_model_that_is_gone():
    assert stale() == []


def test_it_covers_our_apps_and_the_django_tables_we_use():
    labels = {model._meta.label for model in concrete_models()}
    assert {"auth.User", "sessions.Session", "admin.LogEntry", "accesscodes.AccessCode"} <= labels
    assert {model._meta.app_label for model in concrete_models()} >= {"privacy", "metering"}


@isolate_apps("knowledge")
def test_it_would_fail_on_a_model_or_a_field_added_later():
    class Survey(models.Model):  # noqa: DJ008 - never shown
        helpful = models.BooleanField()

        class Meta:
            app_label = "knowledge"

    class Document(models.Model):  # noqa: DJ008 - a described table, one field undescribed
        title = models.CharField(max_length=300)
        reviewed_by_mayor = models.BooleanField(default=False)

        class Meta:
            app_label = "knowledge"

    assert undescribed([Survey, Document]) == [
        "knowledge.Survey",
        "knowledge.Document.reviewed_by_mayor",
    ]


def test_it_gives_every_table_a_known_category_people_and_retention():
    for table in TABLES.values():
        assert table.keep in retention.BY_KEY, table.model
        assert table.people in PEOPLE, table.model
        assert table.name and table.about, table.model
        for name, field in table.fields.items():
            assert field.category in CATEGORIES and field.text.strip(), (table.model, name)


def test_it_names_every_retention_setting():
    named = {
        name for name in dir(project_settings) if name.isupper() and RETENTION_NAME.search(name)
    }
    described = {keep.setting for keep in retention.KEEPS if keep.setting}
    assert named - described == set(), (
        "Settings that keep something for a time, missing from privacy/retention.py KEEPS"
    )
    assert described <= set(dir(settings))


def test_it_knows_what_every_periodic_task_does():
    for row in retention.beat_tasks():
        assert row["does"], f"{row['task']}: add it to privacy/retention.py (KEEPS or OTHER_TASKS)"
    enforcing = {keep.task for keep in retention.KEEPS if keep.task}
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert enforcing <= scheduled


def test_it_declares_where_every_provider_kind_processes_questions():
    assert set(locations.KIND_PLACES) == set(Kind.values)
    for kind, place in locations.KIND_PLACES.items():
        assert place is None or place in locations.PLACES, kind


@pytest.mark.django_db
def test_it_orders_the_providers_as_the_chat_does():
    ProviderConfig.objects.create(name="Mistral", kind=Kind.MISTRAL, order=2)
    ProviderConfig.objects.create(name="Claude", kind=Kind.ANTHROPIC, order=1)
    ProviderConfig.objects.create(name="Off", kind=Kind.OPENAI, order=3, enabled=False)
    ProviderConfig.objects.create(name="Local", kind=Kind.OFFLINE, order=4)
    ProviderConfig.objects.create(name="After offline", kind=Kind.OPENAI, order=5)
    names = [config.name for config in locations.chain_configs()]
    assert (
        names
        == [provider.name for provider in configured_chain()]
        == [
            "Claude",
            "Mistral",
            "Local",
        ]
    )
    ProviderConfig.objects.filter(kind=Kind.OFFLINE).delete()
    assert [c.name for c in locations.chain_configs()] == [p.name for p in configured_chain()]


def test_it_names_every_staff_role():
    assert set(access.ROLE_NAMES) == set(ROLES)


def test_it_derives_each_pages_roles_as_the_access_matrix_checks_them():
    """The roles read from the views' guards are those tests/security/access.py verifies."""
    persona = {COUNTER: "corinne", COMMS: "marius", AGENTS: "aline", ADMINS: "adele"}
    known = access.pages()
    shown = {name for table in TABLES.values() for name in table.shown_on}
    assert shown <= set(known)
    for name in shown:
        page = known[name]
        rule = RULES[page.route]
        assert {persona[role] for role in page.roles} == AUDIENCES[rule.who], name


def test_it_names_only_the_kinds_the_chat_page_warns_about():
    script = (settings.BASE_DIR / "static" / "js" / "pii.js").read_text(encoding="utf-8")
    for constant in outbound.WARNED_KINDS:
        assert re.search(rf"^const {constant} = ", script, re.M), constant
