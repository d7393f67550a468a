from django.apps import AppConfig


class ComradarrConfig(AppConfig):
    name = "comradarr"
    verbose_name = "Comradarr"
