"""Metering takes over its five tables from accesscodes (issue 12), without touching them:
the state learns the models as they are in the database (tables still named accesscodes_*),
and the content types follow, so that the staff groups keep their permissions. The next
migration renames the tables."""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from decimal import Decimal
from django.db import migrations, models


MOVED = ["usagerecord", "reservation", "ledger", "budgetalert", "quotasettings"]


def move_content_types(apps, schema_editor):
    """Existing databases: permissions and admin history stay attached to the same models."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="metering", model__in=MOVED).delete()
    ContentType.objects.filter(app_label="accesscodes", model__in=MOVED).update(
        app_label="metering"
    )


def return_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="metering", model__in=MOVED).update(
        app_label="accesscodes"
    )


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accesscodes', '0003_metering_moves_out'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('providers', '0002_price_validators_cached_optional'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='QuotaSettings',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('monthly_budget_eur', models.DecimalField(decimal_places=2, max_digits=10, validators=[django.core.validators.MinValueValidator(Decimal('0.01'), message='The monthly budget must be more than 0 €.')], verbose_name='monthly budget (€)')),
                        ('code_monthly_tokens', models.PositiveIntegerField(blank=True, null=True, verbose_name='monthly tokens per code')),
                        ('code_monthly_eur', models.DecimalField(blank=True, decimal_places=2, help_text='Optional: a cap in euros on top of, or instead of, the token allowance.', max_digits=8, null=True, validators=[django.core.validators.MinValueValidator(0)], verbose_name='monthly allowance per code (€)')),
                        ('code_daily_tokens', models.PositiveIntegerField(blank=True, help_text='Empty: no daily cap.', null=True, verbose_name='daily tokens per code')),
                        ('offline_when_paused', models.BooleanField(default=True, help_text='When the monthly budget is spent, answer with free document extracts.', verbose_name='quote documents when the budget is spent')),
                        ('auto_suspend_flagged', models.BooleanField(default=False, verbose_name='suspend flagged codes automatically')),
                        ('alert_emails', models.TextField(blank=True, help_text='One per line; empty: every admin with an e-mail address.', verbose_name='alert e-mail addresses')),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        'verbose_name': 'quotas and budget',
                        'verbose_name_plural': 'quotas and budget',
                        'db_table': 'accesscodes_quotasettings',
                    },
                ),
                migrations.CreateModel(
                    name='BudgetAlert',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('month', models.CharField(max_length=7)),
                        ('level', models.PositiveSmallIntegerField()),
                        ('sent_at', models.DateTimeField(default=django.utils.timezone.now)),
                    ],
                    options={
                        'db_table': 'accesscodes_budgetalert',
                        'constraints': [models.UniqueConstraint(fields=('month', 'level'), name='accesscodes_one_alert')],
                    },
                ),
                migrations.CreateModel(
                    name='Ledger',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('key', models.CharField(max_length=40, unique=True)),
                        ('period', models.CharField(db_index=True, max_length=10)),
                        ('used_tokens', models.BigIntegerField(default=0)),
                        ('used_micros', models.BigIntegerField(default=0)),
                        ('reserved_tokens', models.BigIntegerField(default=0)),
                        ('reserved_micros', models.BigIntegerField(default=0)),
                        ('code', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, to='accesscodes.accesscode')),
                    ],
                    options={
                        'db_table': 'accesscodes_ledger',
                    },
                ),
                migrations.CreateModel(
                    name='Reservation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('expires_at', models.DateTimeField(db_index=True)),
                        ('tokens', models.BigIntegerField()),
                        ('micros', models.BigIntegerField()),
                        ('extra_micros', models.BigIntegerField(default=0)),
                        ('ledger_keys', models.CharField(max_length=200)),
                        ('code', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accesscodes.accesscode')),
                    ],
                    options={
                        'db_table': 'accesscodes_reservation',
                    },
                ),
                migrations.CreateModel(
                    name='UsageRecord',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                        ('provider', models.CharField(blank=True, max_length=80)),
                        ('kind', models.CharField(blank=True, max_length=20)),
                        ('model', models.CharField(blank=True, max_length=120)),
                        ('input_tokens', models.PositiveIntegerField(default=0)),
                        ('output_tokens', models.PositiveIntegerField(default=0)),
                        ('cached_tokens', models.PositiveIntegerField(default=0)),
                        ('estimated', models.BooleanField(default=False)),
                        ('cost_micros', models.BigIntegerField(default=0)),
                        ('outcome', models.CharField(choices=[('ok', 'answered'), ('partial', 'interrupted'), ('error', 'failed'), ('failover', 'provider failed (billed)')], max_length=8)),
                        ('latency_ms', models.PositiveIntegerField(default=0)),
                        ('code', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='usage', to='accesscodes.accesscode')),
                        ('price', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='providers.price')),
                    ],
                    options={
                        'db_table': 'accesscodes_usagerecord',
                        'ordering': ['-at'],
                        'indexes': [models.Index(fields=['code', 'at'], name='accesscodes_code_id_fb47b2_idx')],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_types, return_content_types),
    ]
