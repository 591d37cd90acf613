"""One package per domain; each spells out its workflow using engine, export and serving."""
