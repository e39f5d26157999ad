"""The evidence report: HTML (folder or single file), PDF, manifest and the index of runs."""

from smoke.report.render import render_index, render_report, write_manifest

__all__ = ["render_index", "render_report", "write_manifest"]
