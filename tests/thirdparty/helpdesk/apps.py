from __future__ import annotations

from django.apps import AppConfig


class HelpdeskConfig(AppConfig):
    name = "tests.thirdparty.helpdesk"
    label = "helpdesk"
    default_auto_field = "django.db.models.AutoField"
