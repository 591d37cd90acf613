/* The patent workbench: plain DOM, no framework, no build step.
 *
 * Every piece of model or user text reaches the page through textContent / createTextNode
 * (el() below), never innerHTML, so a patent containing "<script>" stays text.
 * Calls go to the same origin that served the page (`torchworks serve`), with the API key from
 * sessionStorage as "Authorization: Bearer"; the draft stream is read with fetch + a
 * ReadableStream because EventSource can neither POST nor send headers.
 */
"use strict";

const KEY_STORAGE = "torchworks.apiKey";
const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) {
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
  return node;
}

/* ---------- errors, calls, models ---------- */

class CallError extends Error {}

function showError(message) {
  const box = $("error");
  box.replaceChildren(el("strong", {}, "Error: "), message);
  box.hidden = false;
}

function clearError() {
  $("error").hidden = true;
  $("error").replaceChildren();
}

function logCall(path, status, ms, version) {
  const what = status ? `HTTP ${status}` : "no answer";
  const model = version ? ` · model version ${version}` : "";
  const item = el("li", {}, `POST ${path} → ${what} in ${ms.toFixed(0)} ms${model}`);
  $("calls").prepend(item);
  while ($("calls").children.length > 20) $("calls").lastChild.remove();
}

function headers(json = true) {
  const h = json ? { "Content-Type": "application/json" } : {};
  const key = sessionStorage.getItem(KEY_STORAGE);
  if (key) h.Authorization = `Bearer ${key}`;
  return h;
}

async function explain(response) {
  let body = {};
  try { body = await response.json(); } catch (_) { /* not JSON: use the status alone */ }
  const detail = typeof body.detail === "string" ? body.detail : "";
  switch (response.status) {
    case 401:
      return sessionStorage.getItem(KEY_STORAGE)
        ? "The server does not know this API key. Check the key in the “API key” field."
        : "This server needs an API key. Enter it in the “API key” field at the top.";
    case 403:
      return `This API key is not allowed here: ${detail}`;
    case 413:
      return `The document is too large for this server (${detail || "413"}). ` +
        "Send a shorter document, or start the server with a larger --max-body-bytes.";
    case 400: case 422: {
      const message = body.message || (Array.isArray(body.detail)
        ? body.detail.map((d) => d.msg).join("; ") : detail);
      return `The server refused the input: ${message}`;
    }
    default:
      return `The server answered ${response.status}: ${detail || response.statusText}`;
  }
}

/** POST JSON; returns {response, ms}. Throws CallError with a message a person can act on. */
async function post(path, payload, signal) {
  const start = performance.now();
  let response;
  try {
    response = await fetch(path, { method: "POST", headers: headers(), signal,
                                   body: JSON.stringify(payload) });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    logCall(path, 0, performance.now() - start, null);
    throw new CallError(`Cannot reach the server at ${location.origin}: is ` +
      "`torchworks serve` still running? (" + error.message + ")");
  }
  const ms = performance.now() - start;
  if (!response.ok) {
    logCall(path, response.status, ms, response.headers.get("X-Model-Version"));
    throw new CallError(await explain(response));
  }
  return { response, ms, version: response.headers.get("X-Model-Version") };
}

async function refreshModels() {
  const box = $("models");
  try {
    const response = await fetch("/v1/models", { headers: headers(false) });
    if (!response.ok) {
      box.textContent = `Models: ${await explain(response)}`;
      return;
    }
    const models = await response.json();
    box.replaceChildren("Models: ", ...models.map((m, i) => el("span", { class: "model" },
      i ? " · " : "", el("strong", {}, m.name), ` v${m.serving_version ?? "—"}`)));
  } catch (error) {
    box.textContent = `Models: cannot reach the server (${error.message})`;
  }
}

