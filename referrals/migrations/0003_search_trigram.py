"""PostgreSQL: the referral list's name searches (the youth's folded name; the introducer's is the register's
index) through a trigram index instead of reading every referral in scope. SQLite keeps scanning."""

from django.db import migrations

from unionapp.pg import TRIGRAM_EXTENSION, postgresql_only, trigram_index


class Migration(migrations.Migration):
    dependencies = [("referrals", "0002_report_indexes")]
    operations = [
        postgresql_only(
            create=[TRIGRAM_EXTENSION, trigram_index("referral_search_trgm", "referrals_referral", "search_name")],
            drop=["DROP INDEX IF EXISTS referral_search_trgm"],
        )
    ]
