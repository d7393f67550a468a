"""Changing the admin's password from Settings > Security."""

from __future__ import annotations

import logging

from django.contrib.auth import SESSION_KEY, update_session_auth_hash
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.http import HttpRequest

from comradarr.accounts import sessions
from comradarr.models import UserSession

logger = logging.getLogger(__name__)


@transaction.atomic
def password_change(*, request: HttpRequest, user: AbstractBaseUser, new_password: str) -> int:
    """Set ``user``'s password; this browser stays signed in, every other session is signed out.

    The form has checked the current password (under the lockout) and the
    validators. Returns how many other sessions were signed out. Django would
    refuse those sessions at their next request anyway (the password hash is
    part of the session); signing them out now also takes them off the list.
    """
    old_key = request.session.session_key
    user.set_password(new_password)
    user.save(update_fields=["password"])
    keep = None
    if request.session.get(SESSION_KEY) is not None:
        update_session_auth_hash(request, user)  # a new session key, signed in with the new hash
        keep = request.session.session_key
        if old_key and old_key != keep:
            UserSession.objects.filter(session_key=old_key).delete()
        sessions.session_started(request, user)
    signed_out = sessions.sessions_revoke_others(user=user, keep_key=keep)
    logger.warning("password changed", extra={"user_id": user.pk, "signed_out": signed_out})
    return signed_out
