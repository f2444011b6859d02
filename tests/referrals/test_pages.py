from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from members.models import Member
from referrals import services
from referrals.models import Referral, Stage
from tests.factories import form_token, make_member, make_referral, reviewed_referral


def referral_data(cell, introducer, **overrides):
    data = {
        "cell": cell.pk,
        "introduced_by": "member",
        "introducer": introducer.pk if introducer else "",
        "collective_kind": "",
        "collective_name": "",
        "joins": "union",
        "full_name": "Lương Thị Hoa",
        "date_of_birth": "12/08/2008",
        "gender": "F",
        "phone": "0912 000 111",
        "citizen_id": "",
        "address": "Thôn Bản Trại",
        "place_kind": "school",
        "place_name": "THPT Chi Lăng",
        "introduced_on": "01/03/2026",
        "note": "",
    }
    data.update(overrides)
    return data


def test_a_secretary_logs_a_referral_by_a_member_of_the_cell(client, people, tree):
    introducer = make_member(tree.C1)
    client.force_login(people.secretary)
    response = client.post(reverse("referral_create"), referral_data(tree.C1, introducer))
    r = Referral.objects.get()
    assert response.status_code == 302
    assert (r.introducer, r.cell, r.stage, r.phone, r.date_of_birth) == (
        introducer,
        tree.C1,
        Stage.INTRODUCED,
        "0912000111",
        date(2008, 8, 12),
    )


def test_the_cell_picker_lists_the_active_cells_in_scope_and_keeps_the_choice(client, people, tree):
    import re

    from tests.factories import make_unit
    from unionapp.models import Kind

    make_unit(Kind.CELL, tree.B1, name="Chi đoàn cũ", code="C8", is_active=False)
    client.force_login(people.officer)
    # A full name missing: the form comes back with the chosen cell still chosen.
    response = client.post(reverse("referral_create"), referral_data(tree.C2, None, full_name=""))
    assert response.status_code == 200
    picker = re.search(r'<select name="cell"[^>]*>(.*?)</select>', response.content.decode(), re.S).group(1)
    assert re.findall(r'<option value="(\d*)"( selected)?>([^<]*)</option>', picker) == [
        ("", "", "---------"),
        (str(tree.C2.pk), " selected", "Chi đoàn Hai (C2)"),
        (str(tree.C1.pk), "", "Chi đoàn Một (C1)"),
    ]  # the officer's two active cells by name (not C3 of the other district, not the closed C8)


def test_a_collective_introducer_needs_a_kind_and_a_name(client, people, tree):
    client.force_login(people.secretary)
    response = client.post(reverse("referral_create"), referral_data(tree.C1, None, introduced_by="collective"))
    assert "Hãy ghi tên tập thể giới thiệu." in response.content.decode()
    client.post(
        reverse("referral_create"),
        referral_data(
            tree.C1,
            None,
            introduced_by="collective",
            collective_kind="pioneer_unit",
            collective_name="Liên đội THCS Quang Lang",
        ),
    )
    r = Referral.objects.get()
    assert r.introducer is None and r.introducer_label == "Liên đội / Chi đội thiếu niên Liên đội THCS Quang Lang"


def test_an_introducer_outside_the_scope_is_not_a_valid_choice(client, people, tree):
    stranger = make_member(tree.C3)
    client.force_login(people.secretary)
    response = client.post(reverse("referral_create"), referral_data(tree.C1, stranger))
    assert "introducer" in response.context["form"].errors
    assert not Referral.objects.exists()


def test_a_member_introduces_only_from_the_day_they_joined(client, people, tree):
    newcomer = make_member(tree.C1, full_name="Lò Văn Mới Vào", joined_on=date(2026, 3, 26))
    client.force_login(people.secretary)
    response = client.post(reverse("referral_create"), referral_data(tree.C1, newcomer, introduced_on="01/03/2026"))
    assert "Lò Văn Mới Vào vào Đoàn ngày 26/03/2026: ngày giới thiệu phải từ ngày đó trở đi." in (
        response.content.decode()
    )
    assert not Referral.objects.exists()
    client.post(reverse("referral_create"), referral_data(tree.C1, newcomer, introduced_on="26/03/2026"))
    assert Referral.objects.get().introducer == newcomer


