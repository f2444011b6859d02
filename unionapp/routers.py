"""Reports read from a PostgreSQL streaming replica when DATABASE_REPLICA_URL is set.

The report, dashboard and Excel views wrap their reading in ``reading_from_replica()``; everything
else (and every write) uses the primary. A replica lags the primary by a moment, which reports can
afford and a form that just saved cannot.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

_replica = ContextVar("read_from_replica", default=False)


@contextmanager
def reading_from_replica():
    token = _replica.set(True)
    try:
        yield
    finally:
        _replica.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _replica.get() and "replica" in settings.DATABASES:
            return "replica"
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
