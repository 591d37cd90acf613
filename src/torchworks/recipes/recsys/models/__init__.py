"""Recommendation models: two-tower retrieval, DIN ranking, SASRec next-item."""
