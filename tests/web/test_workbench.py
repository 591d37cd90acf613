"""The patent workbench in headless Chromium against a real `torchworks serve` (see conftest)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect
if TYPE_CHECKING:
    from playwright.sync_api import Page

CLAIMS = """1. A lamp comprising a base and a shade mounted on the base.
2. The lamp of claim 1, wherein the base is heavy.
3. The lamp of claim 2, wherein the bulb is bright.
4. The lamp of claim 7, further comprising a switch."""
DESCRIPTION = "A lamp has a base and a shade. The shade is mounted on the base."
DISCLOSURE = ("A desk lamp has a weighted base, an arm hinged to the base, and a shade held by "
              "the arm. A dimmer in the base sets the brightness of a light source in the shade.")


def words(text: str) -> str:
    return " ".join(text.split())


def open_tab(page: Page, url: str, tab: str, key: str | None) -> None:
    page.goto(f"{url}/#{tab}")
    if key is not None:
        page.get_by_label("API key").fill(key)
        page.get_by_label("API key").dispatch_event("change")
    expect(page.get_by_role("tab", name=re.compile(tab, re.I))).to_have_attribute(
        "aria-selected", "true")


def shot(page: Page, artifacts: Path, name: str) -> None:
    path = artifacts / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path.resolve()}")


def test_summary_highlights_the_chosen_sentences_in_the_source(page, workbench, artifacts,
                                                               patents_dir, tmp_path):
    with open(patents_dir / "patents.jsonl", encoding="utf-8") as lines:
        record = json.loads(next(lines))
    upload = tmp_path / f"{record['id']}.json"
    upload.write_text(json.dumps(record), encoding="utf-8")
    open_tab(page, workbench.url, "summarize", workbench.api_key)
    expect(page.locator("#models")).to_contain_text("Summarizer")
    page.get_by_label("or upload a patent file").set_input_files(str(upload))
    expect(page.locator("#patent-text")).not_to_have_value("")
    page.get_by_label("Words").fill("80")
    page.get_by_role("button", name="Summarize").click()

    marks = page.locator("mark.chosen")
    expect(marks.first).to_be_visible(timeout=60_000)
    source = words(" ".join([record["title"], record["description"], *record["claims"]]))
    chosen = [words(t) for t in marks.all_text_contents()]
    assert chosen and all(text in source for text in chosen)
    summary = [words(t) for t in page.locator("ol.summary li").all_text_contents()]
    assert words(" ".join(summary)) == words(" ".join(chosen))  # every sentence is highlighted
    expect(page.locator("#calls li").first).to_contain_text(
        re.compile(r"POST /v1/patents/summarize → HTTP 200 in \d+ ms · model (\(embedded\)|v\d+)"))
    card = page.get_by_label("The patent as read")  # JSON: its fields, parsed
    expect(card).to_contain_text(record["id"])
    expect(card).to_contain_text(record["title"])
    expect(card).to_contain_text(re.compile(r"Claims\s*\d+"))
    shot(page, artifacts, "summarize")

    first = page.locator("ol.summary").text_content()
    xml = patents_dir / "uspto-xml" / "xml2004" / "US06859910.xml"  # the source shown is the
    page.get_by_label("or upload a patent file").set_input_files(str(xml))  # XML's text
    page.get_by_role("button", name="Summarize").click()
    expect(page.locator("ol.summary")).not_to_have_text(first, timeout=60_000)
    expect(page.locator(".source")).not_to_contain_text("<us-patent-grant")
    expect(page.locator("#summarize-result .meta")).to_contain_text(
        re.compile(r"(\d+) of \1 sentences found in the source"), timeout=60_000)
    expect(page.locator("mark.chosen").first).to_be_visible()
    shot(page, artifacts, "summarize-xml")

    extractive = page.locator("ol.summary").text_content()  # the same XML, by TextRank
    expect(page.get_by_label("Method", exact=True)).to_be_enabled()
    page.get_by_label("Method", exact=True).select_option("textrank")
    page.get_by_role("button", name="Summarize").click()
    expect(page.locator("#summarize-result .meta")).to_contain_text(
        re.compile(r"method textrank · \d+ words · (\d+) of \1 sentences found"), timeout=60_000)
    expect(page.locator("mark.chosen").first).to_be_visible()
    assert page.locator("ol.summary").text_content() != extractive
    shot(page, artifacts, "summarize-textrank")


def test_draft_shows_the_pipelines_claims_in_the_disclosures_words_with_the_model_note(
        page, workbench, artifacts):
    open_tab(page, workbench.url, "draft", workbench.api_key)
    page.get_by_label("Invention disclosure").fill(
        DISCLOSURE + " The shade may be made of glass. The arm can include a spring.")
    page.get_by_label("Dependent claims").fill("2")
    page.get_by_role("button", name="Draft claims").click()
    expect(page.locator("#draft-result textarea.claims-edit")).to_have_value(re.compile(
        r"^1\. A desk lamp comprising: a weighted base; an arm hinged to the weighted base"))
    expect(page.locator("#draft-result .note")).to_contain_text("small demo model")
    expect(page.locator("#draft-result .note")).to_contain_text("TORCHWORKS_DRAFT_BASE_URL")
    claims = page.locator("#draft-result ol.claims > li")
    expect(claims).to_have_count(3)
    for number in (2, 3):
        expect(page.locator(f"#draft-result #claim-{number} .claim-text")).to_contain_text(
            re.compile(r"^The desk lamp of claim \d, wherein"))
    tree = page.locator("#draft-result").get_by_label("Claim dependency tree")
    expect(tree.locator(":scope > li")).to_have_count(1)
    assert page.locator("#draft-result button.finding.error").count() == 0
    shot(page, artifacts, "draft")


def rules_shown(page: Page, scope: str) -> set[str]:
    """The checker rules behind the findings on show (the page words them for people)."""
    return set(page.locator(f"{scope} .claims > li .findings > li[data-rule]").evaluate_all(
        "items => items.map(item => item.dataset.rule)"))


def check_claims_and_assert_tree(page: Page) -> None:
    """The lamp claims: findings per claim, the tree nests 3 under 2 under 1, 4 (refers to a
    missing claim) stands alone."""
    expect(page.locator("#check-result .claims-view")).to_be_visible()
    rules = rules_shown(page, "#check-result")
    assert {"dependency-missing", "antecedent-basis"} <= rules, rules
    tree = page.get_by_label("Claim dependency tree")
    expect(tree.locator(":scope > li")).to_have_count(2)
    expect(tree.locator(":scope > li").first.locator(":scope > ul > li > ul > li")).to_contain_text(
        "Claim 3")
    expect(tree.locator(":scope > li").nth(1)).to_contain_text("Claim 4 (depends on 7)")


def test_check_shows_findings_and_the_claim_tree(page, workbench, artifacts):
    open_tab(page, workbench.url, "check", workbench.api_key)
    page.get_by_label("Claims, one numbered claim after another").fill(CLAIMS)
    page.get_by_label(re.compile("^Description")).fill(DESCRIPTION)
    page.get_by_role("button", name="Check claims").click()
    check_claims_and_assert_tree(page)
    page.locator("#claim-3 li[data-rule=antecedent-basis] button.finding").click()
    expect(page.locator("#claim-3 mark.concerned")).to_have_text("the bulb")
    shot(page, artifacts, "check")


def test_keyboard_only_check_flow(page, workbench, artifacts):
    page.goto(workbench.url)
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "api-key"
    page.keyboard.type(workbench.api_key)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "tab-summarize"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.id") == "tab-check"
    expect(page.locator("#panel-check")).to_be_visible()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none"), "the focused tab shows no focus ring"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "claims-text"
    page.keyboard.insert_text(CLAIMS)
    page.keyboard.press("Tab")
    page.keyboard.insert_text(DESCRIPTION)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    check_claims_and_assert_tree(page)
    page.keyboard.press("Tab")  # "Try sample claims", then the first finding
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('finding')")
    page.keyboard.press("Enter")
    expect(page.locator("#check-result mark.concerned")).to_have_count(1)
    shot(page, artifacts, "keyboard-check")


def test_narrow_window_has_no_sideways_scroll_and_markup_stays_text(page, workbench, artifacts):
    page.set_viewport_size({"width": 390, "height": 844})
    open_tab(page, workbench.url, "check", workbench.api_key)
    markup = '<img src="x" onerror="window.pwned = 1">'
    page.get_by_label("Claims, one numbered claim after another").fill(
        f"{CLAIMS}\n5. The lamp of claim 4, wherein the shade shows {markup}.")
    page.get_by_role("button", name="Check claims").click()
    expect(page.locator("#claim-5 .claim-text")).to_contain_text(markup)
    assert page.locator("#check-result img").count() == 0
    assert page.evaluate("window.pwned === undefined")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, artifacts, "narrow-check")


def test_errors_say_what_to_do(page, workbench, artifacts):
    open_tab(page, workbench.url, "check", None)
    expect(page.locator("#models")).to_contain_text("needs an API key")
    page.get_by_label("Claims, one numbered claim after another").fill(CLAIMS)
    page.get_by_role("button", name="Check claims").click()
    expect(page.get_by_role("alert")).to_contain_text("This server needs an API key")

    page.get_by_label("API key").fill("tw_not-a-real-key")
    page.get_by_role("button", name="Check claims").click()
    expect(page.get_by_role("alert")).to_contain_text("does not know this API key")
    shot(page, artifacts, "error-wrong-key")

    page.get_by_label("API key").fill(workbench.api_key)
    page.get_by_label("Claims, one numbered claim after another").fill(
        "1. A lamp comprising a base. " * 40_000)  # ~1.2 MB against a 1 MiB body limit
    page.get_by_role("button", name="Check claims").click()
    expect(page.get_by_role("alert")).to_contain_text("too large")

    page.get_by_role("tab", name="Summarize a patent").click()
    page.get_by_label(re.compile("^Patent:")).fill('{"title": "blank", "description": " "}')
    page.get_by_role("button", name="Summarize").click()  # the server answers 422
    expect(page.get_by_role("alert")).to_contain_text("The server refused the input")
    expect(page.get_by_role("alert")).to_contain_text("empty")


def test_server_down_is_reported(page, workbench, artifacts):
    """Last in this module: it stops the module's server."""
    open_tab(page, workbench.url, "check", workbench.api_key)
    page.get_by_label("Claims, one numbered claim after another").fill(CLAIMS)
    workbench.process.terminate()
    workbench.process.wait(30)
    page.get_by_role("button", name="Check claims").click()
    expect(page.get_by_role("alert")).to_contain_text("Cannot reach the server")
    expect(page.locator("#calls li").first).to_contain_text("no answer")
    shot(page, artifacts, "error-server-down")
