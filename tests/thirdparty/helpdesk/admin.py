from __future__ import annotations

from django.contrib import admin

from tests.thirdparty.helpdesk.models import Ticket


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ("subject", "country", "priority", "status")
    list_filter = ("status", "country")
    search_fields = ("subject",)
    fields = ("subject", "country", "priority", "status")
