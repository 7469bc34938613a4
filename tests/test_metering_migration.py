"""Metering's tables leave accesscodes without losing a row (issue 12), on SQLite and PostgreSQL.

The database is taken back to the schema before the move (accesscodes 0002, no metering app),
filled through the historical models as a town's database would be, then migrated forward.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from metering.models import BudgetAlert, Ledger, QuotaSettings, Reservation, UsageRecord

BEFORE = [("accesscodes", "0002_failover_suspension_signals_budget_validators"), ("metering", None)]
MOVED = ["ledger", "reservation", "usagerecord", "budgetalert", "quotasettings"]


def migrate(targets):
    """Migrate to `targets`; the models as they are then (the historical ones)."""
    MigrationExecutor(connection).migrate(targets)
    applied = MigrationExecutor(connection)
    return applied._create_project_state(with_applied_migrations=True).apps


def latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def fill_before_the_move(apps) -> dict:
    """Rows in every moved table, as the app wrote them before the move."""
    code = apps.get_model("accesscodes", "AccessCode").objects.create(digest="d" * 64, number=7)
    price = apps.get_model("providers", "Price")
    config = apps.get_model("providers", "ProviderConfig").objects.create(
        name="Mistral", kind="mistral"
    )
    price = price.objects.create(
        provider=config,
        effective_from=timezone.now() - dt.timedelta(days=1),
        eur_per_million_input=Decimal(2),
        eur_per_million_output=Decimal(6),
    )
    get = apps.get_model
    get("accesscodes", "QuotaSettings").objects.create(pk=1, monthly_budget_eur=Decimal("123.45"))
    get("accesscodes", "Ledger").objects.create(
        key="code:1:2026-11", code=code, period="2026-11", used_tokens=900, reserved_tokens=50
    )
    get("accesscodes", "Reservation").objects.create(
        code=code, expires_at=timezone.now(), tokens=50, micros=10, ledger_keys="code:1:2026-11"
    )
    get("accesscodes", "UsageRecord").objects.create(
        code=code,
        provider="Mistral",
        input_tokens=800,
        output_tokens=100,
        cost_micros=2200,
        price=price,
        outcome="ok",
    )
    get("accesscodes", "BudgetAlert").objects.create(month="2026-11", level=80)
    return {"code": code.pk, "price": price.pk}


@pytest.mark.django_db(transaction=True)
def test_it_moves_the_metering_tables_and_their_rows_to_the_metering_app():
    ids = fill_before_the_move(migrate(BEFORE))
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
    assert {f"accesscodes_{name}" for name in MOVED} <= tables

    migrate(latest())
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
    assert not {f"accesscodes_{name}" for name in MOVED} & tables
    assert {f"metering_{name}" for name in MOVED} <= tables
    assert QuotaSettings.objects.get(pk=1).monthly_budget_eur == Decimal("123.45")
    ledger = Ledger.objects.get(key="code:1:2026-11")
    assert (ledger.code_id, ledger.used_tokens, ledger.reserved_tokens) == (ids["code"], 900, 50)
    assert Reservation.objects.get().tokens == 50
    record = UsageRecord.objects.get()
    assert (record.code_id, record.price_id, record.cost_micros) == (
        ids["code"],
        ids["price"],
        2200,
    )
    assert BudgetAlert.objects.filter(month="2026-11", level=80).exists()
    # The tables keep working after the move: new rows, and the unique alert per month/level.
    UsageRecord.objects.create(code_id=ids["code"], outcome="ok", input_tokens=1)
    assert UsageRecord.objects.count() == 2
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetAlert.objects.create(month="2026-11", level=80)


@pytest.mark.django_db(transaction=True)
def test_it_keeps_the_staff_permissions_on_the_moved_models():
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    migrate(BEFORE)
    # As on a town's database: the content type and a role's permission exist before the move.
    ContentType.objects.clear_cache()
    before = ContentType.objects.get_or_create(app_label="accesscodes", model="usagerecord")[0]
    permission, _ = Permission.objects.get_or_create(
        content_type=before, codename="view_usagerecord", defaults={"name": "Can view"}
    )
    group, _ = Group.objects.get_or_create(name="admins")
    group.permissions.add(permission)

    migrate(latest())
    ContentType.objects.clear_cache()
    moved = ContentType.objects.get(pk=before.pk)
    assert (moved.app_label, moved.model) == ("metering", "usagerecord")
    assert group.permissions.filter(codename="view_usagerecord").exists()
