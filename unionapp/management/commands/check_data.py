from django.core.management.base import BaseCommand, CommandError

from members.models import Member
from referrals.models import Referral
from reports.templatetags.report_format import num
from unionapp import data_check
from unionapp.models import Unit

EVERY = 10_000  # records between two progress lines (a province takes minutes)


def number(n: int) -> str:
    return num(n, (".", ","))  # 10.369, as everywhere in the app


class Command(BaseCommand):
    help = (
        "Liệt kê đoàn viên và hồ sơ giới thiệu đang mở không qua được các kiểm tra hiện nay (dữ liệu nhập trước khi "
        "có quy tắc). Không sửa gì. Mã thoát 1 khi có bản ghi cần xem lại."
    )

    def add_arguments(self, parser):
        parser.add_argument("--unit", metavar="MÃ", help="chỉ kiểm tra trong đơn vị có mã này (mặc định: tất cả)")

    def handle(self, *args, unit=None, **options):
        members, referrals = Member.objects.all(), Referral.objects.all()
        if unit:
            root = Unit.objects.filter(code=unit).first()
            if root is None:
                raise CommandError(f"Không có đơn vị mã {unit}.")
            members, referrals = members.filter(root.subtree_q("cell__")), referrals.filter(root.subtree_q("cell__"))
        counts, checked = {}, {}

        def progress(kind):
            def count():
                checked[kind] = checked.get(kind, 0) + 1
                if checked[kind] % EVERY == 0:
                    self.stderr.write(f"… đã kiểm tra {number(checked[kind])} {kind}")

            return count

        for kind, findings in (
            ("đoàn viên", data_check.member_findings(members, progress("đoàn viên"))),
            ("hồ sơ giới thiệu đang mở", data_check.referral_findings(referrals, progress("hồ sơ giới thiệu đang mở"))),
        ):
            counts[kind] = 0
            for finding in findings:
                counts[kind] += 1
                self.stdout.write(f"{finding.label} ({finding.url})")
                for problem in finding.problems:
                    self.stdout.write(f"  - {problem}")
        total = sum(counts.values())
        summary = "; ".join(f"{number(n)} {kind}" for kind, n in counts.items())
        read = "; ".join(f"{number(checked.get(kind, 0))} {kind}" for kind in counts)
        if not total:
            self.stdout.write(f"Không có bản ghi nào cần xem lại (đã kiểm tra {read}).")
            return
        raise CommandError(f"Cần xem lại: {summary}. Sửa trên trang của từng bản ghi (đường dẫn trong ngoặc ở trên).")
