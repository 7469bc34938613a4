"""Lost charges (a reservation keeps its output limit and provider) and the input calibration."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('metering', '0004_staff_line'),
    ]

    operations = [
        migrations.AddField(
            model_name='reservation',
            name='kind',
            field=models.CharField(blank=True, max_length=20),
        ),
        migrations.AddField(
            model_name='reservation',
            name='model',
            field=models.CharField(blank=True, max_length=120),
        ),
        migrations.AddField(
            model_name='reservation',
            name='output_tokens',
            field=models.BigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='reservation',
            name='provider',
            field=models.CharField(blank=True, max_length=80),
        ),
        migrations.AlterField(
            model_name='usagerecord',
            name='outcome',
            field=models.CharField(choices=[('ok', 'answered'), ('partial', 'interrupted'), ('error', 'failed'), ('failover', 'provider failed (billed)'), ('lost', 'lost (server stopped)')], max_length=8),
        ),
        migrations.CreateModel(
            name='InputRatio',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('provider', models.CharField(max_length=80)),
                ('model', models.CharField(blank=True, max_length=120)),
                ('slot', models.PositiveSmallIntegerField()),
                ('ratio', models.FloatField()),
                ('at', models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                'verbose_name': 'input count ratio',
                'verbose_name_plural': 'input count ratios',
                'constraints': [models.UniqueConstraint(fields=('provider', 'model', 'slot'), name='metering_one_ratio_per_slot')],
            },
        ),
    ]
