from django.contrib.auth.backends import ModelBackend

from . import selectors
from .models import User


class UsernameOrEmailBackend(ModelBackend):
    """Log in with a username or an email address, both case-insensitive.

    Usernames cannot contain "@", so the identifier names one field only. An unknown
    identifier still costs one password hash, so timing does not tell who has an account.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        username = username if username is not None else kwargs.get(User.USERNAME_FIELD)
        if not username or password is None:
            return None
        try:
            user = selectors.users_identified_by(username).get()
        except User.DoesNotExist:
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
