
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("applicants", "0005_submit_token_unique_constraint"),
        ("placements", "0007_allocation_messages_queued_at"),
        ("positions", "0002_postimport"),
    ]

    operations = [
        migrations.AlterField(
            model_name="offer",
            name="cycle",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="offers",
                to="positions.cycle",
                verbose_name="cycle",
            ),
        ),
        migrations.AlterField(
            model_name="offer",
            name="post",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="offers",
                to="positions.post",
                verbose_name="post",
            ),
        ),
        migrations.AlterField(
            model_name="offer",
            name="student",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="offers",
                to="applicants.studentprofile",
                verbose_name="student",
            ),
        ),
    ]