/** The summarize request's schema says which methods this server offers. */
async function loadMethods() {
  try {
    const spec = await (await fetch("/openapi.json")).json();
    const method = spec.components.schemas.SummarizeRequest.properties.method;
    const allowed = method && (method.enum || (method.anyOf || []).flatMap((a) => a.enum || []));
    if (allowed && allowed.length) {
      for (const option of $("summary-method").options) option.disabled = !allowed.includes(option.value);
      return;
    }
  } catch (_) { /* no schema: fall through */ }
  $("summary-method").disabled = true;
  $("method-note").textContent = "this server summarizes with its loaded model only";
}

/* ---------- shared rendering ---------- */

function timing(ms, version, extra = "") {
  return el("p", { class: "meta" }, `${ms.toFixed(0)} ms`,
    version ? ` · model version ${version}` : "", extra);
}

/** Collapse whitespace, keeping for each kept character its offset in the original. */
function normalize(text) {
  let out = "";
  const map = [];
  let space = true;
  for (let i = 0; i < text.length; i++) {
    if (/\s/.test(text[i])) {
      if (!space) { out += " "; map.push(i); space = true; }
    } else { out += text[i]; map.push(i); space = false; }
  }
  return { text: out, map };
}

/** Text with [start, end) ranges wrapped in <mark>; ranges may overlap (merged). */
function marked(text, ranges, markAttrs = {}) {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const merged = [];
  for (const r of sorted) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([...r]);
  }
  const parts = [];
  let at = 0;
  for (const [s, e] of merged) {
    parts.push(text.slice(at, s), el("mark", markAttrs, text.slice(s, e)));
    at = e;
  }
  parts.push(text.slice(at));
  return parts;
}

async function readInto(input) {
  const file = input.files[0];
  if (!file) return;
  $(input.dataset.target).value = await file.text();
  $(input.dataset.target).dataset.name = file.name;
}

/* ---------- summarize ---------- */

/** The request body and the text shown as the source, from pasted text, XML or JSON. */
function patentRequest(raw, name) {
  const text = raw.trim();
  const id = (name || "document").slice(0, 200);
  if (text.startsWith("{") || text.startsWith("[")) {
    let record;
    try {
      record = JSON.parse(text);
    } catch (_) {
      try { record = JSON.parse(text.split("\n")[0]); } catch (error) {
        throw new CallError(`The JSON does not parse: ${error.message}`);
      }
    }
    if (Array.isArray(record)) record = record[0];
    if (!record || (typeof record.description !== "string" && typeof record.text !== "string")) {
      throw new CallError("The JSON needs a \"description\" (with optional \"claims\", \"title\") or a \"text\" field.");
    }
    if (typeof record.text === "string") return { body: { id, text: record.text }, source: record.text };
    const claims = Array.isArray(record.claims) ? record.claims.map(String)
      : (record.claims ? [String(record.claims)] : []);
    return {
      body: { id, description: record.description, claims, title: String(record.title || "") },
      source: [record.title || "", record.description, ...claims].filter(Boolean).join("\n\n"),
    };
  }
  return { body: { id, text }, source: text.startsWith("<") ? xmlText(text) : text };
}

/** The readable text of an XML patent (one line per text node), or the XML itself. */
function xmlText(xml) {
  const doc = new DOMParser().parseFromString(xml, "application/xml");
  if (doc.getElementsByTagName("parsererror").length) return xml;
  const walker = doc.createTreeWalker(doc.documentElement, NodeFilter.SHOW_TEXT);
  const lines = [];
  while (walker.nextNode()) {
    const t = walker.currentNode.nodeValue.trim();
    if (t) lines.push(t);
  }
  return lines.join("\n");
}

/** Ranges of `source` holding the summary's sentences (whitespace-insensitive). */
function sentenceRanges(source, summary) {
  const norm = normalize(source);
  const ranges = [];
  const found = [];
  for (const sentence of summary.split(/(?<=[.!?;])\s+/)) {
    const s = normalize(sentence).text;
    if (s.length < 3) continue;
    const at = norm.text.indexOf(s);
    found.push({ sentence, found: at >= 0 });
    if (at >= 0) ranges.push([norm.map[at], norm.map[at + s.length - 1] + 1]);
  }
  return { ranges, found };
}

