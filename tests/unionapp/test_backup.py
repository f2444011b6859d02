"""A backup restored into an empty database gives the same province report (docs/deployment.md)."""

import json
import os
import shutil
import sqlite3
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

from unionapp import demo
from unionapp.management.commands.report_json import report_as_dict

pytestmark = pytest.mark.django_db(transaction=True)


def report_from(database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DATABASE_REPLICA_URL")}
    env["DATABASE_URL"] = database_url
    out = subprocess.run([sys.executable, "manage.py", "report_json", "LS", "2026"], cwd=settings.BASE_DIR, env=env,
                         capture_output=True, text=True, timeout=300)  # fmt: skip
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def original() -> dict:
    from unionapp.models import Unit

    return json.loads(json.dumps(report_as_dict(Unit.objects.get(code="LS"), 2026), sort_keys=True))


@pytest.mark.sqlite_only
def test_sqlite_backup_restores_the_same_report(tmp_path):
    demo.seed_small()
    backup = tmp_path / "backup.sqlite3"
    with sqlite3.connect(backup) as target:
        connection.ensure_connection()
        connection.connection.backup(target)  # the online backup API, as `sqlite3 db ".backup file"`
    restored = tmp_path / "restored.sqlite3"
    shutil.copy(backup, restored)
    assert report_from(f"sqlite:///{restored}") == original()


@pytest.mark.postgres_only
def test_postgresql_dump_restores_the_same_report(tmp_path):
    demo.seed_small()
    db = settings.DATABASES["default"]
    conn = ["-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432), "-U", db["USER"]]
    dump = tmp_path / "unionapp.dump"
    subprocess.run(["pg_dump", *conn, "-Fc", "-f", str(dump), db["NAME"]], check=True, timeout=300)
    restored = f"{db['NAME']}_restored"
    subprocess.run(["dropdb", *conn, "--if-exists", restored], check=True, timeout=60)
    subprocess.run(["createdb", *conn, restored], check=True, timeout=60)
    try:
        subprocess.run(["pg_restore", *conn, "--no-owner", "-d", restored, str(dump)], check=True, timeout=300)
        url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{restored}"
        assert report_from(url) == original()
    finally:
        subprocess.run(["dropdb", *conn, "--if-exists", restored], check=True, timeout=60)
