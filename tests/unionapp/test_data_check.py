"""`manage.py check_data`: records saved before a rule existed are found again, each with its page and what
that page would say; data that follow the rules (the demo's included) give no finding."""

import io
from datetime import date

from django.core.management import CommandError, call_command

from members.models import Member, Status, StatusEvent
from referrals.models import Referral, Stage
from tests.factories import make_member, make_referral, reviewed_referral
from unionapp import demo, province_seed


def check_data(*args, err=None) -> tuple[int, str]:
    """Its exit code and what it printed (a finding ends it with an error, as `manage.py tallies`)."""
    out = io.StringIO()
    try:
        call_command("check_data", *args, stdout=out, stderr=err or io.StringIO())
    except CommandError as e:
        return e.returncode, out.getvalue() + str(e)
    return 0, out.getvalue()


def test_the_demo_data_and_the_province_seed_follow_every_rule(db, monkeypatch):
    from unionapp.management.commands import check_data as command

    demo.seed_small()
    province_seed.seed_province(districts=1, bases=2, cells=2, per_cell=15, out=lambda *_: None)
    monkeypatch.setattr(command, "EVERY", 100)
    err = io.StringIO()
    code, out = check_data(err=err)
    assert code == 0, out
    members, referrals = Member.objects.count(), Referral.objects.filter(stage__in=Stage.OPEN).count()
    assert (
        f"Không có bản ghi nào cần xem lại (đã kiểm tra {command.number(members)} đoàn viên; {command.number(referrals)} hồ sơ"
        in out
    )
    assert "… đã kiểm tra 100 đoàn viên\n… đã kiểm tra 200 đoàn viên" in err.getvalue()  # a province takes minutes


def test_records_from_before_a_rule_are_listed_with_their_page_and_what_to_correct(db, people, tree):
    fine = make_member(tree.C1, full_name="Đúng Hết", joined_on=date(2020, 3, 26))
    young = make_member(tree.C1, full_name="Vào Sớm", date_of_birth=date(2010, 1, 1), joined_on=date(2020, 3, 26))
    unordered = make_member(tree.C2, full_name="Lịch Sử Lộn", joined_on=date(2020, 3, 26), status=Status.AWAY)
    StatusEvent.objects.create(member=unordered, date=date(2019, 5, 1), to_status=Status.AWAY, reason="Đi làm xa")
    late_joiner = make_member(tree.C1, full_name="Mới Vào", joined_on=date(2026, 6, 1))
    early = make_referral(tree.C1, people.secretary, introducer=late_joiner, full_name="Giới Thiệu Sớm")
    too_young = reviewed_referral(tree.C1, people.secretary, full_name="Họp Xét Sớm")
    Referral.objects.filter(pk=too_young.pk).update(date_of_birth=date(2011, 1, 1))

    code, out = check_data()

    assert code == 1
    assert f"Vào Sớm — Chi đoàn Một ({young.get_absolute_url()})" in out
    assert "Ngày vào Đoàn: Vào Đoàn khi mới 10 tuổi" in out
    assert f"Lịch Sử Lộn — Chi đoàn Hai ({unordered.get_absolute_url()})" in out
    assert "Biến động ngày 01/05/2019 (Đi làm ăn xa) ghi trước ngày vào Đoàn" in out
    assert f"Giới Thiệu Sớm — Chi đoàn Một ({early.get_absolute_url()})" in out
    assert "Mới Vào vào Đoàn ngày 01/06/2026: ngày giới thiệu phải từ ngày đó trở đi." in out
    assert "Vào ngày họp xét 01/05/2026, Họp Xét Sớm mới 15 tuổi" in out
    assert fine.full_name not in out and "Mới Vào —" not in out
    assert "Cần xem lại: 2 đoàn viên; 2 hồ sơ giới thiệu đang mở." in out


def test_one_unit_is_checked_alone(db, people, tree):
    make_member(tree.C3, full_name="Vào Sớm", date_of_birth=date(2010, 1, 1), joined_on=date(2020, 3, 26))
    assert check_data("--unit", "D1")[0] == 0
    code, out = check_data("--unit", "D2")
    assert code == 1 and "Vào Sớm — Chi đoàn Ba" in out
    assert check_data("--unit", "XX") == (1, "Không có đơn vị mã XX.")