async function summarize(event) {
  event.preventDefault();
  clearError();
  const out = $("summarize-result");
  try {
    const { body, source } = patentRequest($("patent-text").value, $("patent-text").dataset.name);
    body.words = Number($("summary-words").value) || 150;
    if (!$("summary-method").disabled) body.method = $("summary-method").value;
    out.replaceChildren(el("p", { class: "busy" }, "Summarizing…"));
    const { response, ms, version } = await post("/v1/patents/summarize", body);
    const answer = await response.json();
    logCall("/v1/patents/summarize", response.status, ms, version);
    const { ranges, found } = sentenceRanges(source, answer.summary);
    out.replaceChildren(
      el("h2", {}, "Summary"),
      timing(ms, version, ` · method ${answer.method} · ${answer.words} words · ` +
        `${ranges.length} of ${found.length} sentences found in the source`),
      el("ol", { class: "summary" }, found.map((f) => el("li", { class: f.found ? "hit" : "" }, f.sentence))),
      el("h2", {}, "Source, with the chosen sentences highlighted"),
      el("div", { class: "source", tabindex: "0", "aria-label": "Patent source" },
        marked(source, ranges, { class: "chosen" })),
    );
    const first = out.querySelector("mark.chosen");
    if (first) first.scrollIntoView({ block: "nearest" });
  } catch (error) {
    out.replaceChildren();
    showError(error.message);
  }
}

/* ---------- claims: split, tree, findings ---------- */

/** [{number, text, prefix}] from a claim set written "1. ... 2. ..." (one claim per number). */
function splitClaims(text) {
  const starts = [...text.matchAll(/(?:^|\n)\s*(\d+)\s*\.\s+/g)];
  return starts.map((m, i) => {
    const bodyStart = m.index + m[0].length;
    const end = i + 1 < starts.length ? starts[i + 1].index : text.length;
    return { number: Number(m[1]), text: text.slice(bodyStart, end).trim() };
  });
}

/** The claims a claim refers to ("of claim 2", "claims 1 or 3", "any of claims 1-4"). */
function parents(claimText) {
  const m = claimText.match(/\bclaims?\s+(\d+(?:\s*(?:,|or|and|to|through|-|–)\s*(?:claim\s+)?\d+)*)/i);
  if (!m) return [];
  const numbers = [];
  for (const part of m[1].split(/\s*(?:,|or|and)\s*/)) {
    const range = part.match(/(\d+)\s*(?:to|through|-|–)\s*(?:claim\s+)?(\d+)/);
    if (range) for (let n = Number(range[1]); n <= Number(range[2]); n++) numbers.push(n);
    else if (/\d+/.test(part)) numbers.push(Number(part.match(/\d+/)[0]));
  }
  return numbers;
}

function claimTree(claims, findings) {
  const known = new Set(claims.map((c) => c.number));
  const children = new Map();
  const roots = [];
  for (const claim of claims) {
    const refs = parents(claim.text);
    claim.refs = refs;
    const home = refs.find((n) => known.has(n) && n < claim.number);
    if (home === undefined) roots.push(claim);
    else children.set(home, [...(children.get(home) || []), claim]);
  }
  const node = (claim) => {
    const own = findings.filter((f) => f.claim === claim.number);
    const errors = own.filter((f) => f.severity === "error").length;
    const label = claim.refs.length ? `depends on ${claim.refs.join(", ")}` : "independent";
    const kids = children.get(claim.number) || [];
    return el("li", {},
      el("a", { href: `#claim-${claim.number}` }, `Claim ${claim.number}`), ` (${label})`,
      own.length ? el("span", { class: errors ? "badge error" : "badge" },
        ` ${own.length} finding${own.length > 1 ? "s" : ""}`) : null,
      kids.length ? el("ul", {}, kids.map(node)) : null);
  };
  return el("ul", { class: "tree", "aria-label": "Claim dependency tree" }, roots.map(node));
}

