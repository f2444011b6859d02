"""`make bench` stays runnable: every scenario of it, on a small province, in this suite. Timings are not
checked here (they belong to the benchmark); what is checked is that each page answers, that its query
count is the same as at the demo's size, and that the benchmark leaves the data as it found it."""

import io
import json

import pytest
from django.core.management import call_command

from members.models import ImportBatch, Member
from referrals.models import Referral
from unionapp import demo, province_seed

SCENARIOS = {
    "register_export_province", "page_floor", "province_report", "province_dashboard", "district_report",
    "base_report", "cell_report", "province_excel", "province_ratings_report", "member_list_search",
    "referral_create", "import_40",
}  # fmt: skip


@pytest.mark.django_db(transaction=True)  # PostgreSQL's VACUUM runs outside a transaction
def test_every_scenario_of_the_benchmark_runs_and_leaves_the_data_as_it_was(monkeypatch, tmp_path):
    monkeypatch.setenv(demo.ALLOW_ENV, "1")
    province_seed.seed_province(districts=2, bases=2, cells=3, per_cell=12, out=lambda *_: None)
    demo.seed_small()  # both seeded here: the command would otherwise measure in a new process
    before = (Member.objects.count(), Referral.objects.count(), ImportBatch.objects.filter(undone_at=None).count())
    out = io.StringIO()
    call_command("bench", runs=1, import_rows=40, output=str(tmp_path / "bench.json"), stdout=out)
    results = {r["name"]: r for r in json.loads((tmp_path / "bench.json").read_text())}
    assert set(results) == SCENARIOS
    for r in results.values():
        if r.get("queries_demo") is not None:
            assert r["queries"] == r["queries_demo"], r  # the same count at both sizes
    assert results["province_report"]["ratio"] is not None and results["province_dashboard"]["ratio"] is not None
    assert results["base_report"]["baseline_ms"] is None and results["base_report"]["own_query_ms"] > 0
    assert results["register_export_province"]["bytes"] > 0
    assert (
        Member.objects.count(),
        Referral.objects.count(),
        ImportBatch.objects.filter(undone_at=None).count(),
    ) == before
    assert "province_report" in out.getvalue()


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)  # gunicorn reads the data from its own connections
def test_the_load_test_runs_without_errors_and_removes_its_referrals(monkeypatch, settings):
    """`make loadtest` for a few seconds on a small province: gunicorn started and stopped, every request
    answered without error (its 500 ms target is the load test's own business), its referrals gone."""
    import re
    import socket

    from django.conf import global_settings
    from django.db import connection

    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS  # gunicorn checks passwords as in production
    monkeypatch.setenv(demo.ALLOW_ENV, "1")
    db = connection.settings_dict
    monkeypatch.setenv("DATABASE_URL", f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}")
    province_seed.seed_province(districts=2, bases=2, cells=3, per_cell=12, out=lambda *_: None)
    referrals = Referral.objects.count()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = io.StringIO()
    call_command("loadtest", users=6, seconds=4, workers=2, port=port, think=0.1, stdout=out)
    summary = re.search(r"(\d+) requests.*errors: (\d+);", out.getvalue(), re.DOTALL)
    # How many requests fit in 4 s is the machine's business (a loaded CI machine made 13): none may fail.
    assert int(summary.group(1)) > 0 and summary.group(2) == "0", out.getvalue()
    assert "referral_create" in out.getvalue() and "report" in out.getvalue()
    assert Referral.objects.count() == referrals
