from django.db import migrations, models
from django.db.models import F


def confirmed_rounds_were_told(apps, schema_editor):
    """Rounds confirmed before this field queued their messages in the confirmation itself."""
    AllocationRound = apps.get_model("placements", "AllocationRound")
    AllocationRound.objects.filter(status="confirmed").update(messages_queued_at=F("confirmed_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("placements", "0006_redundant_fk_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="allocationround",
            name="messages_queued_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When the students' offer messages were queued, shortly after the confirmation.",
                null=True,
                verbose_name="offer messages queued",
            ),
        ),
        migrations.RunPython(confirmed_rounds_were_told, migrations.RunPython.noop),
    ]
