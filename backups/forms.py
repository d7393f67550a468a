"""Forms of Settings > Backups: every one validates what the view would otherwise trust."""

from __future__ import annotations

from django import forms

from backups.sealing import MAX_PASSPHRASE, MIN_PASSPHRASE

_PASSPHRASE_HELP = f"At least {MIN_PASSPHRASE} characters. Without it the backup cannot be opened."


def _passphrase_field(label: str = "Passphrase", *, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=MAX_PASSPHRASE,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class BackupCreateForm(forms.Form):
    include_key = forms.BooleanField(
        label="Include the key file (SECRET_KEY)",
        required=False,
        help_text="So the backup restores on another install. The whole backup is then "
        "encrypted with the passphrase below.",
    )
    passphrase = _passphrase_field()
    passphrase_again = _passphrase_field("Passphrase again")

    def clean(self):
        data = super().clean()
        if data.get("include_key"):
            phrase = data.get("passphrase") or ""
            if len(phrase) < MIN_PASSPHRASE:
                self.add_error("passphrase", _PASSPHRASE_HELP)
            elif phrase != data.get("passphrase_again"):
                self.add_error("passphrase_again", "The two passphrases differ.")
        return data


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Backup file (.tar)", help_text="A file made by Comradarr's backup."
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".tar"):
            raise forms.ValidationError("Choose a Comradarr backup file (.tar).")
        return upload


class RestoreForm(forms.Form):
    MODES = [
        ("full", "Full: replace the whole database (library, history, settings, accounts)"),
        ("config", "Configuration only: connectors, profiles, schedules, settings, channels, "
                   "API keys; the library and history stay"),
    ]  # fmt: skip
    source = forms.CharField(widget=forms.HiddenInput, max_length=200)
    mode = forms.ChoiceField(choices=MODES, widget=forms.RadioSelect, initial="full")
    passphrase = _passphrase_field()
    confirm = forms.BooleanField(
        label="I understand: a safety backup is taken first, then the restore replaces "
        "what is there now.",
        required=True,
    )


class ConfigExportForm(forms.Form):
    secrets = forms.ChoiceField(
        choices=[
            ("omitted", "Leave secrets out"),
            ("passphrase", "Encrypt them with a passphrase"),
        ],
        initial="omitted",
        widget=forms.RadioSelect,
    )
    passphrase = _passphrase_field()

    def clean(self):
        data = super().clean()
        if (
            data.get("secrets") == "passphrase"
            and len(data.get("passphrase") or "") < MIN_PASSPHRASE
        ):
            self.add_error("passphrase", _PASSPHRASE_HELP)
        return data


class ConfigImportForm(forms.Form):
    file = forms.FileField(label="Configuration file (.json)")
    passphrase = _passphrase_field("Passphrase (if its secrets are encrypted)")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".json"):
            raise forms.ValidationError("Choose a configuration export (.json).")
        return upload
