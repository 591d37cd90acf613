/* Claims: split a claim set, draw its dependency tree, show the checker's findings inline
 * (a click highlights the words concerned; a finding can be accepted, set aside, undone). */
import { el, marked } from "./dom.js";

/** One finding's identity across re-checks: the claim, the rule and the words. */
export function findingKey(finding) {
  return JSON.stringify([finding.claim ?? null, finding.rule, finding.words || ""]);
}

/** [{number, text}] from a claim set written "1. ... 2. ...": the texts shown and highlighted
 * (the dependency structure comes from the checker's answer). */
export function splitClaims(text) {
  const starts = [...text.matchAll(/(?:^|\n)\s*(\d+)\s*\.\s+/g)];
  return starts.map((m, i) => {
    const bodyStart = m.index + m[0].length;
    const end = i + 1 < starts.length ? starts[i + 1].index : text.length;
    return { number: Number(m[1]), text: text.slice(bodyStart, end).trim() };
  });
}

/** The dependency tree from the checker's parse ({number, kind, parents} per claim): a claim
 * hangs under its first earlier parent that exists; the others are roots. */
export function claimTree(claims, findings) {
  const known = new Set(claims.map((c) => c.number));
  const children = new Map();
  const roots = [];
  for (const claim of claims) {
    const home = claim.parents.find((n) => known.has(n) && n < claim.number);
    if (home === undefined) roots.push(claim);
    else children.set(home, [...(children.get(home) || []), claim]);
  }
  const node = (claim) => {
    const own = findings.filter((f) => f.claim === claim.number);
    const errors = own.filter((f) => f.severity === "error").length;
    const label = claim.kind === "dependent" ? `depends on ${claim.parents.join(", ")}` : "independent";
    const kids = children.get(claim.number) || [];
    return el("li", {},
      el("a", { href: `#claim-${claim.number}` }, `Claim ${claim.number}`), ` (${label})`,
      own.length ? el("span", { class: errors ? "badge bad" : "badge" },
        ` ${own.length} finding${own.length > 1 ? "s" : ""}`) : null,
      kids.length ? el("ul", {}, kids.map(node)) : null);
  };
  return el("ul", { class: "tree", "aria-label": "Claim dependency tree" }, roots.map(node));
}

/** Where a finding's words sit in the claim body: the occurrence nearest its `start`. */
export function locate(body, finding) {
  const words = (finding.words || "").toLowerCase();
  if (!words) return null;
  const lower = body.toLowerCase();
  let best = null;
  for (let at = lower.indexOf(words); at >= 0; at = lower.indexOf(words, at + 1)) {
    if (best === null || Math.abs(at - (finding.start ?? 0)) < Math.abs(best - (finding.start ?? 0))) best = at;
  }
  return best === null ? null : [best, best + words.length];
}

export function showFinding(view, claim, finding, button) {
  for (const b of view.querySelectorAll("button.finding[aria-pressed=true]")) b.setAttribute("aria-pressed", "false");
  button.setAttribute("aria-pressed", "true");
  for (const t of view.querySelectorAll(".claim-text")) t.replaceChildren(t.dataset.text);
  if (!claim) return;
  const target = view.querySelector(`#claim-${claim.number} .claim-text`);
  const range = locate(claim.text, finding);
  if (range) {
    target.replaceChildren(...marked(claim.text, [range], { class: "concerned" }));
    target.querySelector("mark").scrollIntoView({ block: "nearest" });
  }
  view.querySelector(".finding-status").textContent = range
    ? `Claim ${claim.number}: “${finding.words}” highlighted.`
    : `Claim ${claim.number}: the words “${finding.words}” are not in the claim text as shown.`;
}

const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

const PLAIN_SEVERITY = { error: "Problem", warning: "Check", info: "Note" };

const DECISION_LABEL = { accepted: "Accepted", ignored: "Set aside" };

/** One finding: its button (click highlights the words), the reviewer's actions (accept, set
 * aside, undo; "Edit" jumps to the words in the editor when there is one) and its fix. */
