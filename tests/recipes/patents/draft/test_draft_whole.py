"""Claim 1 as the disclosure's statement of the invention, whole: kept when the listed claim
would lose its structure ("wherein R represents", "in which a melt is introduced"), never
when the statement is a plain list of parts (the listed form reads better)."""

from __future__ import annotations

from torchworks.recipes.patents.draft.disclosure import analyse
from torchworks.recipes.patents.draft.pipeline import draft_claims
from torchworks.recipes.patents.draft.stated import stated_sentence, stated_sentences
from torchworks.recipes.patents.draft.whole import coverage, whole_claim, whole_claims


def test_a_formula_statement_keeps_its_wherein_structure_and_names_one_invention() -> None:
    result = draft_claims(
        "Disclosed are glyceryl ether derivatives according to the general formula (I), wherein "
        "R represents a hydrogen atom or an alkyl group with 6 to 22 carbon atoms, and n "
        "represents a number from 1 to 4.", title="Glyceryl ether derivatives")
    assert result.claims[0] == (
        "A glyceryl ether derivative according to a general formula (I), wherein R represents a "
        "hydrogen atom or an alkyl group with 6 to 22 carbon atoms, and n represents a number "
        "from 1 to 4.")
    assert result.report.errors == 0


def test_a_process_stated_with_in_which_is_claimed_whole_with_the_next_sentence() -> None:
    result = draft_claims(
        "The present invention relates to a process for the production of a steel strip, in "
        "which a steel melt from a melt reservoir is introduced between two cooled rollers which "
        "move synchronously and solidifies on the rollers to form the strip. The steel melt "
        "contains less than 1% by weight of nickel.", title="Process for producing a steel strip")
    assert result.claims[0].startswith(
        "A process for a production of a steel strip, in which a steel melt from a melt "
        "reservoir is introduced between two cooled rollers")  # not "the invention relates to"
    assert result.claims[0].endswith(
        ", wherein the steel melt contains less than 1% by weight of nickel.")
    assert result.report.errors == 0


def test_is_disclosed_is_no_background_and_what_claim_1_names_bare_has_antecedent() -> None:
    text = ("A picture processing apparatus is disclosed which processes pictures showing "
            "subjects wearing tags each assigned identification information. A reader reads "
            "the identification information from the tags.")
    assert stated_sentence(analyse(text))[1].startswith(
        "A picture processing apparatus which processes pictures")
    result = draft_claims(text, title="Picture processing apparatus")
    assert result.claims[0] == (  # "that processes" has no transition: mended to a wherein
        "A picture processing apparatus, wherein the picture processing apparatus processes "
        "pictures showing subjects wearing tags each assigned identification information.")
    assert result.claims[1].endswith("a reader that reads the assigned identification "
                                     "information from the tags.")  # not "a plurality of tags"
    assert result.report.errors == 0


def test_two_inventions_in_one_sentence_or_another_opening_are_not_claimed_whole() -> None:
    both = analyse("Methods and systems for executing a transaction are provided, including "
                   "parsing pages of a web server and presenting displays.",
                   title="Methods and systems for transactional tunneling")
    assert stated_sentence(both) is None or stated_sentence(both)[1].startswith("A method")
    assert draft_claims(both.sentences[0], title="Methods and systems for transactional "
                        "tunneling").claims[0].startswith("A method for transactional tunneling")
    other = analyse("A drive unit which operates in a first direction is connected to a stopping "
                    "unit of the door.", title="Vehicle door apparatus")
    assert stated_sentence(other) is None  # it opens with a part, not the invention


def test_coverage_counts_the_disclosure_words_in_order_without_articles() -> None:
    disclosure = analyse("A lamp has a base and an arm hinged to the base. A shade is held by "
                         "the arm.")
    assert coverage("A lamp comprising: a base; and an arm hinged to the base.", disclosure) == 7
    assert coverage("A lamp comprising: an arm.", disclosure) == 2


