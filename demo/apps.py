from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo: at the top of the graph, since it seeds both sides (services,
    links and answers; dashboard logins and quote reviews). Nothing imports it."""

    name = "demo"
    verbose_name = "Demo data"
