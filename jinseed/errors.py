"""The base of every domain error: a message fit to show the user, already translated."""

from django_stubs_ext import StrOrPromise


class DomainError(Exception):
    def __init__(self, message: StrOrPromise, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return str(self.message)
