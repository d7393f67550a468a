"""PostgreSQL backend that starts the embedded cluster lazily.

Used when DATABASE_URL is unset: ``manage.py`` commands that never touch the
database (help, check) start nothing, and the first connection starts or joins
the cluster in the settings entry's EMBEDDED_DIR.
"""

from django.db.backends.postgresql import base

from comradarr import embedded_db


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self) -> dict:
        embedded = embedded_db.start(self.settings_dict["EMBEDDED_DIR"], embedded_db.DATABASE_NAME)
        self.settings_dict["HOST"] = embedded.socket_dir
        self.settings_dict["PORT"] = embedded.port
        return super().get_connection_params()