export function findingButton(view, claim, finding, { onDecide = null, onEdit = null, state = null } = {}) {
  const button = el("button", { type: "button", class: `finding ${finding.severity}`, "aria-pressed": "false" },
    el("span", { class: "sev" }, PLAIN_SEVERITY[finding.severity] || finding.severity),
    state ? el("span", { class: `decision ${state}` }, ` ${DECISION_LABEL[state]}`) : null,
    ` ${finding.message}`);
  button.addEventListener("click", () => showFinding(view, claim, finding, button));
  const action = (label, next) => el("button", { type: "button", class: "review",
    "aria-label": `${label}: ${finding.message}`, onclick: () => onDecide(finding, next) }, label);
  const actions = [];
  if (onEdit) {
    actions.push(el("button", { type: "button", class: "review",
      "aria-label": `Edit the words: ${finding.message}`, onclick: () => {
        const found = onEdit(finding);
        view.querySelector(".finding-status").textContent = found
          ? `Claim ${finding.claim ?? ""}: “${finding.words}” selected in the editor.`
          : `The words “${finding.words}” are not in the editor; the claim is selected instead.`;
      } }, "Edit"));
  }
  if (onDecide) {
    if (state === "accepted") actions.push(action("Undo accept", null));
    else if (state === "ignored") actions.push(action("Restore", null));
    else actions.push(action("Accept", "accepted"), action("Set aside", "ignored"));
  }
  return el("li", { "data-rule": finding.rule, "data-decision": state || "open" }, button, ...actions,
    el("div", { class: "fix" }, `Fix: ${finding.fix}`));
}

/** The claims with their findings inline, the dependency tree and set-level findings.
 * `decisions` maps finding keys to "accepted" (kept in place, marked) or "ignored" (they leave
 * the claims and wait, listed, under "Set aside" until restored); `onDecide(finding, state)`
 * records a change, `onEdit(finding)` jumps to the words in the editor. */
export function claimsView(claimsText, answer, { decisions = new Map(), onDecide = null, onEdit = null } = {}) {
  const claims = splitClaims(claimsText);
  const view = el("div", { class: "claims-view" });
  const stateOf = (f) => decisions.get(findingKey(f)) || null;
  const live = answer.findings.filter((f) => stateOf(f) !== "ignored");
  const aside = answer.findings.filter((f) => stateOf(f) === "ignored");
  const accepted = live.filter((f) => stateOf(f) === "accepted").length;
  const loose = live.filter((f) => !claims.some((c) => c.number === f.claim));
  const errors = live.filter((f) => f.severity === "error").length;
  const warnings = live.filter((f) => f.severity === "warning").length;
  const item = (claim, f) => findingButton(view, claim, f, { onDecide, onEdit, state: stateOf(f) });
  view.append(
    el("p", { class: "meta" }, `${plural(answer.claims.length, "claim")} · ${plural(errors, "problem")} · ${warnings} to check` +
      (accepted ? ` · ${accepted} accepted` : "") + (aside.length ? ` · ${aside.length} set aside` : "")),
    el("p", { class: "finding-status", "aria-live": "polite" }, "Select a finding to highlight its words."),
    el("div", { class: "split" },
      el("div", {},
        el("h3", {}, "Claims and findings"),
        el("ol", { class: "claims" }, claims.map((claim) => el("li", { id: `claim-${claim.number}`, value: claim.number },
          el("p", { class: "claim-text", "data-text": claim.text }, claim.text),
          el("ul", { class: "findings" }, live.filter((f) => f.claim === claim.number)
            .map((f) => item(claim, f)))))),
        loose.length ? el("h3", {}, "Findings on the whole set") : null,
        loose.length ? el("ul", { class: "findings" }, loose.map((f) => item(null, f))) : null,
        aside.length ? el("details", { class: "aside" }, el("summary", {}, `Set aside (${aside.length})`),
          el("ul", { class: "findings" }, aside.map((f) => item(
            claims.find((c) => c.number === f.claim) || null, f)))) : null),
      el("div", {}, el("h3", {}, "Dependency tree"), claimTree(answer.claims, live))),
  );
  return view;
}
