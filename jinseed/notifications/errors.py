"""Errors of the outbox: a caller's mistake, and the two kinds of delivery failure."""


class NotificationContextError(ValueError):
    """A caller asked for an unknown kind or gave a context that breaks its contract.

    A programming error, not a user's: it is meant to fail the caller's tests loudly.
    """


class TransientDeliveryError(Exception):
    """Delivery failed for a reason that may pass (network, gateway busy): retry later."""


class PermanentDeliveryError(Exception):
    """Delivery can never succeed as asked (no address, refused by the gateway): fail now."""
