"""The step vocabulary: one small function per step kind, registered by name in the module of its
domain, with the traits that tell the rest of the engine how to treat it.

Each function gets a :class:`StepCall` (the page, the step's rendered settings, the element it acts
on) and either acts or checks. A check that fails raises :class:`StepFailure` with what was
expected and what the page showed. ``smoke steps`` prints every kind with its docstring and example.
Importing the vocabulary does not import Playwright (see :mod:`smoke.pw`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# the domains register their kinds when imported
from smoke.steps import checks, external, flow, interaction, visual
from smoke.steps.base import REGISTRY, Check, Context, Loop, Param, StepCall, StepFailure, StepKind, step

__all__ = [
    "REGISTRY",
    "Check",
    "Context",
    "Documented",
    "Loop",
    "Param",
    "StepCall",
    "StepFailure",
    "StepKind",
    "checks",
    "documentation",
    "external",
    "flow",
    "interaction",
    "step",
    "visual",
]


@dataclass
class Documented:
    name: str
    summary: str
    doc: str
    example: str
    takes: list[str] = field(default_factory=list)


def documentation() -> list[Documented]:
    out = []
    order = {"action": 0, "check": 1, "flow": 2}  # `smoke steps` lists what acts, then what checks, then the rest
    for kind in sorted(REGISTRY.values(), key=lambda k: order[k.category]):
        takes = [("*" if p.required else "") + p.name for p in kind.params if p.name != "steps"]
        if kind.locator != "none":
            takes.insert(0, "locator" if kind.locator == "required" else "[locator]")
        summary = " ".join(kind.doc.split("\n\n")[0].split())
        out.append(Documented(kind.name, summary, kind.doc, kind.example, takes))
    return out
