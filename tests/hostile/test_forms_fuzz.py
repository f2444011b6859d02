"""Property-based: random text, huge strings, control characters, mixed normalisation and impossible
dates thrown at every form and at the import. Never a 500, never a partial write."""

import io
import unicodedata

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from members.models import MAX_STAY_MONTHS, Member, StatusEvent, Transfer, months_after
from members.xlsx_stream import StreamingXlsx
from referrals.models import Referral
from reports.models import Target
from tests.factories import make_member
from tests.members.test_excel import HEADER
from unionapp.models import Unit

FUZZ = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)

vietnamese = st.sampled_from(["Nguyễn Văn Ấn", "Đỗ Thị Hằng", "Lê Ngọc Ánh", "Ông Ích Khiêm"])
mixed = vietnamese.map(lambda s: unicodedata.normalize("NFD", s))
control = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=31), min_size=1, max_size=20)
huge = st.integers(min_value=1000, max_value=20000).map(lambda n: "Đ" * n)
any_text = st.one_of(st.text(max_size=200), vietnamese, mixed, control, huge, st.just(""), st.just("=1+1"))
dates = st.one_of(
    st.dates().map(lambda d: d.strftime("%d/%m/%Y")),
    st.sampled_from(["31/02/2005", "00/00/0000", "99/99/9999", "29/02/2023", "1/1/1", "2005-13-01", "hôm qua"]),
    st.text(max_size=12),
)


def counts():
    return (Member.objects.count(), StatusEvent.objects.count(), Referral.objects.count(), Target.objects.count())


@FUZZ
@given(name=any_text, dob=dates, phone=any_text, cid=any_text, address=any_text, joined=dates)
def test_member_form(client, people, tree, name, dob, phone, cid, address, joined):
    client.force_login(people.secretary)
    before = counts()
    data = {"cell": tree.C1.pk, "full_name": name, "date_of_birth": dob, "gender": "F", "phone": phone,
            "citizen_id": cid, "address": address, "joined_on": joined, "confirm_duplicate": "on"}  # fmt: skip
    response = client.post(reverse("member_create"), data)
    after = counts()
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert after == before
    else:
        assert after[0] == before[0] + 1
        member = Member.objects.latest("pk")
        assert member.full_name == unicodedata.normalize("NFC", member.full_name)
        assert not any(ord(c) < 32 for c in member.full_name)


@FUZZ
@given(status=st.sampled_from(["away", "removed", "bogus", ""]), day=dates, reason=any_text)
def test_status_form(client, people, tree, status, day, reason):
    member = Member.objects.filter(cell=tree.C1).first() or make_member(tree.C1)
    client.force_login(people.secretary)
    before = counts()
    response = client.post(
        reverse("member_status", args=[member.pk]), {"to_status": status, "date": day, "reason": reason}
    )
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert counts() == before


@FUZZ
@given(code=st.one_of(any_text, st.sampled_from(["C2", "c3", "C1"])), day=dates, until=dates, reason=any_text)
def test_transfer_form(client, people, tree, code, day, until, reason):
    """A permanent or temporary transfer: a 200 writes nothing; whatever is written keeps a stay within its rules."""
    member = Member.objects.filter(cell=tree.C1).first() or make_member(tree.C1)
    client.force_login(people.officer)
    before = (counts(), list(Transfer.objects.values_list("pk", "until")))
    response = client.post(
        reverse("member_transfer", args=[member.pk]),
        {"to_cell_code": code, "date": day, "until": until, "reason": reason},
    )
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert (counts(), list(Transfer.objects.values_list("pk", "until"))) == before
    for stay in Transfer.objects.filter(until__isnull=False):
        assert stay.date <= stay.until <= months_after(stay.date, MAX_STAY_MONTHS)


@FUZZ
@given(name=any_text, dob=dates, phone=any_text, cid=any_text, place=any_text, collective=any_text, day=dates)
def test_referral_form(client, people, tree, name, dob, phone, cid, place, collective, day):
    client.force_login(people.secretary)
    before = counts()
    data = {"cell": tree.C1.pk, "introduced_by": "collective", "collective_kind": "pioneer_unit",
            "collective_name": collective, "joins": "union", "full_name": name, "date_of_birth": dob, "gender": "M",
            "phone": phone, "citizen_id": cid, "address": "", "place_kind": "other", "place_name": place,
            "introduced_on": day, "note": "", "confirm_warnings": "on"}  # fmt: skip
    response = client.post(reverse("referral_create"), data)
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert counts() == before


