"""E-commerce recommendation: logs -> ids, splits -> two-tower / DIN / SASRec -> serving.

Modules: `readers` (log layouts), `data` (prepared dataset on disk), `vocab`, `split`,
`sequences`, `synth`, `models/`, `evaluate`, `baselines`, `index`, `train`, `export`, `service`.
"""
