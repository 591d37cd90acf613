/* The claim workspace: an editable claim set that re-checks itself as you type, findings you
 * can accept (you agree and will fix them) or set aside, both remembered for this browser
 * session, a jump from a finding to its words in the editor, and export: copy, plain text,
 * Word. Used by the draft result and the check tab alike, so a drafted claim is edited and
 * re-checked where it stands. */
import { clearError, logCall, post, showError, timing } from "./api.js";
import { claimsView, findingKey } from "./claims.js";
import { $, el } from "./dom.js";

const DECISIONS_STORAGE = "torchworks.findingDecisions";
const RECHECK_DELAY_MS = 60;

/** The reviewer's decision per finding key: "accepted" or "ignored" (set aside). */
export function decisions() {
  try { return new Map(Object.entries(JSON.parse(sessionStorage.getItem(DECISIONS_STORAGE) || "{}"))); }
  catch (_) { return new Map(); }
}

/** Record `state` ("accepted", "ignored", or null to undo) for `finding`. */
export function decide(finding, state) {
  const all = decisions();
  if (state) all.set(findingKey(finding), state); else all.delete(findingKey(finding));
  sessionStorage.setItem(DECISIONS_STORAGE, JSON.stringify(Object.fromEntries(all)));
}

const decidedAs = (state) => (finding) => decisions().get(findingKey(finding)) === state;

/** Select `finding`'s words in `editor` (the textarea holding the claim set), inside its claim. */
export function selectInEditor(editor, finding) {
  const text = editor.value;
  let from = 0;
  let to = text.length;
  if (finding.claim != null) {
    const starts = [...text.matchAll(/(?:^|\n)\s*(\d+)\s*\.\s+/g)];
    const at = starts.findIndex((m) => Number(m[1]) === finding.claim);
    if (at >= 0) {
      from = starts[at].index;
      to = at + 1 < starts.length ? starts[at + 1].index : text.length;
    }
  }
  const words = (finding.words || "").toLowerCase();
  const found = words ? text.toLowerCase().slice(from, to).indexOf(words) : -1;
  const [start, end] = found >= 0 ? [from + found, from + found + words.length] : [from, from];
  editor.focus();
  editor.setSelectionRange(start, end);
  return found >= 0;
}

/** Check `claimsText` (with `description` for support) and draw the findings into `out`;
 * with `editor`, each finding can jump to its words there. */
export async function checkInto(out, claimsText, description, heading = "Findings", editor = null) {
  const body = { claims: claimsText };
  if (description && description.trim()) body.description = description;
  const started = performance.now();
  const { response, ms, version } = await post("/v1/patents/check", body);
  const answer = await response.json();
  logCall("/v1/patents/check", response.status, ms, version);
  const redraw = () => out.replaceChildren(el("h2", {}, heading), timing(ms, version),
    claimsView(claimsText, answer, { decisions: decisions(), onDecide: (f, state) => {
      decide(f, state);
      redraw();
    }, onEdit: editor ? (f) => selectInEditor(editor, f) : null }),
    exportBar(claimsText, description, answer));
  redraw();
  out.dataset.checkedMs = String(performance.now() - started);
  out.dataset.live = "1";
  return answer;
}

/** Re-check whenever `textarea` changes (debounced), newest edit wins. */
export function liveCheck(textarea, out, description, heading) {
  let timer = null;
  let latest = 0;
  let editedAt = 0;
  textarea.addEventListener("input", () => {
    editedAt = performance.now();
    if (!out.dataset.live) return; // the first check is the user's: submit or a draft
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const mine = ++latest;
      const text = textarea.value;
      if (!text.trim()) return;
      try {
        const staged = el("div");
        await checkInto(staged, text, description(), heading, textarea);
        if (mine === latest) {
          out.replaceChildren(...staged.childNodes);
          out.dataset.checkedMs = staged.dataset.checkedMs;
          out.dataset.editToFindingsMs = String(performance.now() - editedAt);
          out.dataset.checks = String(Number(out.dataset.checks || 0) + 1);
        }
      } catch (error) {
        showError(error.message);
      }
    }, RECHECK_DELAY_MS);
  });
}

/** Plain text of a claim set with its findings (those not set aside, accepted ones marked,
 * then those set aside). */
export function asText(claimsText, answer) {
  const accepted = decidedAs("accepted");
  const line = (f) => `- ${f.claim ? `Claim ${f.claim}` : "Claim set"}, ${f.severity}` +
    `${accepted(f) ? ", accepted by the reviewer" : ""} (${f.rule}): ${f.message}. Fix: ${f.fix}`;
  const kept = answer.findings.filter((f) => !decidedAs("ignored")(f));
  const set = answer.findings.filter(decidedAs("ignored"));
  return [claimsText.trim(), "", `Findings (${kept.length}):`, ...kept.map(line),
    ...(set.length ? ["", `Set aside by the reviewer (${set.length}):`, ...set.map(line)] : []),
    ""].join("\n");
}

function download(name, blob) {
  const link = el("a", { href: URL.createObjectURL(blob), download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

function exportBar(claimsText, description, answer) {
  const status = el("span", { class: "hint", "aria-live": "polite" });
  const copy = el("button", { type: "button", onclick: async () => {
    await navigator.clipboard.writeText(asText(claimsText, answer));
    status.textContent = "Copied the claims and findings.";
  } }, "Copy");
  const text = el("button", { type: "button", onclick: () => {
    download("claims.txt", new Blob([asText(claimsText, answer)], { type: "text/plain" }));
    status.textContent = "Saved claims.txt.";
  } }, "Save as text");
  const word = el("button", { type: "button", onclick: async () => {
    clearError();
    try {
      const ref = (f) => ({ claim: f.claim, rule: f.rule, words: f.words || "" });
      const body = { claims: claimsText, export: "docx",
        ignored: answer.findings.filter(decidedAs("ignored")).map(ref),
        accepted: answer.findings.filter(decidedAs("accepted")).map(ref) };
      if (description && description.trim()) body.description = description;
      const { response } = await post("/v1/patents/check", body);
      const bytes = Uint8Array.from(atob((await response.json()).docx), (c) => c.charCodeAt(0));
      download("claims.docx", new Blob([bytes], { type:
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" }));
      status.textContent = "Saved claims.docx.";
    } catch (error) {
      showError(error.message);
    }
  } }, "Save as Word");
  return el("div", { class: "row export", role: "group", "aria-label": "Export the claim set" },
    copy, text, word, status);
}

/** The editable claim set under a draft: edit any claim, the findings follow. */
export function editableClaims(claimsText, description) {
  const id = `edit-${Math.random().toString(36).slice(2, 8)}`;
  const area = el("textarea", { id, class: "claims-edit", rows: "8", spellcheck: "false" });
  area.value = claimsText;
  const out = el("div", { class: "checked", "aria-live": "polite" });
  liveCheck(area, out, () => description, "Checker findings");
  return { node: el("div", { class: "workspace" },
    el("label", { for: id }, "Claims (edit them: the findings update as you type)"), area, out),
  out, editor: area };
}

/** The check tab: check on submit, then again on every edit of the claims. */
export async function checkClaims() {
  clearError();
  const out = $("check-result");
  try {
    out.replaceChildren(el("p", { class: "busy" }, "Checking…"));
    await checkInto(out, $("claims-text").value, $("description-text").value, "Findings",
      $("claims-text"));
  } catch (error) {
    out.replaceChildren();
    showError(error.message);
  }
}

export function setupCheckTab() {
  liveCheck($("claims-text"), $("check-result"), () => $("description-text").value, "Findings");
}
