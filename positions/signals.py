"""Extension points for the apps that build on cycles, units and posts.

``positions`` imports none of the apps to its left, yet they keep things timed by a cycle:
``placements`` holds decision messages until the cycle's announcement time. When staff move
the cycle's dates, those apps connect a receiver to the signal below to follow. Our own flow
never goes through a signal: an app to the left that changes a cycle calls its own services.

Sent inside the service's transaction, after the change is saved: a receiver works in the
same transaction, and one that raises rolls the change back.
"""

from django.dispatch import Signal

#: Staff changed dates of a cycle's timeline (``services.cycle_update``). Sent with ``cycle``
#: (the saved row), ``changed_fields`` (a frozenset of the names in
#: ``services.CYCLE_TIMELINE_FIELDS`` that changed) and ``actor``; ``sender`` is ``Cycle``.
cycle_timeline_changed = Signal()