/** Where a finding's words sit in the claim body: the occurrence nearest its `start`. */
function locate(body, finding) {
  const words = (finding.words || "").toLowerCase();
  if (!words) return null;
  const lower = body.toLowerCase();
  let best = null;
  for (let at = lower.indexOf(words); at >= 0; at = lower.indexOf(words, at + 1)) {
    if (best === null || Math.abs(at - (finding.start ?? 0)) < Math.abs(best - (finding.start ?? 0))) best = at;
  }
  return best === null ? null : [best, best + words.length];
}

function showFinding(view, claim, finding, button) {
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

function findingButton(view, claim, finding) {
  const button = el("button", { type: "button", class: `finding ${finding.severity}`, "aria-pressed": "false" },
    el("span", { class: "sev" }, finding.severity), ` ${finding.rule}: ${finding.message}`);
  button.addEventListener("click", () => showFinding(view, claim, finding, button));
  return el("li", {}, button, el("div", { class: "fix" }, `Fix: ${finding.fix}`));
}

/** The claims with their findings inline, the dependency tree and set-level findings. */
function claimsView(claimsText, answer) {
  const claims = splitClaims(claimsText);
  const view = el("div", { class: "claims-view" });
  const loose = answer.findings.filter((f) => !claims.some((c) => c.number === f.claim));
  view.append(
    el("p", { class: "meta" }, `${answer.claims} claims · ${answer.errors} errors · ${answer.warnings} warnings`),
    el("p", { class: "finding-status", "aria-live": "polite" }, "Select a finding to highlight its words."),
    el("div", { class: "split" },
      el("div", {},
        el("h3", {}, "Claims and findings"),
        el("ol", { class: "claims" }, claims.map((claim) => el("li", { id: `claim-${claim.number}`, value: claim.number },
          el("p", { class: "claim-text", "data-text": claim.text }, claim.text),
          el("ul", { class: "findings" }, answer.findings.filter((f) => f.claim === claim.number)
            .map((f) => findingButton(view, claim, f)))))),
        loose.length ? el("h3", {}, "Findings on the whole set") : null,
        loose.length ? el("ul", { class: "findings" }, loose.map((f) => findingButton(view, null, f))) : null),
      el("div", {}, el("h3", {}, "Dependency tree"), claimTree(claims, answer.findings))),
  );
  return view;
}

async function check(claimsText, description) {
  const body = { claims: claimsText };
  if (description && description.trim()) body.description = description;
  const { response, ms, version } = await post("/v1/patents/check", body);
  const answer = await response.json();
  logCall("/v1/patents/check", response.status, ms, version);
  return { answer, ms, version };
}

async function checkClaims(event) {
  event.preventDefault();
  clearError();
  const out = $("check-result");
  const claimsText = $("claims-text").value;
  try {
    out.replaceChildren(el("p", { class: "busy" }, "Checking…"));
    const { answer, ms, version } = await check(claimsText, $("description-text").value);
    out.replaceChildren(el("h2", {}, "Findings"), timing(ms, version), claimsView(claimsText, answer));
  } catch (error) {
    out.replaceChildren();
    showError(error.message);
  }
}

/* ---------- draft (streamed) ---------- */

let drafting = null;

/** Yield each SSE `data:` payload of a fetch response body as it arrives. */
async function* sseData(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const event = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const data = event.split("\n").filter((l) => l.startsWith("data:"))
        .map((l) => l.slice(5).replace(/^ /, "")).join("\n");
      if (data) yield data;
    }
  }
}

