"""Registers both halves' models with the admin (Django discovers ``<app>.admin`` only)."""

from placements.cultivation import admin as cultivation_admin  # noqa: F401 - registers the models
from placements.office import admin as office_admin  # noqa: F401 - registers the models
from placements.selection import admin as selection_admin  # noqa: F401 - registers the models
