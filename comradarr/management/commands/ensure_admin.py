"""Create the single admin account from ADMIN_USER / ADMIN_PASS, or keep it.

Run at every start (`serve` calls it). An existing account's password is left
alone, so changing ADMIN_PASS later does nothing by accident; pass
--reset-password to set it from ADMIN_PASS on purpose.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from comradarr.models import AppSettings


class Command(BaseCommand):
    help = "Create the admin account from ADMIN_USER/ADMIN_PASS if it does not exist."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset-password",
            action="store_true",
            help="Set the existing account's password from ADMIN_PASS.",
        )

    def handle(self, *args, reset_password: bool = False, **options) -> None:
        username: str = settings.ADMIN_USER
        password: str | None = settings.ADMIN_PASS or None
        User = get_user_model()

        with transaction.atomic():
            user = User.objects.select_for_update().filter(username=username).first()
            if user is None:
                self._create(User, username, password)
                return
            if reset_password:
                if not password:
                    raise CommandError("--reset-password needs ADMIN_PASS (or ADMIN_PASS_FILE)")
                self._check_strength(password, user)
                user.set_password(password)
            # The one account must always be able to reach everything, the admin included.
            user.is_active = user.is_staff = user.is_superuser = True
            user.save()
        if reset_password:
            self.stdout.write(f"Admin user {username!r}: password reset from ADMIN_PASS.")
        else:
            self.stdout.write(f"Admin user {username!r} exists; password unchanged.")

    def _create(self, User, username: str, password: str | None) -> None:
        if not password and AppSettings.load().auth_mode != AppSettings.AuthMode.DISABLED:
            raise CommandError(
                f"ADMIN_PASS is required on first run to create the admin user {username!r} "
                "(set ADMIN_PASS or ADMIN_PASS_FILE)"
            )
        user = User(username=username, is_active=True, is_staff=True, is_superuser=True)
        if password:
            self._check_strength(password, user)
            user.set_password(password)
        else:
            # Sign-in is disabled: the account exists to act as, but nobody can sign in
            # with it until a password is set with --reset-password.
            user.set_unusable_password()
        user.save()
        self.stdout.write(f"Created admin user {username!r}.")

    @staticmethod
    def _check_strength(password: str, user) -> None:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError(f"ADMIN_PASS is not accepted: {' '.join(exc.messages)}") from None
