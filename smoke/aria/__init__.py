"""What changed between releases, in words: accessibility snapshots of the pages a scenario visits,
compared with the previous release's as a person would describe the change.

``tree`` parses and normalises Playwright's aria snapshot YAML (no browser), ``diff`` turns two
snapshots into a list of changes (no browser), ``snapshot`` takes them during a run, ``store``
accepts them as the baseline, ``tour`` shows what is new in the demo overlay.
"""
