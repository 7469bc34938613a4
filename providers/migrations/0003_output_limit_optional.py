from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('providers', '0002_price_validators_cached_optional'),
    ]

    operations = [
        migrations.AlterField(
            model_name='providerconfig',
            name='max_output_tokens',
            field=models.PositiveIntegerField(blank=True, help_text="Empty: the town's limit for every answer (ANSWER_MAX_TOKENS).", null=True, verbose_name='max output tokens'),
        ),
    ]
