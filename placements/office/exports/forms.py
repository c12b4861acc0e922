"""One form per kind of export: format, the filters the kind offers, and unmasked ID numbers."""

from django import forms
from django.utils.translation import gettext_lazy as _

from jinseed.forms import ModelChoiceField
from placements.models import ExportFormat
from positions.models import Cycle, HostUnit

from .registry import ExportKind
from .services import REASON_MAX_LENGTH


class ExportForm(forms.Form):
    file_format = forms.ChoiceField(
        label=_("Format"), choices=ExportFormat.choices, initial=ExportFormat.XLSX, widget=forms.RadioSelect
    )

    def __init__(self, *args, kind: ExportKind, for_staff: bool, **kwargs):
        kwargs.setdefault("prefix", kind.name)
        super().__init__(*args, **kwargs)
        self.kind = kind
        if "cycle" in kind.filters:
            self.fields["cycle"] = ModelChoiceField(
                label=_("Cycle"), queryset=Cycle.objects.order_by("-year"), required=False, empty_label=_("All cycles")
            )
        if "unit" in kind.filters and for_staff:
            self.fields["unit"] = ModelChoiceField(
                label=_("Unit"), queryset=HostUnit.objects.order_by("name"), required=False, empty_label=_("All units")
            )
        if "status" in kind.filters and kind.status_choices:
            self.fields["status"] = forms.ChoiceField(
                label=_("Status"), required=False, choices=[("", _("Any")), *kind.status_choices]
            )
        if kind.has_id_numbers and for_staff:
            self.fields["unmasked"] = forms.BooleanField(
                label=_("Export ID numbers and mobile numbers unmasked"),
                required=False,
                help_text=_("Needs the separate permission and a reason; the export is recorded either way."),
            )
            self.fields["reason"] = forms.CharField(
                label=_("Reason for the unmasked ID numbers"),
                required=False,
                max_length=REASON_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def clean(self):
        data = super().clean()
        if data.get("unmasked") and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason for exporting unmasked ID numbers."))
        return data

    def filters(self) -> dict:
        """The chosen filters as JSON-able values (ids for the cycle and the unit)."""
        data = self.cleaned_data
        return {
            "cycle": data["cycle"].pk if data.get("cycle") else None,
            "unit": data["unit"].pk if data.get("unit") else None,
            "status": data.get("status") or None,
        }
