from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Demo data and benchmarks: installed in development and tests, never in production."""

    name = "jinseed.devtools"
    label = "devtools"
    verbose_name = "Development tools"
