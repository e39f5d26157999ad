from __future__ import annotations

from django.db import models

COUNTRIES = [("US", "United States"), ("CA", "Canada"), ("GB", "United Kingdom"), ("DE", "Germany")]
PRIORITIES = [(1, "Low"), (2, "Normal"), (3, "High")]
STATUSES = [("open", "Open"), ("pending", "Waiting on customer"), ("closed", "Closed")]


class Ticket(models.Model):
    subject = models.CharField(max_length=120)
    country = models.CharField(max_length=2, choices=COUNTRIES)
    priority = models.IntegerField(choices=PRIORITIES, default=2)
    status = models.CharField(max_length=10, choices=STATUSES, default="open")
    opened = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "helpdesk"
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.subject