def test_a_first_sentence_opening_with_a_part_says_of_that_part_what_it_says() -> None:
    result = draft_claims(
        "A drive unit which operates in a first direction so as to unfasten a latch of a latch "
        "unit is connected to a stopping unit being displaced from a first state to a second "
        "state when the door is opened. The stopping unit stops the door.",
        title="Vehicle door apparatus")
    assert result.claims[0].startswith(
        "A vehicle door apparatus comprising: a drive unit, wherein the drive unit which operates "
        "in a first direction so as to unfasten a latch of a latch unit is connected to a "
        "stopping unit")
    assert result.report.errors == 0
    formula = analyse("A production method of an allylic amine represented by the formula (III) "
                      "comprises reacting an allylic alcohol.", title="Phosphoramidite ligand")
    assert whole_claims(formula, 2) == []  # a method is no part of a ligand


def test_a_heading_left_before_the_first_sentence_is_no_part_of_it() -> None:
    disclosure = analyse("OF THE PRESENT INVENTION The present invention relates to a lamp "
                         "comprising a base and an arm hinged to the base.", title="Lamp")
    assert disclosure.sentences[0].startswith("The present invention relates to a lamp")
    assert stated_sentence(disclosure)[1].startswith("a lamp comprising a base")


def test_the_statement_is_found_after_a_preface_and_an_object_sentence() -> None:
    text = ("The object of the present invention is to reduce the problems of known racks. To "
            "that end, the present invention provides a rack for storing bottles, comprising a "
            "frame and two rails disposed parallel to each other on the frame.")
    held, said = stated_sentence(analyse(text, title="Bottle rack"))
    assert held == range(1, 2)
    assert said.startswith("a rack for storing bottles, comprising a frame")


def test_a_problem_named_as_the_purpose_leaves_the_statement_about_the_invention() -> None:
    text = ("In order to solve the above problem, the bottle rack according to the present "
            "invention is a bottle rack including a frame and two rails disposed parallel to "
            "each other on the frame.")
    disclosure = analyse(text, title="Bottle rack")
    assert not disclosure.aside  # the rack's parts are elements
    assert stated_sentence(disclosure)[1].startswith("a bottle rack including a frame")


def test_a_first_sentence_listing_parts_after_may_have_is_the_claim_whatever_the_title() -> None:
    result = draft_claims(
        "According to one embodiment, a motor control apparatus for controlling a motor may "
        "have: a sensor for outputting sensor data; a controller for generating a motor "
        "control signal depending on the sensor data; and a monitor for outputting an error "
        "signal at an error of the sensor.", title="Electric motor regulation")
    assert result.claims[0] == (
        "A motor control apparatus for controlling a motor comprising: a sensor for outputting "
        "sensor data; a controller for generating a motor control signal depending on the "
        "sensor data; and a monitor for outputting an error signal at an error of the sensor.")
    assert result.report.errors == 0


def test_a_sentence_naming_a_device_and_its_method_gives_way_to_the_next_statement() -> None:
    disclosure = analyse(
        "Embodiments of the present invention are directed to a semiconductor device that can "
        "reduce leakage and a method for manufacturing the same. In one embodiment of the "
        "present invention, a semiconductor device comprises a semiconductor substrate having a "
        "groove and a buried gate formed in a lower portion of the groove.",
        title="Semiconductor device")
    held, said = stated_sentence(disclosure)
    assert held == range(1, 2)
    assert said.startswith("a semiconductor device comprises a semiconductor substrate")


def test_there_is_provided_in_accordance_with_the_invention_after_objects_in_view() -> None:
    text = ("It is accordingly an object of the invention to provide a terminal which overcomes "
            "the disadvantages of known terminals. With the foregoing and other objects in view "
            "there is provided, in accordance with the invention, a multimedia terminal for "
            "telephony, including a controller for processing signaling information and a mixer, "
            "connected to the controller, for mixing datastreams.")
    held, said = stated_sentence(analyse(text, title="Multimedia terminal"))
    assert held == range(1, 2)
    assert said.startswith("a multimedia terminal for telephony, including a controller")


