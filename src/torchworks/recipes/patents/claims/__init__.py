"""Claim parsing (`parse`) and the deterministic claim checker (`check`, rules in `rules_*`)."""
