"""Documents get the kind "answer card" (published from the townhall app)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('knowledge', '0007_verbose_names'),
    ]

    operations = [
        migrations.AlterField(
            model_name='document',
            name='kind',
            field=models.CharField(choices=[('magazine', 'Magazine'), ('events_guide', 'Events guide'), ('web_page', 'Web page'), ('faq', 'FAQ'), ('procedure', 'Procedure'), ('other', 'Other'), ('answer_card', 'Answer card')], default='other', max_length=20, verbose_name='kind'),
        ),
    ]
