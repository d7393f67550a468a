"""The connector form: field rules come from connectors.services, shared with the CLI."""

from __future__ import annotations

from django import forms

from connectors import services
from connectors.common import urls
from connectors.models import Connector
from connectors.registry import kind_spec


class ConnectorForm(forms.Form):
    """Add or edit a connector.

    The API key is never rendered back: the widget drops its value, and on the
    edit page the field shows the masked key as a placeholder and an empty field
    keeps the stored key, unless the scheme, host or port changed: then the key
    must be typed again (connectors.services.stored_key_usable).
    """

    kind = forms.ChoiceField(choices=Connector.Kind.choices, widget=forms.RadioSelect)
    name = forms.CharField(
        max_length=1000,  # a sanity cap; the rule's own message names the real limit
        widget=forms.TextInput(attrs={"placeholder": "e.g. Sonarr 4K", "autocomplete": "off"}),
    )
    url = forms.CharField(
        label="URL",
        max_length=4000,
        help_text="Including the URL base if the app has one, e.g. http://host/sonarr.",
        widget=forms.TextInput(
            attrs={"placeholder": "http://sonarr:8989", "inputmode": "url", "spellcheck": "false"}
        ),
    )
    api_key = forms.CharField(
        label="API key",
        required=False,
        strip=True,
        max_length=1000,
        help_text="Settings > General > Security in the app.",
        widget=forms.PasswordInput(
            render_value=False, attrs={"autocomplete": "new-password", "spellcheck": "false"}
        ),
    )
    verify_ssl = forms.BooleanField(
        label="Verify SSL certificate",
        required=False,
        initial=True,
        help_text="Untick only for a self-signed certificate you trust.",
    )
    timeout_seconds = forms.IntegerField(
        label="Timeout (seconds)",
        initial=30,
        help_text=f"For every request; {services.TIMEOUT_MIN} to {services.TIMEOUT_MAX}.",
        widget=forms.NumberInput(
            attrs={"min": services.TIMEOUT_MIN, "max": services.TIMEOUT_MAX, "step": 1}
        ),
    )
    save_disabled = forms.BooleanField(
        label="Save disabled",
        required=False,
        help_text="Saves without testing and keeps the connector switched off "
        "(use it when the app is down or not set up yet).",
    )

    sync_now = forms.BooleanField(
        label="Sync now",
        required=False,
        initial=True,
        help_text="Start the first library sync as soon as the connector is saved "
        "(untick to wait for the schedule or a “Sync now” later).",
    )

    def __init__(self, *args, instance: Connector | None = None, **kwargs) -> None:
        self.instance = instance
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "kind": instance.kind,
                "name": instance.name,
                "url": instance.url,
                "verify_ssl": instance.verify_ssl,
                "timeout_seconds": instance.timeout_seconds,
                "save_disabled": not instance.enabled,
            }
        super().__init__(*args, **kwargs)
        key = self.fields["api_key"]
        if instance is not None:
            key.widget.attrs["placeholder"] = instance.masked_api_key
            key.help_text = (
                "Leave empty to keep the stored key. Changed the scheme, host or port? "
                "Then type the key again: the stored key is only sent to the address it "
                "was entered for."
            )
        else:
            key.widget.attrs["placeholder"] = "32 characters"
        if self.is_bound and instance is None:
            # A re-rendered add form lost the key (it is never sent back): say so where it shows.
            key.help_text = "Type the key again: for safety it is never sent back to the browser."
        if instance is not None:
            del self.fields["sync_now"]  # only a new connector has a first sync to start
        self.fields["save_disabled"].label = (
            "Keep disabled" if instance is not None else "Save disabled"
        )

    # Each rule raises ValueError with the message the user sees.
    @property
    def kind_options(self) -> list[tuple[forms.BoundField, str]]:
        """The kind radios with the registry's hint for each (the picker shows both)."""
        return [(radio, kind_spec(radio.data["value"]).hint) for radio in self["kind"]]

    def _rule(self, rule, value):
        try:
            return rule(value)
        except ValueError as err:
            raise forms.ValidationError(str(err)) from None

    def clean_name(self) -> str:
        exclude = self.instance.pk if self.instance is not None else None
        return self._rule(
            lambda v: services.clean_name(v, exclude_pk=exclude), self.cleaned_data["name"]
        )

    def clean_url(self) -> str:
        return self._rule(urls.normalize_base_url, self.cleaned_data["url"])

    def clean_api_key(self) -> str:
        value = self.cleaned_data.get("api_key", "")
        if self.instance is not None and not value:
            return ""  # keep the stored key
        return self._rule(services.clean_api_key, value)

    def clean_timeout_seconds(self) -> int:
        return self._rule(services.clean_timeout, self.cleaned_data["timeout_seconds"])

    def clean(self) -> dict:
        cleaned = super().clean()
        if (
            self.instance is not None
            and not cleaned.get("api_key")
            and "api_key" not in self.errors
            and "url" in cleaned
            and not services.stored_key_usable(connector=self.instance, url=cleaned["url"])
        ):
            self.add_error("api_key", services.KEY_FOR_NEW_ADDRESS)
        return cleaned

    def effective_api_key(self) -> str:
        """The key to test with: the typed one, or the stored one for its own address."""
        typed = self.cleaned_data.get("api_key", "")
        url = self.cleaned_data.get("url", "")
        if (
            not typed
            and self.instance is not None
            and url
            and services.stored_key_usable(connector=self.instance, url=url)
        ):
            return self.instance.api_key
        return typed

    def apply_service_errors(self, error: services.ConnectorError) -> None:
        for field_name, messages in error.errors.items():
            target = field_name if field_name in self.fields else None
            for message in messages:
                self.add_error(target, message)
