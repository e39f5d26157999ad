"""Make junit.xml say what the run's one verdict says.

pytest writes junit.xml from its own view of each test. A few outcomes are only known once the
run is judged (a page that got slower fails its scenario, a scenario cut short by a signal never
reported): this rewrites those test cases and records the verdict as test-suite properties, so a
CI test view and the report cannot disagree.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from smoke.results import RunResult

RESULT_PROPERTY = "smoke_result"


def _nodeid(case: ET.Element) -> str | None:
    for prop in case.iter("property"):
        if prop.get("name") == RESULT_PROPERTY:
            try:
                return str(json.loads(prop.get("value") or "{}").get("nodeid") or "") or None
            except ValueError:
                return None
    return None


def agree(path: Path, run: RunResult) -> None:
    if not path.is_file():
        return
    try:
        tree = ET.parse(path)
    except (ET.ParseError, OSError):
        return
    root = tree.getroot()
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    by_id = {s.nodeid: s for s in run.scenarios}
    seen: set[str] = set()
    for suite in suites:
        for case in suite.findall("testcase"):
            nodeid = _nodeid(case)
            scenario = by_id.get(nodeid or "")
            if scenario is None or nodeid is None:
                continue
            seen.add(nodeid)
            failed = case.find("failure") is not None or case.find("error") is not None
            if scenario.status == "failed" and not failed:
                failure = ET.SubElement(
                    case, "failure", message=(scenario.error.message if scenario.error else "failed")
                )
                failure.text = scenario.error.message if scenario.error else "failed"
                suite.set("failures", str(int(suite.get("failures", "0")) + 1))
        if suite is suites[0]:
            # scenarios that never reported (not run, interrupted) are test cases too: skipped, with why
            for scenario in run.scenarios:
                if scenario.nodeid in seen or scenario.status not in ("not run", "interrupted"):
                    continue
                path_part, _, name = scenario.nodeid.partition("::")
                case = ET.SubElement(
                    suite, "testcase", classname=path_part.replace("/", "."), name=name or scenario.name, time="0"
                )
                ET.SubElement(case, "skipped", message=f"{scenario.status}: {run.interrupted or 'did not run'}")
                suite.set("tests", str(int(suite.get("tests", "0")) + 1))
                suite.set("skipped", str(int(suite.get("skipped", "0")) + 1))
            props = suite.find("properties")
            if props is None:
                props = ET.Element("properties")
                suite.insert(0, props)
            for name, value in (
                ("smoke.status", run.status),
                ("smoke.verdict", run.verdict),
                ("smoke.exit_code", str(run.exit_code)),
                ("smoke.partial", str(run.partial).lower()),
            ):
                ET.SubElement(props, "property", name=name, value=value)
    tmp = path.with_suffix(".xml.tmp")
    tree.write(tmp, encoding="utf-8", xml_declaration=True)
    tmp.replace(path)
