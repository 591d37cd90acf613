"""Patent summarization: extractive (default), baselines, abstractive, evaluation, fine-tuning."""
