from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    STUDENT = "student", _("Student")
    COORDINATOR = "coordinator", _("Unit coordinator")
    MENTOR = "mentor", _("Mentor")
    STAFF = "staff", _("Programme staff")