async function draft(event) {
  event.preventDefault();
  clearError();
  const out = $("draft-result");
  const disclosure = $("disclosure-text").value;
  drafting = new AbortController();
  $("draft-stop").disabled = false;
  const streamed = el("span", { class: "streamed" });
  const meta = el("p", { class: "meta" }, "Waiting for the first token…");
  out.replaceChildren(el("h2", {}, "Drafted claim (streaming)"), meta,
    el("div", { class: "draft", "aria-busy": "true" }, streamed));
  const start = performance.now();
  let tokens = 0;
  let first = null;
  try {
    const { response, version } = await post("/v1/patents/draft", {
      disclosure, stream: true, max_new_tokens: Number($("draft-tokens").value) || 160,
    }, drafting.signal);
    let final = null;
    for await (const data of sseData(response)) {
      if (data === "[DONE]") break;
      const message = JSON.parse(data);
      if (message.error) throw new CallError(`The model failed while drafting: ${message.error}`);
      if (message.done) { final = message; continue; }
      tokens += 1;
      first = first ?? performance.now() - start;
      streamed.append(message.text);
      meta.textContent = `${tokens} tokens · first after ${first.toFixed(0)} ms`;
    }
    const ms = performance.now() - start;
    logCall("/v1/patents/draft", response.status, ms, version);
    const text = final ? final.text : streamed.textContent;
    const claimsText = /^\s*1\s*\./.test(text) ? text.trim() : `1. ${text.trim()}`;
    out.querySelector(".draft").setAttribute("aria-busy", "false");
    out.querySelector("h2").textContent = "Drafted claim";
    meta.textContent = `${tokens} tokens in ${ms.toFixed(0)} ms (first after ${(first ?? ms).toFixed(0)} ms)` +
      (version ? ` · model version ${version}` : "") + (final ? ` · ended by ${final.finish_reason}` : "");
    const checked = await check(claimsText, disclosure);
    out.append(el("h2", {}, "Checker findings"), timing(checked.ms, checked.version),
      claimsView(claimsText, checked.answer));
  } catch (error) {
    if (error.name === "AbortError") meta.textContent = `Stopped after ${tokens} tokens.`;
    else showError(error.message);
  } finally {
    $("draft-stop").disabled = true;
    drafting = null;
  }
}

/* ---------- tabs and start-up ---------- */

function selectTab(tab, focus = true) {
  for (const t of document.querySelectorAll("[role=tab]")) {
    const on = t === tab;
    t.setAttribute("aria-selected", String(on));
    t.tabIndex = on ? 0 : -1;
    $(t.getAttribute("aria-controls")).hidden = !on;
  }
  if (focus) tab.focus();
  history.replaceState(null, "", `#${tab.id.slice(4)}`);
}

function setupTabs() {
  const tabs = [...document.querySelectorAll("[role=tab]")];
  for (const tab of tabs) {
    tab.addEventListener("click", () => selectTab(tab));
    tab.addEventListener("keydown", (event) => {
      const i = tabs.indexOf(tab);
      const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[event.key];
      if (next === undefined) return;
      event.preventDefault();
      selectTab(tabs[(next + tabs.length) % tabs.length]);
    });
  }
  const wanted = $(`tab-${location.hash.slice(1)}`);
  if (wanted) selectTab(wanted, false);
}

function start() {
  setupTabs();
  const key = $("api-key");
  key.value = sessionStorage.getItem(KEY_STORAGE) || "";
  key.addEventListener("input", () => {
    if (key.value.trim()) sessionStorage.setItem(KEY_STORAGE, key.value.trim());
    else sessionStorage.removeItem(KEY_STORAGE);
  });
  key.addEventListener("change", refreshModels);
  for (const input of document.querySelectorAll("input[type=file]")) {
    input.addEventListener("change", () => readInto(input).catch((e) => showError(e.message)));
  }
  $("summarize-form").addEventListener("submit", summarize);
  $("draft-form").addEventListener("submit", draft);
  $("check-form").addEventListener("submit", checkClaims);
  $("draft-stop").addEventListener("click", () => drafting && drafting.abort());
  refreshModels();
  loadMethods();
}

start();
