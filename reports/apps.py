from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Báo cáo")

    def ready(self):
        from reports import tally
        from unionapp.signals import unit_moved

        unit_moved.connect(tally.unit_moved, dispatch_uid="reports.tally.unit_moved")
