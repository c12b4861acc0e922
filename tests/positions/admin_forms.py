"""The POST data of the cycle admin's change form, as a browser would send it."""

import datetime as dt

from django.utils import timezone

from positions.admin import CycleAdmin

CYCLE_FORM_FIELDS = [name for _title, options in CycleAdmin.fieldsets for name in options["fields"]]


def cycle_change_data(cycle, **changes) -> dict[str, str]:
    """Every field of the change form with ``cycle``'s values, then ``changes`` applied.

    Datetimes are entered in Beijing time, split into date and time as the admin widget does;
    ``None`` leaves a field empty.
    """
    values = {name: getattr(cycle, name) for name in CYCLE_FORM_FIELDS} | changes
    data = {}
    for name, value in values.items():
        if isinstance(value, dt.datetime):
            local = timezone.localtime(value)
            data[f"{name}_0"], data[f"{name}_1"] = local.strftime("%Y-%m-%d"), local.strftime("%H:%M:%S")
        elif value is None:
            data[f"{name}_0"] = data[f"{name}_1"] = ""
        elif isinstance(value, dt.date):
            data[name] = value.isoformat()
        else:
            data[name] = str(value)
    return data
