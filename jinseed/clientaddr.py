"""The address of the client a request came from."""


def client_address(request) -> str | None:
    """The client's IP address as the server saw it (``REMOTE_ADDR``), or ``None``."""
    return request.META.get("REMOTE_ADDR") or None
