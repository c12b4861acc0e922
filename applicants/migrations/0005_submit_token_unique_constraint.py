
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("applicants", "0004_redundant_fk_indexes"),
        ("positions", "0002_postimport"),
    ]

    operations = [
        migrations.AlterField(
            model_name="application",
            name="submit_token",
            field=models.CharField(
                blank=True, editable=False, max_length=64, null=True, verbose_name="submission token"
            ),
        ),
        migrations.AddConstraint(
            model_name="application",
            constraint=models.UniqueConstraint(fields=("submit_token",), name="application_submit_token_unique"),
        ),
    ]
