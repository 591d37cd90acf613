"""The environment layer: facts about this machine, the doctor's rules, device selection.

Nothing here imports the engine, serving, export or a recipe.
"""
