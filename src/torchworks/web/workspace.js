/* The claim workspace: an editable claim set that re-checks itself as you type, findings you
 * can set aside (remembered for this browser session), and export: copy, plain text, Word.
 * Used by the draft result and the check tab alike, so a drafted claim is edited and
 * re-checked where it stands. */
import { clearError, logCall, post, showError, timing } from "./api.js";
import { claimsView, findingKey } from "./claims.js";
import { $, el } from "./dom.js";

const IGNORED_STORAGE = "torchworks.ignoredFindings";
const RECHECK_DELAY_MS = 60;

export function ignoredKeys() {
  try { return new Set(JSON.parse(sessionStorage.getItem(IGNORED_STORAGE) || "[]")); }
  catch (_) { return new Set(); }
}

export function setIgnored(finding, ignored) {
  const keys = ignoredKeys();
  if (ignored) keys.add(findingKey(finding)); else keys.delete(findingKey(finding));
  sessionStorage.setItem(IGNORED_STORAGE, JSON.stringify([...keys]));
}

/** Check `claimsText` (with `description` for support) and draw the findings into `out`. */
export async function checkInto(out, claimsText, description, heading = "Findings") {
  const body = { claims: claimsText };
  if (description && description.trim()) body.description = description;
  const started = performance.now();
  const { response, ms, version } = await post("/v1/patents/check", body);
  const answer = await response.json();
  logCall("/v1/patents/check", response.status, ms, version);
  const redraw = () => out.replaceChildren(el("h2", {}, heading), timing(ms, version),
    claimsView(claimsText, answer, { ignored: ignoredKeys(), onIgnore: (f, on) => {
      setIgnored(f, on);
      redraw();
    } }),
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
        await checkInto(staged, text, description(), heading);
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

/** Plain text of a claim set with its findings (those not set aside, then those set aside). */
export function asText(claimsText, answer) {
  const ignored = ignoredKeys();
  const line = (f) => `- ${f.claim ? `Claim ${f.claim}` : "Claim set"}, ${f.severity} ` +
    `(${f.rule}): ${f.message}. Fix: ${f.fix}`;
  const kept = answer.findings.filter((f) => !ignored.has(findingKey(f)));
  const set = answer.findings.filter((f) => ignored.has(findingKey(f)));
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
      const ignored = answer.findings.filter((f) => ignoredKeys().has(findingKey(f)))
        .map((f) => ({ claim: f.claim, rule: f.rule, words: f.words || "" }));
      const body = { claims: claimsText, export: "docx", ignored };
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
  out };
}

/** The check tab: check on submit, then again on every edit of the claims. */
export async function checkClaims() {
  clearError();
  const out = $("check-result");
  try {
    out.replaceChildren(el("p", { class: "busy" }, "Checking…"));
    await checkInto(out, $("claims-text").value, $("description-text").value);
  } catch (error) {
    out.replaceChildren();
    showError(error.message);
  }
}

export function setupCheckTab() {
  liveCheck($("claims-text"), $("check-result"), () => $("description-text").value, "Findings");
}
