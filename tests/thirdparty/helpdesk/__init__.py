"""A small helpdesk app in the Django admin: tickets with drop-downs whose values differ from their labels."""
