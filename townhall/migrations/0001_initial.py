"""Townhall tables: services, requests, answer cards, anonymous answer signals, staff log."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accesscodes', '0003_metering_moves_out'),
        ('knowledge', '0008_answer_card_kind'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='AnswerSignal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('week', models.DateField(db_index=True)),
                ('level', models.CharField(choices=[('sure', 'answered'), ('low', 'low confidence'), ('uncovered', 'not covered by the documents'), ('unknown', 'confidence not measured')], max_length=9)),
                ('topics', models.JSONField(default=list)),
            ],
        ),
        migrations.CreateModel(
            name='Service',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, unique=True, verbose_name='name')),
                ('active', models.BooleanField(default=True, verbose_name='in use')),
            ],
            options={
                'verbose_name': 'service',
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='LogEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                ('actor_name', models.CharField(blank=True, max_length=150)),
                ('action', models.CharField(choices=[('drafted', 'draft written'), ('replied', 'replied'), ('closed', 'closed without reply'), ('assigned', 'service assigned'), ('card', 'card published'), ('uncard', 'card withdrawn'), ('purged', 'texts erased')], max_length=8)),
                ('request_number', models.PositiveIntegerField(blank=True, null=True)),
                ('card_number', models.PositiveIntegerField(blank=True, null=True)),
                ('count', models.PositiveIntegerField(default=1)),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'townhall log entry',
                'ordering': ['-at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='TownRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('question', models.TextField(blank=True, verbose_name='question')),
                ('answer', models.TextField(blank=True, verbose_name="assistant's answer")),
                ('language', models.CharField(default='fr', max_length=8)),
                ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='sent at')),
                ('due_on', models.DateField(verbose_name='reply due on')),
                ('status', models.CharField(choices=[('open', 'waiting for a reply'), ('replied', 'replied'), ('closed', 'closed without a written reply')], default='open', max_length=8)),
                ('draft', models.TextField(blank=True)),
                ('draft_sources', models.JSONField(blank=True, default=list)),
                ('draft_provider', models.CharField(blank=True, max_length=20)),
                ('drafted_at', models.DateTimeField(blank=True, null=True)),
                ('reply', models.TextField(blank=True, verbose_name='reply')),
                ('ai_assisted', models.BooleanField(default=False)),
                ('handled_at', models.DateTimeField(blank=True, db_index=True, null=True)),
                ('reply_seen_at', models.DateTimeField(blank=True, null=True)),
                ('purged_at', models.DateTimeField(blank=True, db_index=True, null=True)),
                ('code', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accesscodes.accesscode')),
                ('handled_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('service', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to='townhall.service', verbose_name='service')),
            ],
            options={
                'verbose_name': 'request to the town hall',
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='AnswerCard',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('question', models.CharField(max_length=300, verbose_name='question')),
                ('answer', models.TextField(verbose_name='validated answer')),
                ('valid_until', models.DateField(verbose_name='valid until')),
                ('published_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('withdrawn_at', models.DateTimeField(blank=True, null=True)),
                ('document', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='knowledge.document')),
                ('published_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('service', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to='townhall.service', verbose_name='service')),
                ('source_request', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='townhall.townrequest')),
            ],
            options={
                'verbose_name': 'answer card',
                'ordering': ['-published_at', '-id'],
            },
        ),
    ]
