from django.core.management.base import BaseCommand

from unionapp import demo, province_seed


class Command(BaseCommand):
    help = (
        "Create demo data (deterministic; does nothing when already there). "
        "--scale province builds a whole province (about 117.000 members) for the benchmark."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=["demo", "province"], default="demo")

    def handle(self, *args, scale="demo", **options):
        demo.refuse_in_production()
        if scale == "province":
            province_seed.seed_province(out=self.stdout.write)
            return
        if demo.seed_small():
            self.stdout.write(self.style.SUCCESS("Đã tạo dữ liệu mẫu."))
        else:
            self.stdout.write("Dữ liệu mẫu đã có sẵn; không thay đổi gì.")
        self.stdout.write(f"Tài khoản mẫu (mật khẩu {demo.DEMO_PASSWORD}):")
        for username, role, _code, display in demo.DEMO_ACCOUNTS:
            self.stdout.write(f"  {username:8} {role.label} — {display}")
