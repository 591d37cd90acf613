"""Word lists of claim language: the words that end a term, and the definite phrases that need
no antecedent. Kept apart from `terms` (which reads the terms) so each stays short."""

from __future__ import annotations

# Words that end a noun phrase: prepositions, conjunctions, auxiliaries, pronouns, claim verbs.
_STOP_WORDS = """
of in on to from with for at by into onto upon between among through over under within without
about above below across along around after before during against toward towards via per than
as like near beyond behind beneath beside inside outside throughout until unless whether while
and or but nor so then thus thereby therein thereon thereof therefrom thereto therebetween
whereby wherein where when which that who whom whose what such if because since though
is are was were be being been has have had having do does did can could may might must shall
should will would not also further only still yet even just very more most less least
it its they them their this these those he she his her we our us you your i
comprising comprises comprise comprised including includes include included consisting
consists consist containing contains contain having composed characterized characterised
configured adapted arranged operable capable designed constructed programmed structured
located positioned disposed provided formed defined used based coupled connected
attached mounted secured affixed spaced extending extends extend
upward upwards upwardly downward downwards downwardly inward inwardly outward outwardly forward
forwards rearward rearwards backward backwards away together apart here there
holds receives transmits generates stores sends controls causes moves rotates engages supports
defines forms provides determines outputs converts produces measures communicates indicates
represents corresponds operates performs allows enables carries connects couples executes
circulates flows travels drives lies resides sits projects protrudes surrounds encloses abuts
contacts faces passes slides rests pivots rotate moves translates reciprocates oscillates
becomes remains exceeds reaches applies creates causes permits prevents urges biases pushes
pulls presses heats cools delivers supplies dispenses emits detects senses monitors calculates
computes selects compares transfers displays retrieves identifies accesses obtains
claim claims according recited set forth off out up down due
"""
STOP = frozenset(_STOP_WORDS.split())
# Definite phrases that need no antecedent: "the same X", "the other X" (first word), and a few
# words that name something unique on their own ("the art", "the group consisting of").
EXEMPT_FIRST = frozenset({"same", "other", "following", "latter", "former", "respective",
                          "corresponding",
                          "whole", "entire", "rest", "remainder", "foregoing", "above"})
EXEMPT_ALONE = frozenset({
    "art", "invention", "world", "environment", "atmosphere", "earth", "ground", "air", "user",
    "operator", "time", "group", "case", "contrary", "like", "sun", "internet", "step", "steps",
    # formulas: "in the event that", "in the vicinity of", "the improvement comprising",
    # "to the extent", "in the presence/absence of", "for the purpose of"
    "event", "vicinity", "improvement", "extent", "presence", "absence", "purpose", "fact",
    # unique things and directions needing no introduction
    "sea", "sky", "ocean", "horizon", "gravity", "horizontal", "vertical", "right", "left",
    "outside", "inside", "exterior", "interior", "remainder", "balance"})
