"""Porting the suite to an installation: the recorder's output as scenario YAML, and a probe of a
target's locators.

``convert`` turns Playwright's recorder log (JSONL) into steps of our vocabulary; ``session`` runs
the recorder in a browser logged in through the target's own login steps; ``probe`` opens the
pages the read-only scenarios open and says which locators are found there.
"""