def test_an_open_referral_with_the_same_citizen_id_is_refused(client, people, tree):
    make_referral(tree.C3, people.province, citizen_id="001308000999")
    client.force_login(people.secretary)
    response = client.post(
        reverse("referral_create"), referral_data(tree.C1, make_member(tree.C1), citizen_id="001308000999")
    )
    assert "đang được Chi đoàn Ba giới thiệu" in response.content.decode()
    assert Referral.objects.count() == 1


def test_warnings_are_shown_then_confirmed(client, people, tree):
    make_member(tree.C4, full_name="Lương Thị Hoa", date_of_birth=date(2008, 8, 12))
    make_referral(
        tree.C3,
        people.province,
        full_name="LUONG THI HOA",
        date_of_birth=date(2008, 8, 12),
        introduced_on=date(2026, 1, 5),
    )
    client.force_login(people.secretary)
    data = referral_data(tree.C1, make_member(tree.C1), date_of_birth="12/08/2011")
    response = client.post(reverse("referral_create"), data)
    assert response.status_code == 200  # a different birth date: only the age warning
    warnings = response.context["form"].warnings
    assert len(warnings) == 1 and "14 tuổi" in warnings[0]
    data["date_of_birth"] = "12/08/2008"
    warnings = client.post(reverse("referral_create"), data).context["form"].warnings
    assert "có thể đã là đoàn viên (Chi đoàn Bốn)" in warnings[0]
    assert "đã được giới thiệu trong năm 2026, tại Chi đoàn Ba" in warnings[1]
    assert Referral.objects.count() == 1
    client.post(reverse("referral_create"), {**data, "confirm_warnings": "on"})
    assert Referral.objects.count() == 2


def test_a_warning_reveals_only_the_unit(client, people, tree):
    make_referral(tree.C3, people.province, full_name="Lương Thị Hoa", date_of_birth=date(2008, 8, 12), phone="0999888777",
                  address="Số 5 phố Bí Mật")  # fmt: skip
    client.force_login(people.secretary)
    body = client.post(reverse("referral_create"), referral_data(tree.C1, make_member(tree.C1))).content.decode()
    assert "Chi đoàn Ba" in body and "0999888777" not in body and "Bí Mật" not in body


def test_the_introducer_search_is_accent_insensitive_and_scoped(client, people, tree):
    make_member(tree.C1, full_name="Đinh Văn Đức")
    make_member(tree.C3, full_name="Đinh Văn Đông")
    client.force_login(people.secretary)
    results = client.get(reverse("introducer_search"), {"q": "dinh van"}).json()["results"]
    assert [r["text"].split(" — ")[0] for r in results] == ["Đinh Văn Đức"]


def step(client, r, name, data):
    return client.post(reverse("referral_step", args=[r.pk, name]), data)


def test_the_pipeline_through_the_pages(client, people, tree):
    r = make_referral(tree.C1, people.secretary, introducer=make_member(tree.C1))
    client.force_login(people.secretary)
    step(client, r, "training", {"course_name": "Lớp cảm tình Đoàn", "start": "01/04/2026", "end": "03/04/2026"})
    step(client, r, "review", {"review_date": "01/05/2026", "votes_present": "12", "votes_for": "11"})
    r.refresh_from_db()
    assert r.stage == Stage.REVIEWED
    # The secretary cannot approve.
    assert client.get(reverse("referral_step", args=[r.pk, "admit"])).status_code == 403
    client.force_login(people.officer)
    response = step(
        client, r, "admit", {"decision_number": "15-QĐ/ĐTN", "decision_date": "20/05/2026", "cell": tree.C1.pk}
    )
    assert response.status_code == 302
    r.refresh_from_db()
    assert r.stage == Stage.ADMITTED and r.member.cell == tree.C1


