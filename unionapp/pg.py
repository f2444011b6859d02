"""Migration steps for PostgreSQL only (the production database); SQLite, for development, skips them."""

from django.db import migrations


def postgresql_only(create: list[str], drop: list[str]) -> migrations.RunPython:
    """Run ``create`` forwards and ``drop`` backwards, as SQL statements, on PostgreSQL only."""

    def run(statements):
        def step(apps, schema_editor):
            if schema_editor.connection.vendor == "postgresql":
                for sql in statements:
                    schema_editor.execute(sql)

        return step

    return migrations.RunPython(run(create), run(drop), elidable=False)


# Name search is LIKE '%name%' on a folded name: a trigram index lets PostgreSQL find it without reading
# every row of the scope. pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it.
TRIGRAM_EXTENSION = "CREATE EXTENSION IF NOT EXISTS pg_trgm"


def trigram_index(name: str, table: str, column: str) -> str:
    return f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)"
