"""The referral list as a spreadsheet: what the list page shows, every row, for a course roster or a
meeting. Streamed like the register (members/xlsx_stream.py); citizen IDs stay out, as on the pages."""

import os
import tempfile

from django.utils.translation import gettext as _

from members.models import Gender
from members.xlsx_stream import StreamingXlsx
from referrals.models import Joins, Place, Stage

FIELDS = [
    "full_name", "date_of_birth", "gender", "phone", "address", "place_kind", "place_name", "joins",
    "introducer__full_name", "collective_name", "cell__name", "introduced_on", "stage", "course_name",
    "course_start", "review_date", "votes_for", "votes_present", "decision_number", "decision_date",
]  # fmt: skip


def export_referrals(referrals) -> str:
    """Write the referrals to a temporary .xlsx and return its path (the caller deletes it)."""
    genders, places, joins, stages = ({k: str(v) for k, v in c.choices} for c in (Gender, Place, Joins, Stage))
    headers = [_("STT"), _("Họ và tên"), _("Ngày sinh"), _("Giới tính"), _("Điện thoại"), _("Địa chỉ"),
               _("Nơi học tập, làm việc"), _("Giới thiệu vào"), _("Người giới thiệu"), _("Chi đoàn"),
               _("Ngày giới thiệu"), _("Giai đoạn"), _("Lớp bồi dưỡng"), _("Từ ngày"), _("Ngày chi đoàn họp xét"),
               _("Số tán thành"), _("Số quyết định chuẩn y"), _("Ngày quyết định")]  # fmt: skip
    widths = [6, 26, 12, 9, 14, 28, 28, 22, 26, 26, 12, 18, 26, 12, 12, 10, 16, 12]
    fd, path = tempfile.mkstemp(suffix=".xlsx", prefix="referrals-")
    os.close(fd)
    with StreamingXlsx(path, _("Thanh niên được giới thiệu"), widths) as out:
        out.header(headers)
        for n, row in enumerate(referrals.values_list(*FIELDS).iterator(chunk_size=2000), start=1):
            r = dict(zip(FIELDS, row, strict=True))
            place = " — ".join(x for x in (places.get(r["place_kind"], ""), r["place_name"]) if x)
            votes = f"{r['votes_for']}/{r['votes_present']}" if r["votes_present"] else ""
            out.row([
                n, r["full_name"], r["date_of_birth"], genders.get(r["gender"], ""), r["phone"], r["address"], place,
                joins.get(r["joins"], ""), r["introducer__full_name"] or r["collective_name"], r["cell__name"],
                r["introduced_on"], stages.get(r["stage"], ""), r["course_name"], r["course_start"], r["review_date"],
                votes, r["decision_number"], r["decision_date"],
            ])  # fmt: skip
    return path
