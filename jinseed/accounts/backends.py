from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class EmailOrMobileBackend(ModelBackend):
    """Authenticate with an email address (any case) or a mainland mobile number."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        login = username or kwargs.get(get_user_model().USERNAME_FIELD)
        if not login or password is None:
            return None
        User = get_user_model()
        try:
            user = User.objects.get_by_login(login)
        except User.DoesNotExist:
            # Run the hasher anyway so that timing does not reveal which logins exist.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        """The signed-in user of a request, with the relations ``AUTH_USER_SELECT_RELATED``
        names loaded in the same query (a missing one reads as missing, as before)."""
        User = get_user_model()
        try:
            user = User._default_manager.select_related(*settings.AUTH_USER_SELECT_RELATED).get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
