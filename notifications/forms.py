"""Forms of the notifications pages: settings, one channel form built from its kind, templates.

Secret fields are password inputs that never carry the stored value back to
the browser: on edit, a blank secret keeps what is stored and the help text
shows its last four characters.
"""

from __future__ import annotations

import zoneinfo

from django import forms
from django.core.exceptions import ValidationError

from comradarr.crypto import DecryptionError, mask
from connectors.models import Connector
from notifications import catalog, kinds, sender
from notifications.models import (
    UNREADABLE,
    NotificationChannel,
    NotificationDelivery,
    NotificationSettings,
)
from notifications.templating import template_validate

_TIMEZONES = sorted(zoneinfo.available_timezones())


class NotificationSettingsForm(forms.ModelForm):
    class Meta:
        model = NotificationSettings
        fields = ["muted", "error_threshold_count", "error_threshold_minutes"]
        labels = {
            "muted": "Mute all notifications",
            "error_threshold_count": "Error threshold: errors",
            "error_threshold_minutes": "within minutes",
        }

    def clean_error_threshold_minutes(self) -> int:
        value = self.cleaned_data["error_threshold_minutes"]
        if not 1 <= value <= 1440:
            raise ValidationError("Between 1 and 1440 minutes.")
        return value


def _kind_field(spec: kinds.Field, stored_secret: str) -> forms.Field:
    common = {"label": spec.label, "help_text": spec.help, "required": spec.required}
    if spec.secret:
        if stored_secret:
            common["required"] = False
            common["help_text"] = f"Stored: {mask(stored_secret)}. Leave blank to keep it. " + (
                spec.help
            )
        return forms.CharField(
            max_length=2000,
            strip=True,
            widget=forms.PasswordInput(attrs={"autocomplete": "off"}, render_value=False),
            **common,
        )
    if spec.kind == "int":
        return forms.IntegerField(min_value=1, max_value=65535, initial=spec.default, **common)
    if spec.kind == "choice":
        return forms.ChoiceField(choices=spec.choices, initial=spec.default, **common)
    return forms.CharField(max_length=500, initial=spec.default or None, **common)


class ChannelForm(forms.ModelForm):
    """A channel of one kind: the kind's own fields first, then routing."""

    unreadable = ""

    event_types = forms.MultipleChoiceField(
        choices=catalog.EVENT_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every event type.",
    )
    connectors = forms.ModelMultipleChoiceField(
        queryset=Connector.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every connector.",
    )
    quiet_timezone = forms.ChoiceField(choices=[(tz, tz) for tz in _TIMEZONES], initial="UTC")

    class Meta:
        model = NotificationChannel
        fields = [
            "name",
            "enabled",
            "event_types",
            "min_severity",
            "connectors",
            "batch_window_minutes",
            "rate_limit_per_hour",
            "quiet_hours_enabled",
            "quiet_start",
            "quiet_end",
            "quiet_timezone",
            "quiet_errors_break_through",
        ]
        labels = {
            "min_severity": "Minimum severity",
            "batch_window_minutes": "Batching window (minutes)",
            "rate_limit_per_hour": "At most messages per hour",
            "quiet_hours_enabled": "Quiet hours",
            "quiet_start": "From",
            "quiet_end": "Until",
            "quiet_timezone": "Time zone",
            "quiet_errors_break_through": "Errors break through quiet hours",
        }
        widgets = {
            "quiet_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args, kind: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.spec = kinds.BY_KEY[kind]
        self.kind = kind
        stored = self.stored_secrets()
        config = self.instance.config if self.instance.pk else {}
        for spec in self.spec.fields:
            field = _kind_field(spec, stored.get(spec.name, "") if spec.secret else "")
            if not spec.secret and spec.name in config:
                field.initial = config[spec.name]
            self.fields[f"cfg_{spec.name}"] = field
        self.kind_field_names = [f"cfg_{spec.name}" for spec in self.spec.fields]

    def stored_secrets(self) -> dict[str, str]:
        """What is stored; nothing when it no longer decrypts (the user enters it again)."""
        if not self.instance.pk:
            return {}
        try:
            return self.instance.secrets
        except DecryptionError:
            self.unreadable = UNREADABLE
            return {}

    def kind_fields(self):
        return [self[name] for name in self.kind_field_names]

    def routing_fields(self):
        return [self[name] for name in self.fields if name not in self.kind_field_names]

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name or not name.isprintable():
            raise ValidationError("Give the channel a name (printable characters only).")
        return name

    def clean_batch_window_minutes(self) -> int:
        value = self.cleaned_data["batch_window_minutes"]
        if value > 1440:
            raise ValidationError("At most 1440 minutes (a day); 0 sends at once.")
        return value

    def clean_rate_limit_per_hour(self) -> int:
        value = self.cleaned_data["rate_limit_per_hour"]
        if value > 3600:
            raise ValidationError("At most 3600 messages an hour; 0 means no limit.")
        return value

    def clean(self) -> dict:
        data = super().clean()
        stored = self.stored_secrets()
        values, secrets, config = {}, {}, {}
        for spec in self.spec.fields:
            raw = data.get(f"cfg_{spec.name}")
            value = "" if raw is None else str(raw)
            if spec.secret:
                value = value or stored.get(spec.name, "")
                if spec.required and not value:
                    self.add_error(f"cfg_{spec.name}", "This field is required.")
                    return data
                secrets[spec.name] = value
            else:
                config[spec.name] = value
            values[spec.name] = value
        if self.errors:
            return data
        try:
            url = kinds.url_build(self.kind, values)
        except kinds.KindError as exc:
            # Messages start with the field's label ("Bot token: ..."): show them beside it.
            message = str(exc)
            field = next(
                (f"cfg_{f.name}" for f in self.spec.fields if message.startswith(f.label + ":")),
                None,
            )
            self.add_error(field, message)
        else:
            refusal = sender.destination_refusal(url)
            if refusal:
                self.add_error(None, refusal)
        self.secret_values, self.config_values = secrets, config
        return data

    def save(self, commit: bool = True) -> NotificationChannel:
        channel = super().save(commit=False)
        channel.kind = self.kind
        channel.config = self.config_values
        channel.secrets = self.secret_values
        if commit:
            channel.save()
            self.save_m2m()
        return channel


class TemplatesForm(forms.Form):
    """One template per event type; blank means the default."""

    def __init__(self, *args, channel: NotificationChannel, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for event in catalog.EVENT_TYPES:
            self.fields[event.key] = forms.CharField(
                label=event.label,
                required=False,
                max_length=2000,
                strip=True,
                initial=channel.templates.get(event.key, ""),
                widget=forms.Textarea(attrs={"rows": 2, "placeholder": event.template}),
                validators=[template_validate],
                help_text=f"Default: {event.template}",
            )

    def templates(self) -> dict[str, str]:
        return {key: value for key, value in self.cleaned_data.items() if value}


class PreviewForm(forms.Form):
    event_type = forms.ChoiceField(choices=catalog.EVENT_CHOICES)
    template = forms.CharField(required=False, max_length=2000, strip=True)

    def clean_template(self) -> str:
        value = self.cleaned_data["template"]
        return template_validate(value) if value else ""


class LogFilterForm(forms.Form):
    channel = forms.ModelChoiceField(
        queryset=NotificationChannel.objects.all(), required=False, empty_label="All channels"
    )
    status = forms.ChoiceField(required=False, choices=[("", "Any status")])
    event_type = forms.ChoiceField(
        required=False, choices=[("", "Any event"), *catalog.EVENT_CHOICES]
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", "Any status"), *NotificationDelivery.Status.choices]
