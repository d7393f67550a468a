from django.apps import AppConfig


class SearchstateConfig(AppConfig):
    name = "searchstate"
