"""The moved tables take metering's names (metering_ledger...), with their index and constraint."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('metering', '0001_initial'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='budgetalert',
            name='accesscodes_one_alert',
        ),
        migrations.RenameIndex(
            model_name='usagerecord',
            new_name='metering_usage_code_at',
            old_name='accesscodes_code_id_fb47b2_idx',
        ),
        migrations.AddConstraint(
            model_name='budgetalert',
            constraint=models.UniqueConstraint(fields=('month', 'level'), name='metering_one_alert'),
        ),
        migrations.AlterModelTable(
            name='budgetalert',
            table=None,
        ),
        migrations.AlterModelTable(
            name='ledger',
            table=None,
        ),
        migrations.AlterModelTable(
            name='quotasettings',
            table=None,
        ),
        migrations.AlterModelTable(
            name='reservation',
            table=None,
        ),
        migrations.AlterModelTable(
            name='usagerecord',
            table=None,
        ),
    ]