def test_a_placement_between_commas_after_comprises_stays_in_the_transition() -> None:
    result = draft_claims(
        "To solve the above-cited object, the organic electroluminescence element of the "
        "invention comprises, provided on a substrate, an anode which acts as a hole injection "
        "electrode, a cathode which acts as an electron injection electrode and a light emission "
        "layer arranged between the anode and the cathode.",
        title="Organic electroluminescence element")
    assert result.claims[0].startswith(
        "An organic electroluminescence element comprising, provided on a substrate: an anode "
        "which acts as a hole injection electrode")  # not "of the invention", not ": , provided"
    assert result.report.errors == 0


def test_an_advantage_opening_the_disclosure_is_not_its_subject() -> None:
    disclosure = analyse(
        "An advantage of the invention is to provide a surface acoustic wave element at a low "
        "price. According to a first aspect of the invention, a surface acoustic wave element "
        "includes a piezoelectric substrate and a pair of terminals formed on the substrate.",
        title="Surface acoustic wave element and device using the same")
    assert disclosure.subject == "surface acoustic wave element"
    assert stated_sentence(disclosure)[1].startswith(
        "a surface acoustic wave element includes a piezoelectric substrate")


def test_a_first_sentence_defining_a_compound_by_its_formula_is_claimed_whole() -> None:
    result = draft_claims(
        "A compound of the formula where R1 is H, C1-C4 alkyl and OH; R2 is H and C1-C4 alkyl; "
        "n is an integer between 0 and 2 inclusive.", title="Piracetam conjugate")
    assert result.claims[0] == (
        "A compound of a formula where R1 is H, C1-C4 alkyl and OH; R2 is H and C1-C4 alkyl; n "
        "is an integer between 0 and 2 inclusive.")  # not "A piracetam comprising: a compound"
    assert result.report.errors == 0


def test_the_parts_listed_by_the_next_sentence_follow_the_stated_purpose() -> None:
    disclosure = analyse(
        "A pen retention bracket for releasably securing a pen reel therein is disclosed. The "
        "pen retention bracket includes four surfaces that define a rectangular cavity and a "
        "top opening.", title="Pen retention apparatus")
    text, read = whole_claim(disclosure, set())
    assert text == ("A pen retention bracket for releasably securing a pen reel therein, "
                    "comprising: four surfaces that define a rectangular cavity and a top "
                    "opening.")
    assert read == {0, 1}


def test_a_method_of_making_the_titled_product_introduces_the_product_it_makes() -> None:
    result = draft_claims(
        "The present invention relates to methods for the preparation of clay/polymer "
        "nanocomposites. The methods include combining an organophilic clay and a polymer to "
        "form a nanocomposite, wherein the organophilic clay and the polymer each have a peak "
        "recrystallization temperature.", title="Polyolefin nanocomposites")
    assert result.claims[0].startswith(
        "A method for the preparation of clay/polymer nanocomposites, comprising: combining an "
        "organophilic clay and a polymer to form a nanocomposite, wherein")  # not "the polyolefin"
    assert result.report.errors == 0


def test_what_the_invention_has_before_its_main_verb_stays_in_the_preamble() -> None:
    text, _ = whole_claim(analyse(
        "According to an aspect of the present invention, an image reader, having a conveying "
        "part that conveys an original and a reading part that reads the original, includes a "
        "noise detection part that judges that that a noise is contained in a read image.",
        title="Image reader"), set())
    assert text.startswith(
        "An image reader having a conveying part that conveys an original and a reading part "
        "that reads the original, comprising: a noise detection part that judges that a noise")


def test_the_parts_a_next_sentence_adds_with_also_join_the_listed_claim() -> None:
    text, read = whole_claim(analyse(
        "A miter saw includes a base and a table disposed on the base. The miter saw also "
        "includes a cutting assembly overlying the table. The cutting assembly is heavy.",
        title="Miter saw"), set())
    assert text.startswith("A miter saw comprising: a base and a table disposed on the base; a "
                           "cutting assembly overlying the table")
    assert {0, 1} <= read


