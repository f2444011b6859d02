"""The roll-out command: one secretary account per active cell under a unit that has none, with temporary
passwords listed in a spreadsheet."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import make_unit, make_user
from unionapp.models import AuditEvent, Kind, Role, TemporaryPassword, Unit


def run(*args):
    out = io.StringIO()
    call_command("create_secretary_accounts", *args, stdout=out)
    return out.getvalue()


def test_it_gives_every_cell_without_a_secretary_an_account(client, tree, people, tmp_path):
    closed = make_unit(Kind.CELL, tree.B3, code="C-CLOSED")
    Unit.objects.filter(pk=closed.pk).update(is_active=False)
    path = tmp_path / "tai-khoan.xlsx"
    run("p", "--out", str(path), "--by", "vanphong")
    rows = list(load_workbook(path).worksheets[0].iter_rows(min_row=2, values_only=True))
    # C1 has its secretary already; a closed cell gets none.
    assert [(r[2], r[3]) for r in rows] == [("C2", "c2"), ("C3", "c3"), ("C4", "c4")]
    username, password = rows[0][3], rows[0][4]
    assert TemporaryPassword.objects.filter(user__username=username).exists()
    assert AuditEvent.objects.filter(username="vanphong", action=AuditEvent.Action.CREATE).count() == 3
    landed = client.post(reverse("login"), {"username": username, "password": password}, follow=True)
    assert landed.request["PATH_INFO"] == reverse("password_change")  # the password is temporary
    assert Unit.objects.get(code="C2").assignments.get().role == Role.CELL_SECRETARY
    assert "0 chi đoàn chưa có tài khoản" in run("P", "--out", str(tmp_path / "again.xlsx"))  # safe to run twice


def test_a_taken_username_gets_a_suffix_and_a_dry_run_creates_nothing(tree, people, tmp_path):
    make_user("c2")
    listed = run("B1", "--out", str(tmp_path / "x.xlsx"), "--dry-run")
    assert "C2" in listed and not (tmp_path / "x.xlsx").exists()
    run("B1", "--out", str(tmp_path / "x.xlsx"))
    assert Unit.objects.get(code="C2").assignments.get().user.username == "c2-2"


def test_it_refuses_an_unknown_unit_or_creator(tree, tmp_path):
    with pytest.raises(CommandError):
        run("KHONG", "--out", str(tmp_path / "x.xlsx"))
    with pytest.raises(CommandError):
        run("P", "--out", str(tmp_path / "x.xlsx"), "--by", "khongco")
