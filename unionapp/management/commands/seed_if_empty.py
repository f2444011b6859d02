from django.core.management import call_command
from django.core.management.base import BaseCommand

from unionapp.models import Unit


class Command(BaseCommand):
    help = "Seed the demo data only when the database holds no unit yet (used by make run)."

    def handle(self, *args, **options):
        if Unit.objects.exists():
            self.stdout.write("Cơ sở dữ liệu đã có dữ liệu; không tạo dữ liệu mẫu.")
            return
        call_command("seed_demo", stdout=self.stdout)
