"""Forms of the sign-in and general settings pages."""

from __future__ import annotations

from django import forms

from comradarr.models import AppSettings

AUTH_MODE_HELP = {
    AppSettings.AuthMode.FULL: "Everyone signs in with the admin username and password.",
    AppSettings.AuthMode.LOCAL_BYPASS: (
        "Browsers on your local network (192.168.x.x, 10.x.x.x, 172.16-31.x.x, this machine, "
        "IPv6 local addresses) are let in without signing in; everyone else signs in. Behind a "
        "reverse proxy, list it in TRUSTED_PROXIES: otherwise every visitor arrives from the "
        "proxy's address and may look local."
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


class AppSettingsForm(forms.ModelForm):
    """General settings. Validation is the model's choices: unknown values are refused."""

    class Meta:
        model = AppSettings
        fields = ["auth_mode", "log_level"]
        labels = {"auth_mode": "Authentication", "log_level": "Log level"}
        widgets = {"auth_mode": forms.RadioSelect}
        help_texts = {
            "log_level": (
                "Applies to every Comradarr process within 30 seconds, without a restart. "
                "LOG_LEVEL in the environment only sets the first value."
            ),
        }

    def __init__(self, *args, admin_has_password: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.admin_has_password = admin_has_password
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
