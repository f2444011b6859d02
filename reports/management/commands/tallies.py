from django.core.management.base import BaseCommand, CommandError

from reports import tally


class Command(BaseCommand):
    help = (
        "Check the reports' summary rows against the register (default), or rebuild them all (--rebuild). "
        "Every write keeps them up to date; this is for after a bulk load outside the app, or to prove it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="recompute every row from the register")

    def handle(self, *args, rebuild=False, **options):
        if rebuild:
            self.stdout.write(f"Đã tính lại {tally.rebuild()} dòng tổng hợp.")
            return
        problems = tally.check()
        for line in problems[:50]:
            self.stdout.write(line)
        if problems:
            raise CommandError(f"{len(problems)} dòng tổng hợp lệch với sổ đoàn viên; chạy lại với --rebuild.")
        self.stdout.write("Dòng tổng hợp khớp với sổ đoàn viên.")
