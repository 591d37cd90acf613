"""Claim drafting: disclosure analysis -> claims in its own words -> strict check -> repair."""
