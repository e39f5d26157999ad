"""Packs of evidence: merging the shards of one run into one verified run."""
