"""PostgreSQL: the register search (LIKE '%name%' on the folded name, or one card number) through indexes the
planner combines with the scope's cells, instead of reading every row of a district or province (the
benchmark's district search read 13.000 rows to count 550). SQLite keeps scanning."""

from django.db import migrations

from unionapp.pg import TRIGRAM_EXTENSION, postgresql_only, trigram_index


class Migration(migrations.Migration):
    dependencies = [("members", "0004_transfer_until")]
    operations = [
        postgresql_only(
            create=[
                TRIGRAM_EXTENSION,
                trigram_index("member_search_trgm", "members_member", "search_name"),
                "CREATE INDEX IF NOT EXISTS member_card_upper ON members_member (UPPER(card_number::text))",
            ],
            drop=["DROP INDEX IF EXISTS member_search_trgm", "DROP INDEX IF EXISTS member_card_upper"],
        )
    ]
