"""Patent recipes: text handling (readers, sections, sentences), summarization, claims, drafting."""