def test_coverage_is_the_longest_common_subsequence_of_the_words() -> None:
    disclosure = analyse("A lamp has a base and an arm hinged to the base. The arm holds a "
                         "shade over the base and a switch on the arm.")
    said = "lamp has base and arm hinged to base arm holds shade over base and switch on arm"

    def lcs(left: list[str], right: list[str]) -> int:  # the textbook table, for reference
        table = [[0] * (len(right) + 1) for _ in range(len(left) + 1)]
        for i, x in enumerate(left):
            for j, y in enumerate(right):
                table[i + 1][j + 1] = table[i][j] + 1 if x == y else max(table[i][j + 1],
                                                                           table[i + 1][j])
        return table[-1][-1]

    for claim in ("A lamp comprising: an arm holding a shade over the base; and a switch.",
                  "A base on an arm over a switch and a lamp hinged to the base.", "A shade."):
        words = [w.strip(".,:;").lower() for w in claim.split()]
        words = [w for w in words if w not in ("a", "an", "the")]
        assert coverage(claim, disclosure) == lcs(words, said.split())


def test_a_statement_after_the_objects_is_found_past_the_fourth_sentence() -> None:
    disclosure = analyse(
        "Conventional gates leak current at their edges. It is an object of the invention to "
        "reduce that leakage. Another object is a device that is easy to make. The device is "
        "also cheap. In one aspect of the invention, a semiconductor device comprises a "
        "semiconductor substrate having a groove, a buried gate formed in a lower portion of "
        "the groove, and a barrier layer formed on sidewalls of an upper portion of the groove.",
        title="Semiconductor device")
    assert [held.start for held, _ in stated_sentences(disclosure)] == [3, 4]
    assert whole_claim(disclosure, set())[0] == ""  # the first four hold no claim
    claims = whole_claims(disclosure, 2)
    assert claims[0].text.startswith("A semiconductor device comprising: a semiconductor "
                                     "substrate having a groove, a buried gate formed in")


def test_a_statement_continuing_another_is_no_claim_1_though_it_says_more() -> None:
    text = ("A method of imaging comprises sending an excitation pulse to a target and acquiring "
            "data from the target to produce a first set of data. The method may further include "
            "reversing a slice selection gradient pulse from a first direction to a second "
            "direction, acquiring data after the slice selection gradient pulse to produce a "
            "second set of data, and combining the first set of data with the second set of "
            "data to form an image of the target.")
    disclosure = analyse(text, title="Method of imaging")
    later = whole_claim(disclosure, set(), stated_sentences(disclosure)[1])[0]
    assert coverage(later, disclosure) > coverage(whole_claims(disclosure, 2)[0].text, disclosure)
    assert whole_claims(disclosure, 2)[0].text.startswith(
        "A method of imaging comprising: sending an excitation pulse to a target")
    result = draft_claims(text, title="Method of imaging")
    assert "further" not in result.claims[0] and result.report.errors == 0


def test_a_device_and_its_method_stated_together_claim_the_device_first_named() -> None:
    text = ("An IQ modulator and method for modulating a signal in accordance with I and Q "
            "symbols using derivative filters operating at the symbol rate and programmable "
            "accumulators for a waveform generator.")
    assert stated_sentence(analyse(text, title="IQ modulator"))[1].startswith(
        "An IQ modulator for modulating a signal")
    result = draft_claims(text, title="Quadrature modulator with pulse-shaping")
    assert result.claims[0].startswith(  # what it uses are its parts: the transition
        "An IQ modulator for modulating a signal in accordance with I and Q symbols, comprising: "
        "derivative filters")
    assert result.report.errors == 0


def test_a_statement_of_the_following_steps_lists_the_steps_after_comprising() -> None:
    result = draft_claims("A method for coating a panel comprises the following steps: (a) "
                          "applying a primer to the panel; (b) drying the primer; and (c) "
                          "spraying a topcoat over the primer.", title="Method for coating")
    assert result.claims[0] == ("A method for coating a panel comprising: (a) applying a primer "
                                "to the panel; (b) drying the primer; and (c) spraying a topcoat "
                                "over the primer.")  # not "a plurality of following steps"