def test_a_step_sent_twice_is_recorded_once_and_the_second_post_leads_where_the_first_did(client, people, tree):
    """The answer to "Chuẩn y" lost, the browser sends it again: not "already admitted", but the board it was
    started from, with a message; one admission."""
    r = reviewed_referral(tree.C1, people.secretary)
    client.force_login(people.officer)
    board = reverse("pipeline_board", args=[tree.B1.pk])
    page = client.get(reverse("referral_step", args=[r.pk, "admit"]), {"next": board})
    data = {
        "decision_number": "15-QĐ/ĐTN", "decision_date": "20/05/2026", "cell": tree.C1.pk, "next": board,
        "submission": form_token(page),
    }  # fmt: skip
    first, again = step(client, r, "admit", data), step(client, r, "admit", data)
    assert first["Location"] == again["Location"] == board
    assert "đã được thực hiện ở lần gửi trước" in client.get(board).content.decode()
    assert r.events.filter(to_stage=Stage.ADMITTED).count() == 1 and Member.objects.filter(admission=r).count() == 1


def test_district_staff_approve_and_refuse_from_the_board_they_see(client, people, tree):
    """District staff approve admissions (they log no referrals): the board's buttons lead to the step."""
    to_admit = reviewed_referral(tree.C1, people.secretary, full_name="Người Được Duyệt")
    to_refuse = reviewed_referral(tree.C2, people.secretary, full_name="Người Không Được Duyệt")
    client.force_login(people.district)
    board = client.get(reverse("pipeline_board", args=[tree.B1.pk])).content.decode()
    admit_url = reverse("referral_step", args=[to_admit.pk, "admit"])
    assert admit_url in board
    assert client.get(admit_url).status_code == 200
    response = step(client, to_admit, "admit", {"decision_number": "7-QĐ/HĐT", "decision_date": "20/05/2026"})
    assert response.status_code == 302
    response = step(client, to_refuse, "refuse", {"reason": "Chưa đủ điều kiện"})
    assert response.status_code == 302
    to_admit.refresh_from_db(), to_refuse.refresh_from_db()
    assert (to_admit.stage, to_admit.decision_number, to_admit.member.cell) == (Stage.ADMITTED, "7-QĐ/HĐT", tree.C1)
    assert to_refuse.stage == Stage.NOT_ADMITTED
    # They still move no referral along: that is the cell's work.
    r = make_referral(tree.C1, people.secretary)
    assert client.get(reverse("referral_step", args=[r.pk, "training"])).status_code == 403


def test_a_step_out_of_order_is_explained(client, people, tree):
    r = make_referral(tree.C1, people.secretary)
    client.force_login(people.secretary)
    response = step(client, r, "review", {"review_date": "01/05/2026", "votes_present": "12", "votes_for": "11"})
    assert "Không thể chuyển hồ sơ từ “Đã giới thiệu” sang “Chi đoàn đã xét”" in response.content.decode()


