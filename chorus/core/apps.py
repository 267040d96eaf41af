import sqlite3

from django.apps import AppConfig
from django.db.backends.signals import connection_created


def use_sqlite_variable_limit(sender, connection, **kwargs):
    """Let bulk statements use as many parameters as this SQLite allows (32,766 since 3.32),
    not Django 5.2's assumed 999, so a batch's rows go in one INSERT per table. Django 6.0
    reads the limit the same way."""
    if connection.vendor == "sqlite":
        limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        connection.features.max_query_params = max(limit, 999)


class CoreConfig(AppConfig):
    name = "chorus.core"
    label = "core"

    def ready(self):
        connection_created.connect(use_sqlite_variable_limit, dispatch_uid="chorus.core.sqlite_variable_limit")
