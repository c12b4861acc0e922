"""Explicit consent records for the consents profiles already stored (time and notice version):
the ID-number consent, and the privacy notice it was given under."""

from django.db import migrations


def forwards(apps, schema_editor):
    StudentProfile = apps.get_model("applicants", "StudentProfile")
    Consent = apps.get_model("accounts", "Consent")
    rows = []
    for profile in StudentProfile.objects.filter(consent_at__isnull=False).iterator():
        version = profile.consent_version or "2026-1"
        for kind in ("id_number", "privacy_notice"):
            rows.append(Consent(user_id=profile.user_id, kind=kind, version=version, given_at=profile.consent_at))
    Consent.objects.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("applicants", "0002_id_number_removable"),
        ("accounts", "0002_contact_verification_and_consents"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
