"""The base of every domain error: a message fit to show the user, already translated."""


class DomainError(Exception):
    def __init__(self, message, *, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return str(self.message)
