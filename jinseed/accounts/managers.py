from typing import Any

from django.contrib.auth.base_user import BaseUserManager
from django.db.models import Q

from .validators import normalize_mobile


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> Any:
        if not email:
            raise ValueError("An email address is required.")
        email = self.normalize_email(email).lower()
        if extra.get("mobile"):
            extra["mobile"] = normalize_mobile(extra["mobile"])
        else:
            extra["mobile"] = None
        user: Any = self.model(email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> Any:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        from .enums import Role

        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("role", Role.STAFF)
        return self._create_user(email, password, **extra)

    def get_by_login(self, login: str):
        """Find the user a login string names: an email (any case) or a mobile number."""
        login = (login or "").strip()
        if "@" in login:
            return self.get(email__iexact=login)
        return self.get(Q(mobile=normalize_mobile(login)))