@FUZZ
@given(values=st.lists(st.one_of(any_text, st.integers().map(str)), min_size=3, max_size=3))
def test_targets_grid(client, people, tree, values):
    client.force_login(people.district)
    before = counts()
    data = {
        f"u{tree.B1.pk}_union": values[0],
        f"u{tree.B1.pk}_federation": values[1],
        f"u{tree.B1.pk}_party": values[2],
    }
    response = client.post(reverse("targets", args=[tree.D1.pk]) + "?year=2026", data)
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert counts() == before


@FUZZ
@given(
    rows=st.lists(
        st.lists(st.one_of(any_text, dates, st.integers(), st.none()), min_size=14, max_size=14), min_size=1, max_size=8
    )
)
def test_import(client, people, tree, tmp_path_factory, rows):
    path = tmp_path_factory.mktemp("fuzz") / "fuzz.xlsx"
    with StreamingXlsx(path, "Danh sách", [10] * len(HEADER)) as out:
        out.header(HEADER)
        for row in rows:
            out.row(row)
    client.force_login(people.officer)
    before = counts()
    upload = io.BytesIO(path.read_bytes())
    upload.name = "fuzz.xlsx"
    response = client.post(reverse("import_upload"), {"unit": tree.B1.pk, "file": upload})
    assert response.status_code == 302
    preview = client.get(response["Location"])
    assert preview.status_code == 200
    commit = client.post(response["Location"])
    assert commit.status_code in (200, 302)
    result = preview.context.get("result")
    if commit.status_code == 200 or (result is not None and not result.ok):
        assert counts() == before


def clean(value):
    return value == unicodedata.normalize("NFC", value) and not any(ord(c) < 32 for c in value)


@FUZZ
@given(full_name=any_text, username=any_text, password=any_text)
def test_account_form(client, people, tree, full_name, username, password):
    client.force_login(people.province)
    before = User.objects.count()
    data = {"full_name": full_name, "username": username, "role": "cell_secretary", "unit": tree.C1.pk,
            "password1": password, "password2": password}  # fmt: skip
    response = client.post(reverse("user_create"), data)
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert User.objects.count() == before
    else:
        user = User.objects.latest("pk")
        assert clean(user.first_name) and user.first_name and user.assignments.count() == 1


@FUZZ
@given(name=any_text, code=any_text)
def test_unit_form(client, people, tree, name, code):
    client.force_login(people.province)
    before = Unit.objects.count()
    response = client.post(reverse("unit_create", args=[tree.B1.pk]), {"name": name, "code": code, "kind": "cell"})
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert Unit.objects.count() == before
    else:
        unit = Unit.objects.latest("pk")
        assert clean(unit.name) and unit.name and clean(unit.code) and " " not in unit.code


@FUZZ
@given(rows=st.lists(st.lists(st.one_of(any_text, st.integers(), st.none()), min_size=4, max_size=4), max_size=8))
def test_unit_import(client, people, tree, tmp_path_factory, rows):
    path = tmp_path_factory.mktemp("fuzz") / "units.xlsx"
    with StreamingXlsx(path, "Đơn vị", [10] * 4) as out:
        out.header(["Mã đơn vị", "Tên đơn vị", "Cấp", "Mã đơn vị cấp trên"])
        for row in rows:
            out.row(row)
    client.force_login(people.province)
    before = Unit.objects.count()
    upload = io.BytesIO(path.read_bytes())
    upload.name = "units.xlsx"
    response = client.post(reverse("unit_import"), {"file": upload})
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert Unit.objects.count() == before
    for unit in Unit.objects.all():
        assert clean(unit.name) and clean(unit.code)


@FUZZ
@given(
    chosen=st.lists(st.one_of(st.integers().map(str), any_text, st.just("REVIEWED")), max_size=4),
    number=any_text,
    day=dates,
)
def test_approving_a_list(client, people, tree, chosen, number, day):
    from tests.factories import reviewed_referral

    waiting = list(Referral.objects.filter(cell=tree.C1, stage="reviewed")) or [
        reviewed_referral(tree.C1, people.secretary) for _ in range(2)
    ]
    chosen = [str(waiting[0].pk) if c == "REVIEWED" else c for c in chosen]
    client.force_login(people.officer)
    before = counts()
    url = reverse("pipeline_many", args=[tree.B1.pk, "admit"])
    response = client.post(url, {"referrals": chosen, "decision_number": number, "decision_date": day})
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert counts() == before
    else:
        admitted = Referral.objects.get(pk=waiting[0].pk)
        assert admitted.stage == "admitted" and clean(admitted.decision_number) and admitted.decision_number


