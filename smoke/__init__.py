"""engageip-smoke: browser smoke tests for web application upgrades, from YAML scenarios, with evidence."""

__version__ = "0.1.0"
