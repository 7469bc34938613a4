"""Usage records get their line (resident or staff drafts); a staff draft reserves without a code."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accesscodes', '0003_metering_moves_out'),
        ('metering', '0003_verbose_names'),
    ]

    operations = [
        migrations.AddField(
            model_name='usagerecord',
            name='line',
            field=models.CharField(choices=[('resident', 'residents'), ('staff', 'staff drafts')], default='resident', max_length=8),
        ),
        migrations.AlterField(
            model_name='reservation',
            name='code',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accesscodes.accesscode'),
        ),
    ]