def test_a_review_of_a_candidate_under_16_is_refused_with_what_to_do_and_the_figures_kept(client, people, tree):
    r = make_referral(tree.C1, people.secretary, full_name="Lò Thị Nhỏ", date_of_birth=date(2011, 1, 1))
    client.force_login(people.secretary)
    step(client, r, "training", {"course_name": "Lớp cảm tình Đoàn", "start": "01/04/2026", "end": ""})
    response = step(client, r, "review", {"review_date": "01/05/2026", "votes_present": "12", "votes_for": "11"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Vào ngày họp xét 01/05/2026, Lò Thị Nhỏ mới 15 tuổi, chưa đủ 16 tuổi để kết nạp Đoàn." in body
    assert 'value="12"' in body and 'value="11"' in body
    r.refresh_from_db()
    assert r.stage == Stage.TRAINING


def test_an_unknown_step_is_404(client, people, tree):
    r = make_referral(tree.C1, people.secretary)
    client.force_login(people.secretary)
    assert client.get(reverse("referral_step", args=[r.pk, "fly"])).status_code == 404


@pytest.mark.parametrize("url", ["referral_detail", "training", "review", "admit", "refuse", "withdraw", "unadmit"])
def test_referral_pages_are_404_outside_the_scope(client, people, tree, url):
    r = make_referral(tree.C3, people.admin)
    # Each page to someone who may use it in their own part of the tree (approving: district staff).
    client.force_login(people.district if url in ("admit", "refuse", "unadmit") else people.secretary)
    target = (
        reverse("referral_detail", args=[r.pk])
        if url == "referral_detail"
        else reverse("referral_step", args=[r.pk, url])
    )
    assert client.get(target).status_code == 404
    assert client.post(target, {}).status_code == 404


def test_the_board_is_404_outside_the_scope_and_for_other_levels(client, people, tree):
    client.force_login(people.officer)
    assert client.get(reverse("pipeline_board", args=[tree.B2.pk])).status_code == 404
    assert client.get(reverse("pipeline_board", args=[tree.C3.pk])).status_code == 404
    client.force_login(people.province)
    assert client.get(reverse("pipeline_board", args=[tree.D1.pk])).status_code == 404


def test_the_board_shows_counts_and_names_per_stage(client, people, tree, django_assert_max_num_queries):
    make_referral(tree.C1, people.secretary, full_name="Người Một")
    reviewed_referral(tree.C2, people.officer, full_name="Người Hai")
    done = reviewed_referral(tree.C1, people.secretary, full_name="Người Ba")
    services.admit(referral=done, by=people.officer, decision_number="1", decision_date=date(2026, 6, 1))
    client.force_login(people.officer)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("pipeline_board", args=[tree.B1.pk]))
    columns = {c["stage"]: [r.full_name for r in c["cards"]] for c in response.context["columns"]}
    assert columns == {"introduced": ["Người Một"], "training": [], "reviewed": ["Người Hai"]}
    assert "Chuẩn y kết nạp" in response.content.decode()


@pytest.mark.parametrize(
    ("who", "offered"),
    [
        # The cell moves its referrals along and may withdraw them; approving is the base union's or above.
        ("secretary", {"new": {"training", "withdraw"}, "ready": {"withdraw"}}),
        ("officer", {"new": {"training", "withdraw"}, "ready": {"admit", "refuse", "withdraw"}}),
        ("district", {"new": set(), "ready": {"admit", "refuse"}}),
    ],
)
def test_each_card_and_page_offers_the_steps_its_stage_and_the_users_role_allow(client, people, tree, who, offered):
    import re

    cards = {
        "new": make_referral(tree.C1, people.secretary, full_name="Người Mới"),
        "ready": reviewed_referral(tree.C1, people.secretary, full_name="Người Đã Xét"),
    }
    client.force_login(getattr(people, who))
    unit = tree.C1 if who == "secretary" else tree.B1  # the board each sees
    board = reverse("pipeline_board", args=[unit.pk]) + "?x=1&y=2"
    links = re.findall(r'href="(/referrals/\d+/\w+/[^"]*)"', client.get(board).content.decode())
    back = f"?next=/units/{unit.pk}/pipeline/%3Fx%3D1%26y%3D2"
    for key, r in cards.items():
        expected = {reverse("referral_step", args=[r.pk, step]) + back for step in offered[key]}
        assert {link for link in links if f"/{r.pk}/" in link and "/edit/" not in link} == expected
        # Its own page: the same steps, back to nowhere in particular, and (for those who log referrals) going a
        # step back from a reviewed one.
        page = client.get(reverse("referral_detail", args=[r.pk])).content.decode()
        steps = {link for link in re.findall(r'href="(/referrals/\d+/\w+/)"', page) if "/edit/" not in link}
        back_too = {"back"} if key == "ready" and who != "district" else set()
        assert steps == {reverse("referral_step", args=[r.pk, step]) for step in offered[key] | back_too}


def test_the_board_says_from_when_a_young_candidate_can_be_reviewed(client, people, tree):
    today = timezone.localdate()
    young = make_referral(tree.C1, people.secretary, full_name="Lò Thị Nhỏ", introduced_on=today,
                          date_of_birth=date(today.year - 15, 2, 1))  # fmt: skip
    make_referral(tree.C1, people.secretary, full_name="Lò Thị Lớn", introduced_on=today)
    make_referral(tree.C1, people.secretary, full_name="Lò Thị Hội", introduced_on=today, joins="federation",
                  date_of_birth=date(today.year - 15, 2, 1))  # fmt: skip
    client.force_login(people.secretary)
    body = client.get(reverse("pipeline_board", args=[tree.C1.pk])).content.decode()
    assert body.count('data-testid="reviewable-from"') == 1  # the federation has no such rule
    assert f"Đủ 16 tuổi để chi đoàn xét từ 01/02/{young.date_of_birth.year + 16}" in body


def test_a_base_unions_board_shows_one_of_its_cells_when_asked(client, people, tree):
    import re

    make_referral(tree.C1, people.secretary, full_name="Người Ở Một")
    reviewed_referral(tree.C2, people.officer, full_name="Người Ở Hai")
    client.force_login(people.officer)
    url = reverse("pipeline_board", args=[tree.B1.pk])

    def board(**query):
        response = client.get(url, query)
        names = {r.full_name for c in response.context["columns"] for r in c["cards"]}
        return names, response.content.decode()

    names, html = board()
    assert names == {"Người Ở Một", "Người Ở Hai"}
    picker = re.search(r'<select[^>]*name="cell">(.*?)</select>', html, re.S).group(1)
    assert re.findall(r'<option value="(\d*)"( selected)?>([^<]*)</option>', picker) == [
        ("", "", "Tất cả chi đoàn"),
        (str(tree.C2.pk), "", "Chi đoàn Hai"),
        (str(tree.C1.pk), "", "Chi đoàn Một"),
    ]
    cards = re.findall(r'data-testid="card">(.*?)</div></div>', html, re.S)
    assert all(" · Chi đoàn Một" in card or " · Chi đoàn Hai" in card for card in cards)  # each names its cell...
    names, html = board(cell=tree.C2.pk)
    assert names == {"Người Ở Hai"}
    assert f'<option value="{tree.C2.pk}" selected>' in html
    cards = re.findall(r'data-testid="card">(.*?)</div></div>', html, re.S)
    assert cards and not any(" · Chi đoàn Hai" in card for card in cards)  # ...not when the board shows one cell
    # A step taken from the filtered board comes back to it.
    assert f"?next=/units/{tree.B1.pk}/pipeline/%3Fcell%3D{tree.C2.pk}" in html


@pytest.mark.parametrize("cell", ["C3", "C4", "B1", "x"])
def test_a_board_shows_only_its_own_cells(client, people, tree, cell):
    """Another base union's cell (in or out of the user's scope), the board's own unit, or nonsense: 404."""
    client.force_login(people.province)
    value = getattr(tree, cell).pk if cell != "x" else "x"
    assert client.get(reverse("pipeline_board", args=[tree.B1.pk]), {"cell": value}).status_code == 404
    client.force_login(people.officer)
    assert client.get(reverse("pipeline_board", args=[tree.B1.pk]), {"cell": value}).status_code == 404


def test_a_long_column_shows_the_longest_waiting_and_leads_to_the_rest(client, people, tree, monkeypatch, in_2026):
    """A commune union holds hundreds of open referrals: each column draws the oldest few, counts them all and
    links to the referral list filtered to that stage and to the unit (or cell) the board shows."""
    import re

    from referrals import views

    monkeypatch.setattr(views, "BOARD_CARDS", 2)
    for day, cell in [(5, tree.C1), (2, tree.C1), (9, tree.C2), (3, tree.C1)]:
        make_referral(tree.C1 if cell is tree.C1 else tree.C2, people.officer, full_name=f"Người Ngày {day}",
                      introduced_on=date(2026, 3, day))  # fmt: skip
    reviewed_referral(tree.C2, people.officer, full_name="Người Đã Xét")
    done = reviewed_referral(tree.C1, people.officer, full_name="Người Đã Vào")
    services.admit(referral=done, by=people.officer, decision_number="1", decision_date=date(2026, 6, 1))
    client.force_login(people.officer)

    response = client.get(reverse("pipeline_board", args=[tree.B1.pk]))
    html = response.content.decode()
    columns = {c["stage"]: ([r.full_name for r in c["cards"]], c["count"]) for c in response.context["columns"]}
    assert columns == {
        "introduced": (["Người Ngày 2", "Người Ngày 3"], 4),
        "training": ([], 0),
        "reviewed": (["Người Đã Xét"], 1),
    }
    assert re.search(r'data-testid="column-introduced">\s*<h2[^>]*>[^<]*<span[^>]*>4</span>', html)
    assert "Đã kết nạp: <strong>1</strong>" in html  # the year's closed referrals are still counted
    more = re.findall(r'<a class="small" href="([^"]+)" data-testid="more-(\w+)">([^<]+)</a>', html)
    link = f"{reverse('referral_list')}?stage=introduced&amp;unit={tree.B1.pk}"
    assert more == [(link, "introduced", "Còn 2 hồ sơ mới hơn: xem trong danh sách giới thiệu")]
    listed = client.get(link.replace("&amp;", "&")).content.decode()
    assert all(f"Người Ngày {day}" in listed for day in (2, 3, 5, 9)) and "Người Đã Xét" not in listed

    # On one cell's board: that cell's oldest, and the rest of that cell's.
    response = client.get(reverse("pipeline_board", args=[tree.B1.pk]), {"cell": tree.C1.pk})
    assert [r.full_name for r in response.context["columns"][0]["cards"]] == ["Người Ngày 2", "Người Ngày 3"]
    assert f"?stage=introduced&amp;unit={tree.C1.pk}" in response.content.decode()
    assert "Còn 1 hồ sơ mới hơn" in response.content.decode()


def test_a_cells_board_has_no_cell_picker(client, people, tree):
    client.force_login(people.secretary)
    html = client.get(reverse("pipeline_board", args=[tree.C1.pk])).content.decode()
    assert 'name="cell"' not in html


def test_the_list_filters_by_stage_unit_and_introducer(client, people, tree):
    an = make_member(tree.C1, full_name="Vi Văn An")
    make_referral(tree.C1, people.secretary, introducer=an, full_name="Người Một")
    reviewed_referral(tree.C2, people.officer, full_name="Người Hai", joins="federation")
    make_referral(tree.C3, people.province, full_name="Người Ngoài")
    client.force_login(people.officer)
    url = reverse("referral_list")

    def names(params):
        return [r.full_name for r in client.get(url, params).context["page"].object_list]

    assert sorted(names({})) == ["Người Hai", "Người Một"]
    assert names({"stage": "reviewed"}) == ["Người Hai"]
    assert names({"joins": "federation"}) == ["Người Hai"]
    assert names({"introducer": "vi van an"}) == ["Người Một"]
    assert names({"unit": tree.C2.pk}) == ["Người Hai"]
    assert names({"year": 2025}) == []


def test_the_member_card_shows_who_they_introduced_this_year(client, people, tree):
    member = make_member(tree.C1)
    client.force_login(people.secretary)
    page = client.get(reverse("member_detail", args=[member.pk])).content.decode()
    assert "Chưa giới thiệu ai" in page
    make_referral(
        tree.C1, people.secretary, introducer=member, full_name="Em Được Giới Thiệu", introduced_on=timezone.localdate()
    )
    page = client.get(reverse("member_detail", args=[member.pk])).content.decode()
    assert "Đã thực hiện 1+1" in page and "Em Được Giới Thiệu" in page


def test_the_new_member_page_names_the_admission(client, people, tree):
    r = reviewed_referral(tree.C1, people.secretary, introducer=make_member(tree.C1, full_name="Hà Văn Giới"))
    r = services.admit(referral=r, by=people.officer, decision_number="15-QĐ/ĐTN", decision_date=date(2026, 6, 1))
    client.force_login(people.secretary)
    page = client.get(reverse("member_detail", args=[r.member.pk])).content.decode()
    assert "Kết nạp theo quyết định 15-QĐ/ĐTN, do Hà Văn Giới giới thiệu." in page
    assert Member.objects.filter(admission=r).count() == 1


def test_the_step_buttons_speak_the_users_language(client, people, tree):
    make_referral(tree.C1, people.secretary)
    client.force_login(people.secretary)
    board = reverse("pipeline_board", args=[tree.C1.pk])
    assert ">Vào lớp bồi dưỡng</a>" in client.get(board).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert ">Start the course</a>" in client.get(board).content.decode()
    client.post(reverse("set_language"), {"language": "vi", "next": "/"})
    assert ">Vào lớp bồi dưỡng</a>" in client.get(board).content.decode()


def test_past_the_limit_the_introducer_picker_lists_only_the_chosen_member(client, people, tree, monkeypatch):
    """A commune union's members are too many for one select: it then holds the chosen one only, and the
    search box finds the others. A form saved at once never counts them."""
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from referrals.forms import IntroducerSelect

    chosen, other = make_member(tree.C1, full_name="Người Được Chọn"), make_member(tree.C2, full_name="Người Khác")
    client.force_login(people.officer)

    def options(response):
        select = re.search(r'<select name="introducer".*?</select>', response.content.decode(), re.S).group(0)
        return re.findall(r'<option value="(\d*)"', select)

    url = reverse("referral_create")
    assert {str(chosen.pk), str(other.pk)} <= set(options(client.get(url)))  # under the limit: everyone
    monkeypatch.setattr(IntroducerSelect, "RENDER_LIMIT", 1)
    assert options(client.get(url)) == [""]
    assert options(client.get(url, {"introducer": chosen.pk})) == ["", str(chosen.pk)]
    # A form sent back with an error keeps the chosen introducer, still the only one listed.
    response = client.post(url, referral_data(tree.C1, chosen, full_name=""))
    assert response.status_code == 200 and options(response) == ["", str(chosen.pk)]
    with CaptureQueriesContext(connection) as saved:
        assert client.post(url, referral_data(tree.C1, chosen)).status_code == 302
    assert not [q for q in saved.captured_queries if 'COUNT(*) AS "__count" FROM "members_member"' in q["sql"]]


def test_a_step_started_from_a_long_address_is_recorded_and_recognised_when_sent_again(client, people, tree):
    r = reviewed_referral(tree.C1, people.secretary)
    client.force_login(people.officer)
    board = reverse("pipeline_board", args=[tree.B1.pk]) + "?q=" + "hoa" * 100  # a filtered board: 300+ characters
    page = client.get(reverse("referral_step", args=[r.pk, "refuse"]), {"next": board})
    data = {"reason": "Chưa đủ điều kiện", "next": board, "submission": form_token(page)}
    first, again = step(client, r, "refuse", data), step(client, r, "refuse", data)
    assert first["Location"] == again["Location"] == board
    assert Referral.objects.get(pk=r.pk).stage == Stage.NOT_ADMITTED


def test_a_youths_name_pasted_in_an_old_font_is_read_back_into_the_box(client, people, tree):
    introducer = make_member(tree.C1, joined_on=date(2020, 1, 1))
    client.force_login(people.secretary)
    response = client.post(reverse("referral_create"), referral_data(tree.C1, introducer, full_name="L\xad¬ng ThÞ Hoa"))
    assert response.context["form"]["full_name"].value() == "Lương Thị Hoa"
    assert "đã đọc lại thành “Lương Thị Hoa”" in response.content.decode()
    assert not Referral.objects.exists()
