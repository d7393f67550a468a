"""Forms of the sign-in, general settings and security pages."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from functools import cache

from django import forms
from django.contrib.auth import password_validation

from comradarr import config, settings_sources
from comradarr.models import AppSettings


@cache
def time_zone_names() -> tuple[str, ...]:
    """Every IANA zone name zoneinfo knows here, sorted (the form's searchable list)."""
    return tuple(sorted(zoneinfo.available_timezones()))


@cache
def _zones_by_folded_name() -> dict[str, str]:
    return {name.casefold(): name for name in time_zone_names()}


AUTH_MODE_HELP = {
    AppSettings.AuthMode.FULL: "Everyone signs in with the admin username and password.",
    AppSettings.AuthMode.LOCAL_BYPASS: (
        "Browsers on your local network (192.168.x.x, 10.x.x.x, 172.16-31.x.x, this machine, "
        "IPv6 local addresses) are let in without signing in; everyone else signs in. Behind a "
        "reverse proxy, list it in TRUSTED_PROXIES: a request from it without X-Forwarded-For "
        "counts as remote. Never let in: the gateway of Comradarr's container network "
        "(172.17.0.1 on Docker), from which every outside client arrives under Docker's "
        "userland proxy."
    ),
    AppSettings.AuthMode.DISABLED: (
        "No sign-in at all: anyone who can reach Comradarr can use it and change its settings. "
        "Only for a machine nobody else can reach, or behind a proxy that does its own sign-in."
    ),
}


class LoginForm(forms.Form):
    username = forms.CharField(
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


# What switching to each open mode lets in, said where the password is asked for.
OPENS = {
    AppSettings.AuthMode.LOCAL_BYPASS: (
        "every browser on your local network, and any request that looks local, will use "
        "Comradarr as the admin without signing in"
    ),
    AppSettings.AuthMode.DISABLED: (
        "anyone who can reach this address will use Comradarr as the admin, with no sign-in"
    ),
}
OPEN_MODES = frozenset(OPENS)


class AppSettingsForm(forms.ModelForm):
    """General settings. Validation is the model's choices: unknown values are refused.

    A field the environment sets (comradarr.settings_sources) is disabled: Django
    then ignores whatever a POST says for it and keeps the stored value.
    """

    class Meta:
        model = AppSettings
        fields = [
            "display_name",
            "time_zone",
            "public_url",
            "update_check",
            "log_level",
        ]
        labels = {
            "log_level": "Log level",
            "display_name": "Display name",
            "time_zone": "Time zone",
            "public_url": "Public URL",
            "update_check": "Check for updates once a day",
        }
        widgets = {
            "time_zone": forms.TextInput(
                attrs={"list": "time-zones", "autocomplete": "off", "spellcheck": "false"}
            ),
            "public_url": forms.TextInput(
                attrs={"placeholder": "https://comradarr.example.com", "inputmode": "url"}
            ),
        }
        help_texts = {
            "log_level": (
                "Applies to every Comradarr process within 30 seconds, without a restart. "
                "LOG_LEVEL in the environment only sets the first value."
            ),
            "display_name": "Shown in the browser tab, to tell several installs apart.",
            "time_zone": (
                "Times on every page and in notifications are shown in this zone; type to "
                "search (Europe/Berlin, America/New_York, UTC). Applies on the next page. "
                "Built-in job times (daily maintenance at 04:15) follow TZ of the environment."
            ),
            "public_url": (
                "How people reach Comradarr, e.g. https://comradarr.example.com: links in "
                "notifications start with it (the path comes from BASE_URL). Leave empty to "
                "link to this machine's address."
            ),
            "update_check": (
                "Off: Comradarr never contacts the release feed. On: once a day it asks whether "
                "a newer version exists and says so on the About page and as a notification."
            ),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.time_zones = time_zone_names()
        self.fields["display_name"].error_messages["required"] = "Enter a name, e.g. Comradarr."
        self.fields["time_zone"].error_messages["required"] = "Pick a time zone, e.g. UTC."
        self.env_locked = settings_sources.locked_fields()
        for name, variable in self.env_locked.items():
            field = self.fields[name]
            field.disabled = True
            field.help_text = f"{settings_sources.locked_message(variable)} {field.help_text}"
            if name in self.initial:
                # Show what is in effect (the environment's value), not the stored one.
                self.initial[name] = settings_sources.BY_FIELD[name].value()

    def clean_display_name(self) -> str:
        name = self.cleaned_data["display_name"].strip()
        if not name:
            raise forms.ValidationError("Enter a name, e.g. Comradarr.")
        if any(ord(ch) < 32 or ch in "<>" for ch in name):
            raise forms.ValidationError("The name may not contain control characters or < >.")
        return name

    def clean_time_zone(self) -> str:
        if "time_zone" in self.env_locked:
            return self.instance.time_zone
        typed = self.cleaned_data["time_zone"].strip()
        name = _zones_by_folded_name().get(typed.casefold())
        if name is None:
            raise forms.ValidationError(
                f"{typed[:64]!r} is not a time zone this system knows. Pick one from the list, "
                "e.g. Europe/Berlin or UTC."
            )
        return name

    def clean_public_url(self) -> str:
        if "public_url" in self.env_locked:
            return self.instance.public_url
        value = self.cleaned_data["public_url"].strip()
        if not value:
            return ""
        problem = config.http_url_problem(value)
        if problem:
            raise forms.ValidationError(f"The public URL {problem}.")
        return value.rstrip("/")


class AuthModeForm(forms.ModelForm):
    """Settings > Security: who must sign in.

    Switching to a mode that lets people in without signing in (local bypass,
    disabled) needs the current password: whoever holds a session, or sits on
    the local network in bypass mode, must not be able to open the app further.
    """

    current_password = forms.CharField(
        label="Current password",
        required=False,
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Needed to switch to local network bypass or to disable sign-in.",
    )

    class Meta:
        model = AppSettings
        fields = ["auth_mode", "current_password"]
        labels = {"auth_mode": "Authentication"}
        widgets = {"auth_mode": forms.RadioSelect}

    def __init__(
        self,
        *args,
        admin_has_password: bool = True,
        password_check: Callable[[str], str] | None = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.admin_has_password = admin_has_password
        # Returns "" for the right password, else the message; None refuses every open mode.
        self.password_check = password_check
        self.stored_auth_mode = self.instance.auth_mode
        self.auth_mode_help = [
            (value, label, AUTH_MODE_HELP[value]) for value, label in AppSettings.AuthMode.choices
        ]

    def clean_auth_mode(self) -> str:
        mode = self.cleaned_data["auth_mode"]
        if mode != AppSettings.AuthMode.DISABLED and not self.admin_has_password:
            raise forms.ValidationError(
                "The admin account has no password yet, so nobody could sign in. Set ADMIN_PASS "
                "and run `manage.py ensure_admin --reset-password` first."
            )
        return mode

    def clean(self) -> dict:
        cleaned = super().clean()
        mode = cleaned.get("auth_mode")
        # Checked last, once the rest is valid: a typo elsewhere must not cost a lockout count.
        if not self.errors and mode in OPEN_MODES and mode != self.stored_auth_mode:
            password = cleaned.get("current_password") or ""
            if not password:
                error = (
                    f"Type your current password to switch to "
                    f"{AppSettings.AuthMode(mode).label.lower()}: {OPENS[mode]}."
                )
            elif self.password_check is None:
                error = "The current password cannot be checked here."
            else:
                error = self.password_check(password)
            if error:
                self.add_error("current_password", error)
        return cleaned


class PasswordChangeForm(forms.Form):
    """The admin's new password, given the current one (checked under the sign-in lockout)."""

    current_password = forms.CharField(
        label="Current password",
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password1 = forms.CharField(
        label="New password",
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    new_password2 = forms.CharField(
        label="New password again",
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, user, password_check: Callable[[str], str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.password_check = password_check

    def clean_new_password2(self) -> str:
        first = self.cleaned_data.get("new_password1")
        second = self.cleaned_data["new_password2"]
        if first and first != second:
            raise forms.ValidationError("The two new passwords differ.")
        password_validation.validate_password(second, self.user)
        return second

    def clean(self) -> dict:
        cleaned = super().clean()
        # Last, and only when the rest is valid: a typo in the new one costs no lockout count.
        if not self.errors:
            error = self.password_check(cleaned["current_password"])
            if error:
                self.add_error("current_password", error)
        return cleaned
