from django.core.management.base import BaseCommand

from unionapp import demo


class Command(BaseCommand):
    help = "Create the demo province and the demo accounts (deterministic; does nothing when already there)."

    def handle(self, *args, **options):
        if demo.seed_small():
            self.stdout.write(self.style.SUCCESS("Đã tạo dữ liệu mẫu."))
        else:
            self.stdout.write("Dữ liệu mẫu đã có sẵn; không thay đổi gì.")
        self.stdout.write(f"Tài khoản mẫu (mật khẩu {demo.DEMO_PASSWORD}):")
        for username, role, _code, display in demo.DEMO_ACCOUNTS:
            self.stdout.write(f"  {username:8} {role.label} — {display}")
