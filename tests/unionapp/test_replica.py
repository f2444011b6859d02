"""With DATABASE_REPLICA_URL set, reports read from the replica and everything else from the primary.
Run in a separate process, since the setting is read at start; the "replica" here is a copy of the
primary's file, so which database answered shows in the figures."""

import os
import subprocess
import sys

from django.conf import settings

SCRIPT = """
from reports.periods import year_period
from reports.rollup import build_report
from unionapp.models import Unit
from unionapp.routers import reading_from_replica
province = Unit.objects.get(code="LS")
from members.models import Member
print("primary members", Member.objects.count())
with reading_from_replica():
    print("replica members", Member.objects.count())
    print("replica report", build_report(province, year_period(2026)).total.members_now)
from django.db import router
with reading_from_replica():
    print("writes", router.db_for_write(Member))
    print("reads", router.db_for_read(Member))
print("outside", router.db_for_read(Member))
"""


def run(env, code):
    return subprocess.run([sys.executable, "manage.py", *code], cwd=settings.BASE_DIR, env=env, capture_output=True,
                          text=True, timeout=300)  # fmt: skip


def test_reports_read_from_the_replica(tmp_path):
    primary, replica = tmp_path / "primary.sqlite3", tmp_path / "replica.sqlite3"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DATABASE_REPLICA_URL")}
    env["DATABASE_URL"] = f"sqlite:///{primary}"
    assert run(env, ["migrate", "-v0"]).returncode == 0
    assert run(env, ["seed_demo"]).returncode == 0
    replica.write_bytes(primary.read_bytes())  # the replica has caught up...
    env["DATABASE_REPLICA_URL"] = f"sqlite:///{replica}"
    # ...then the primary gets members the replica has not seen yet.
    extra = 'from tests.factories import make_member; from unionapp.models import Unit; c = Unit.objects.get(code="LS-LVT-K1"); [make_member(c) for _ in range(3)]'
    assert run(env, ["shell", "-c", extra]).returncode == 0
    out = run(env, ["shell", "-c", SCRIPT])
    assert out.returncode == 0, out.stderr
    lines = dict(line.rsplit(" ", 1) for line in out.stdout.splitlines() if line[:1].isalpha() and " " in line)
    assert int(lines["primary members"]) == int(lines["replica members"]) + 3
    assert (lines["writes"], lines["reads"], lines["outside"]) == ("default", "replica", "default")
