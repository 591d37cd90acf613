"""Claim drafting: disclosure -> key terms -> LLM claims -> repair -> check -> one revision."""