@FUZZ
@given(chosen=st.lists(st.one_of(st.integers().map(str), any_text, st.just("PAST_30")), max_size=4), day=dates,
       reason=any_text)  # fmt: skip
def test_maturing_out_a_list(client, people, tree, chosen, day, reason):
    from datetime import date

    old = Member.objects.filter(cell=tree.C1, date_of_birth=date(1980, 1, 1)).first() or make_member(
        tree.C1, date_of_birth=date(1980, 1, 1)
    )
    chosen = [str(old.pk) if c == "PAST_30" else c for c in chosen]
    client.force_login(people.secretary)
    before = counts()
    response = client.post(
        reverse("cell_matured", args=[tree.C1.pk]), {"members": chosen, "date": day, "reason": reason}
    )
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert counts() == before
    else:
        event = StatusEvent.objects.filter(member=old).latest("pk")
        assert event.to_status == "matured" and clean(event.reason) and event.reason


# Every query-string parameter a page reads, with the page's unit (in the base union's officer's scope) and its
# data in place: a slip in a filter ("-1" typed as a year) or a tampered link is a page, never an error.
MEMBER_FILTERS = ["q", "unit", "status", "gender", "birth_year", "rating", "party", "one_plus_one", "page"]
REFERRAL_FILTERS = ["q", "stage", "joins", "unit", "introducer", "year", "start", "end", "page"]
PERIOD = ["period", "year", "start", "end"]
QUERY_PAGES = [
    ("member_list", None, MEMBER_FILTERS),
    ("member_list_export", None, MEMBER_FILTERS),
    ("referral_list", None, REFERRAL_FILTERS),
    ("referral_export", None, REFERRAL_FILTERS),
    ("introducer_search", None, ["q", "cell"]),
    ("member_create", None, ["cell"]),
    ("referral_create", None, ["introducer", "cell"]),
    ("user_list", None, ["q", "unit", "page"]),
    ("user_create", None, ["unit"]),
    ("report", "B1", PERIOD),
    ("report_xlsx", "B1", PERIOD),
    ("dashboard", "B1", ["year"]),
    ("rating_report", "B1", ["year"]),
    ("rating_report_xlsx", "B1", ["year"]),
    ("targets", "B1", ["year", "copy"]),
    ("pipeline_board", "B1", ["cell"]),
    ("decision_index", "B1", ["year"]),
    ("decision_list", "B1", ["number", "date", "joins"]),
    ("unit_log", "B1", ["action", "page"]),
    ("cell_rating", "C1", ["year"]),
]
slips = st.one_of(
    st.sampled_from(
        ["-1", "0", "20055", "2005.5", "1e9", "abc", "", "31/02/2020", "2020-13-45", "2026-01-01", "x" * 300]
    ),
    st.integers().map(str),
    st.text(max_size=30),
)


@pytest.mark.parametrize(("name", "unit", "keys"), QUERY_PAGES, ids=[p[0] for p in QUERY_PAGES])
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_query_strings(client, people, tree, name, unit, keys, data):
    if not Member.objects.exists():  # examples share the test's database
        make_member(tree.C1, full_name="Đỗ Thị Hằng")
    client.force_login(people.officer)
    params = data.draw(st.dictionaries(st.sampled_from(keys), slips, min_size=1))
    url = reverse(name, args=[getattr(tree, unit).pk] if unit else [])
    response = client.get(url, params)
    if response.streaming:
        b"".join(response.streaming_content)  # the file written to the end (and closed, by the test client)
    assert response.status_code in (200, 302, 404), (url, params, response.status_code)


@pytest.mark.parametrize(("name", "unit", "keys"), QUERY_PAGES, ids=[p[0] for p in QUERY_PAGES])
def test_ids_no_column_holds_in_query_strings(client, people, tree, name, unit, keys):
    """Digits past a 64-bit id (SQLite cannot even bind them) and a digit Python reads as one but int() does not
    ("²"), in every parameter: both were error pages where a view checked only str.isdigit()."""
    make_member(tree.C1, full_name="Đỗ Thị Hằng")
    client.force_login(people.officer)
    url = reverse(name, args=[getattr(tree, unit).pk] if unit else [])
    for key in keys:
        for value in ("9223372036854775808", "²"):
            response = client.get(url, {key: value, "q": "do"} if key != "q" else {key: value})
            if response.streaming:
                b"".join(response.streaming_content)
            assert response.status_code in (200, 302, 404), (url, key, value, response.status_code)
