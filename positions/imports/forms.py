from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from ..enums import CycleStatus, PostStatus
from ..models import Cycle
from .sheet import SheetError, check_upload_size, max_upload_bytes


class PostImportUploadForm(forms.Form):
    cycle = forms.ModelChoiceField(
        label=_("Cycle"), queryset=Cycle.objects.exclude(status=CycleStatus.ARCHIVED).order_by("-year")
    )
    target_status = forms.ChoiceField(
        label=_("New posts become"),
        choices=[
            (PostStatus.DRAFT, PostStatus.DRAFT.label),
            (PostStatus.SUBMITTED, PostStatus.SUBMITTED.label),
            (PostStatus.PUBLISHED, PostStatus.PUBLISHED.label),
        ],
        initial=PostStatus.DRAFT,
        help_text=_("Posts already in the cycle keep their status."),
    )
    file = forms.FileField(label=_("Excel sheet (.xlsx)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("At most %(size)s; the worksheet with the template's headers is read.") % {
            "size": filesizeformat(max_upload_bytes())
        }

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_upload_size(upload.size)  # before a byte of it is parsed
        except SheetError as exc:
            raise forms.ValidationError(str(exc), code=exc.code) from None
        return upload
