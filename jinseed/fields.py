"""Model fields shared by the apps."""

from django.db import models


class HttpsURLField(models.URLField):
    """A link typed without a scheme (``meeting.example.cn/abc``) is read as https, in every
    form built from the model (the admin's, a ModelForm): the default Django 6.0 takes, and
    the one the portal's own forms already give ``forms.URLField``."""

    def formfield(self, **kwargs):
        return super().formfield(**{"assume_scheme": "https", **kwargs})
