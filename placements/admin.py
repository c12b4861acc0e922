"""Registers both halves' models with the admin (Django discovers ``<app>.admin`` only)."""

import placements.cultivation.admin
import placements.office.admin
import placements.office.exports.admin
import placements.privacy.admin
import placements.selection.admin  # noqa: F401 - registers the models
