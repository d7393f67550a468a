from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "web"
    verbose_name = "Pages"

    def ready(self) -> None:
        # searchstate asks for a forced sweep and for item pages through its hooks:
        # queueing runs sweeps, web serves the library pages.
        from searchstate import hooks
        from web.library import item_page_url
        from web.search_now import enqueue_search_now

        hooks.register_search_now(enqueue_search_now)
        hooks.register_item_page(item_page_url)
