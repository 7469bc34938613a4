"""Web sites synced as sources: the sites, their pages, runs and report lines."""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('knowledge', '0004_index_follows_chunks'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='SyncRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('queued', 'Waiting to start'), ('running', 'Running'), ('paused', 'Paused'), ('done', 'Finished'), ('cancelled', 'Cancelled'), ('stopped', 'Stopped')], default='queued', max_length=10)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('heartbeat', models.DateTimeField(default=django.utils.timezone.now)),
                ('lease', models.CharField(blank=True, max_length=32)),
                ('pause_requested', models.BooleanField(default=False)),
                ('cancel_requested', models.BooleanField(default=False)),
                ('discovered', models.BooleanField(default=False)),
                ('by_sitemap', models.BooleanField(default=False)),
                ('listing_complete', models.BooleanField(default=False)),
                ('robots_txt', models.TextField(blank=True)),
                ('crawl_delay', models.FloatField(default=0)),
                ('pages_found', models.PositiveIntegerField(default=0)),
                ('pages_done', models.PositiveIntegerField(default=0)),
                ('bytes_fetched', models.PositiveBigIntegerField(default=0)),
                ('added', models.PositiveIntegerField(default=0)),
                ('changed', models.PositiveIntegerField(default=0)),
                ('unchanged', models.PositiveIntegerField(default=0)),
                ('retired', models.PositiveIntegerField(default=0)),
                ('failed', models.PositiveIntegerField(default=0)),
                ('current_url', models.CharField(blank=True, max_length=1000)),
                ('stop_reason', models.TextField(blank=True)),
                ('started_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-created_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='SyncLine',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('added', 'Added'), ('changed', 'Changed'), ('retired', 'Retired'), ('missing', 'Missing'), ('failed', 'Failed'), ('note', 'Note')], max_length=10)),
                ('url', models.CharField(blank=True, max_length=1000)),
                ('reason', models.TextField(blank=True)),
                ('run', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='lines', to='knowledge.syncrun')),
            ],
            options={
                'ordering': ['pk'],
            },
        ),
        migrations.CreateModel(
            name='WebSite',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=200, verbose_name='name')),
                ('start_url', models.URLField(help_text="The site's home page, or its sitemap (an address ending in .xml). With a home page, the sitemap named in robots.txt or at /sitemap.xml is used if there is one; otherwise links are followed from the home page.", max_length=1000, verbose_name='start address')),
                ('include_paths', models.TextField(blank=True, help_text='One per line, e.g. /vie-pratique/ (covers everything under it); * stands for any text. Leave empty to take the whole site.', verbose_name='only these paths')),
                ('exclude_paths', models.TextField(blank=True, help_text='One per line, e.g. /recherche or */imprimer/*. Checked after the above.', verbose_name='never these paths')),
                ('schedule', models.CharField(choices=[('daily', 'Every day'), ('weekly', 'Every week'), ('manual', 'Only when started from this page')], default='weekly', max_length=10, verbose_name='automatic sync')),
                ('rate', models.FloatField(default=1.0, help_text="1 is polite. Ask the site's host before going higher.", validators=[django.core.validators.MinValueValidator(0.05), django.core.validators.MaxValueValidator(10)], verbose_name='requests per second')),
                ('max_pages', models.PositiveIntegerField(default=1000, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(20000)], verbose_name='pages per run at most')),
                ('max_megabytes', models.PositiveIntegerField(default=200, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(5000)], verbose_name='megabytes per run at most')),
                ('max_depth', models.PositiveSmallIntegerField(default=4, help_text='Only without a sitemap: how many clicks away from the start page to go.', validators=[django.core.validators.MaxValueValidator(20)], verbose_name='link depth')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['name', 'pk'],
            },
        ),
        migrations.AddField(
            model_name='syncrun',
            name='site',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='runs', to='knowledge.website'),
        ),
        migrations.CreateModel(
            name='SitePage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('url', models.CharField(max_length=1000)),
                ('etag', models.CharField(blank=True, max_length=200)),
                ('last_modified', models.CharField(blank=True, max_length=100)),
                ('text_hash', models.CharField(blank=True, max_length=64)),
                ('listed_on', models.DateField(blank=True, null=True)),
                ('depth', models.PositiveSmallIntegerField(default=0)),
                ('links', models.JSONField(blank=True, default=list)),
                ('found_run', models.BigIntegerField(default=0)),
                ('done_run', models.BigIntegerField(default=0)),
                ('missing_run', models.BigIntegerField(blank=True, null=True)),
                ('redirect_to', models.CharField(blank=True, max_length=1000)),
                ('fetched_at', models.DateTimeField(blank=True, null=True)),
                ('error', models.TextField(blank=True)),
                ('document', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='site_page', to='knowledge.document')),
                ('site', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='pages', to='knowledge.website')),
            ],
            options={
                'ordering': ['url'],
                'indexes': [models.Index(fields=['site', 'found_run'], name='site_page_found')],
                'constraints': [models.UniqueConstraint(fields=('site', 'url'), name='site_page_unique')],
            },
        ),
    ]
