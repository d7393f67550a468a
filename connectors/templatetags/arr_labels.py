"""``{{ movie.status|arr_label }}``: an app enum value in words (connectors.labels)."""

from django import template

from connectors import labels

register = template.Library()


@register.filter
def arr_label(value: object) -> str:
    return labels.enum_label(value)


@register.filter
def names_kind(connector) -> bool:
    """Whether the connector's name already says its kind (then the kind is not repeated)."""
    return labels.names_kind(connector.name, connector.get_kind_display())


@register.filter
def instance_name_adds(connector) -> bool:
    """Whether the app's own instance name says more than the name and kind already do."""
    instance = (connector.instance_name or "").strip().lower()
    if not instance:
        return False
    return instance not in {connector.name.lower(), connector.get_kind_display().lower()}
