from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UnionappConfig(AppConfig):
    name = "unionapp"
    verbose_name = _("Tổ chức và tài khoản")

    def ready(self):
        from unionapp import accounts, audit, sessions  # noqa: F401 - connect the login signals
