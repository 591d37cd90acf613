"""Word lists of claim language: the words that end a term, the definite phrases that need
no antecedent, -ing/-ed nouns and irregular participles. Kept apart from `terms` (which reads
the terms) so each stays short."""

from __future__ import annotations

DEFINITE = frozenset({"the", "said"})
# Determiners that introduce a term; multi-word ones are matched as token sequences.
INDEFINITE = frozenset({"a", "an", "another", "one", "plural", "multiple", "several", "some",
                        "two", "three", "four", "five", "six", "many", "any", "no", "each",
                        "every", "all", "both", "either", "only", "single", "respective"})
ORDINALS = frozenset({"first", "second", "third", "fourth", "fifth", "sixth", "seventh",
                      "eighth", "ninth", "tenth"})

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
                          "corresponding", "total", "balance",
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

# Nouns naming what every thing or act has (a direction, a dimension, a place, a quantity):
# "the vertical direction", "the drying temperature", "the left edge" are inherent, so a
# reference to one without an introduction is a warning, not an error (MPEP 2173.05(e)).
_INHERENT = """
direction orientation axis side end top bottom front rear back center centre middle edge
periphery circumference perimeter outline contour interior exterior length width height depth
thickness diameter radius size dimension area volume weight mass shape position location
speed velocity rate temperature pressure density concentration viscosity frequency magnitude
intensity amplitude ratio proportion sum total difference maximum minimum average mean
distance spacing interval period duration time moment angle vicinity proximity surroundings
color colour texture level amount number quantity degree extent value remainder majority half
energy potential affinity conductivity resistance resistivity capacity capacitance efficiency
strength hardness roughness porosity permeability wavelength brightness luminance humidity
surface isomer enantiomer
"""
INHERENT_WORDS = tuple(_INHERENT.split())

# Words ending in -ing or -ed that name things: kept in terms, never taken for participles.
_ING_ED_NOUNS = """
housing opening spring ring bearing coating fitting casing wiring bushing coupling mounting
padding lining setting string thing building ceiling clothing covering drawing filling flooring
footing framing grating heading landing lighting marking packing piping plating railing
recording sealing shielding siding spacing tubing winding binding backing bedding boring
bracing cladding fastening flashing grounding heating cooling handling lacing lettering
molding moulding netting outing painting paving planking plumbing printing roofing sheathing
shipping skirting stuffing trimming webbing wedding bedding sling swing wing king sibling
pudding sheeting flange tiling tracing wording reading rating ranking routing meeting offering
mixing processing programming training learning computing networking signaling signalling
gearing sprocketing bonding cabling decking ducting edging fencing glazing hinging inlay
bed seed speed feed shed sled reed weed need hundred red embed
"""
ING_ED_NOUNS = frozenset(_ING_ED_NOUNS.split())

# Irregular past participles that follow a noun as a verb ("the signal sent by", "the
# original read by"); words that are also common nouns ("set", "cut", "ground") are left out.
_IRREGULAR_PARTICIPLES = """
sent made read held built known shown given taken driven drawn worn borne spun bound laid
paid fed led kept lost meant sold spent struck thrown told brought bought caught taught
withdrawn written chosen frozen hidden broken spoken woven grown blown flown sewn shaken
begun undergone overlaid mistaken
"""
IRREGULAR_PARTICIPLES = frozenset(_IRREGULAR_PARTICIPLES.split())

# One-word references to a part of the body or to a person who uses the invention ("wearable
# on the wrist", "within the nostril", "made by the player"): inherent in the user or the act,
# so a warning at most, even when another claim happens to introduce one.
_BODY_OR_PERSON = """
nostril nostrils wrist wrists elbow elbows shoulder shoulders chest torso abdomen waist spine
buttocks thigh thighs knee knees ankle ankles forehead scalp cheek cheeks chin throat skin
tongue nose
player performer wearer person individual human patient driver passenger rider viewer
listener consumer customer caregiver physician surgeon clinician
"""
BODY_OR_PERSON = frozenset(_BODY_OR_PERSON.split())
# Body words that also name parts of things ("the head of the bolt", "the neck of the
# bottle"): inherent only in a claim about a person (see `basis_exceptions.body_or_person`).
_BODY_IF_WORN = """
head neck arm arms hand hands finger fingers foot feet leg legs ear ears eye eyes mouth face
back lip lips heel toe toes
"""
BODY_IF_WORN = frozenset(_BODY_IF_WORN.split())

# Adjectives that follow a term rather than name it ("the layers other than", "the wall
# adjacent to", "the pins parallel to").
TRAILING = frozenset({"other", "relative", "adjacent", "opposite", "respective", "closest",
                      "nearest", "farthest", "furthest", "equal", "parallel", "perpendicular",
                      "remote", "next", "proximate", "prior", "subsequent", "sufficient",
                      "available", "present", "capable", "responsive", "transverse", "coaxial",
                      "concentric", "flush", "integral", "downstream", "upstream", "distant",
                      "normal", "tangent", "tangential", "external", "internal", "exterior",
                      "interior", "alone", "itself", "themselves", "open", "closed", "free",
                      "common", "similar", "different", "identical", "greater", "smaller",
                      "larger", "higher", "lower", "longer", "shorter", "wider", "narrower",
                      "able", "unable"})

# Verbs in their bare form that end a term ("the voltage divider and the diode operate").
BARE_VERBS = frozenset({"operate", "cooperate", "define", "provide", "rotate", "engage",
                        "extend", "allow", "enable", "receive", "communicate", "generate",
                        "comprise", "include", "remain", "move", "contact", "abut", "overlap",
                        "interact", "coincide", "intersect", "meet", "mate", "exceed",
                        "calculate", "compute", "determine", "identify", "obtain", "perform",
                        "transmit", "execute", "retrieve", "estimate"})
ABLE_NOUNS = frozenset({"variable", "vegetable", "consumable", "deliverable", "turntable",
                        "timetable", "receivable", "collectible", "convertible", "perishable"})
