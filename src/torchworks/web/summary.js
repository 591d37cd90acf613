/* Summarize: a patent (text, USPTO XML or JSON) -> its summary, with the chosen sentences
 * highlighted in the source. */
import { CallError, clearError, logCall, post, showError, timing } from "./api.js";
import { $, el, marked, normalize } from "./dom.js";

/** The summarize request's schema says which methods this server offers. */
export async function loadMethods() {
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

/** The request body and the text shown as the source, from pasted text, XML or JSON. */
export function patentRequest(raw, name) {
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
    const number = typeof record.id === "string" && record.id.trim() ? record.id.trim().slice(0, 200) : id;
    if (typeof record.text === "string") return { body: { id: number, text: record.text }, source: record.text };
    const claims = Array.isArray(record.claims) ? record.claims.map(String)
      : (record.claims ? [String(record.claims)] : []);
    return {
      body: { id: number, description: record.description, claims, title: String(record.title || "") },
      source: [record.title || "", record.description, ...claims].filter(Boolean).join("\n\n"),
    };
  }
  return { body: { id, text }, source: text.startsWith("<") ? xmlText(text) : text };
}

/* The parts of a USPTO document worth reading, in its three generations of tag names. */
export const XML_PARTS = /^(abstract|description|claims|subdoc-(abstract|description|claims)|sdoab|sdode|sdocl)$/i;
export const XML_INLINE = /^(b|i|u|o|sub|sup|smallcaps|figref|claim-ref|crossref|bold|italic|highlight|ital|sb|sp|chem)$/i;

/** The readable text of an XML patent: its abstract, description and claims as lines of
 * text (inline markup such as <b> or <sub> joins its neighbours), or the XML itself. */
export function xmlText(xml) {
  const doc = new DOMParser().parseFromString(xml, "application/xml");
  if (doc.getElementsByTagName("parsererror").length) return xml;
  const parts = [...doc.getElementsByTagName("*")].filter((e) => XML_PARTS.test(e.localName))
    .filter((e, _, all) => !all.some((other) => other !== e && other.contains(e)));
  let text = "";
  for (const part of parts.length ? parts : [doc.documentElement]) {
    const walker = doc.createTreeWalker(part, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode;
      const prev = node.previousSibling;
      const inline = XML_INLINE.test(node.parentNode.localName) ||
        (prev !== null && prev.nodeType === Node.ELEMENT_NODE && XML_INLINE.test(prev.localName));
      text += inline ? node.nodeValue : `\n${node.nodeValue}`;
    }
    text += "\n";
  }
  return text.split("\n").map((line) => line.trim()).filter(Boolean).join("\n");
}

/** Ranges of `source` holding the summary's sentences (whitespace-insensitive): the
 * server's list of chosen sentences when it sends one, else the summary split at . ! ? ; */
export function sentenceRanges(source, summary, sentences) {
  const norm = normalize(source);
  const ranges = [];
  const found = [];
  const parts = Array.isArray(sentences) && sentences.length ? sentences
    : summary.split(/(?<=[.!?;])\s+/);
  for (const sentence of parts) {
    const s = normalize(sentence).text;
    if (s.length < 3) continue;
    const at = norm.text.indexOf(s);
    found.push({ sentence, found: at >= 0 });
    if (at >= 0) ranges.push([norm.map[at], norm.map[at + s.length - 1] + 1]);
  }
  return { ranges, found };
}

/* A USPTO XML file read from disk: the box shows its readable text, the server gets the XML
 * (its number, date and sections come from the markup) until the text is edited. */
let loadedXml = null;

export async function loadPatentFile(input) {
  const file = input.files[0];
  if (!file) return;
  const raw = await file.text();
  const box = $("patent-text");
  box.dataset.name = file.name;
  loadedXml = raw.trimStart().startsWith("<") ? { raw, shown: xmlText(raw) } : null;
  box.value = loadedXml ? loadedXml.shown : raw;
  $("patent-note").textContent = loadedXml
    ? `${file.name}: USPTO XML, shown as text; the server reads the XML itself (edit the ` +
      "text to send the text instead)." : `${file.name} loaded.`;
}

function documentCard(document) {
  const sections = document.sections.filter((s) => s.words)
    .map((s) => `${s.heading || s.kind} (${s.words.toLocaleString()} words)`);
  const row = (term, value) => (value ? [el("dt", {}, term), el("dd", {}, value)] : []);
  return el("dl", { class: "document", "aria-label": "The patent as read" },
    ...row("Number", document.number), ...row("Title", document.title),
    ...row("Published", document.date),
    ...row("Sections", sections.join(" · ") || "none found"),
    ...row("Claims", String(document.claims)),
    ...row("Length", `${document.words.toLocaleString()} words`));
}

export async function summarize() {
  clearError();
  const out = $("summarize-result");
  try {
    const box = $("patent-text");
    const raw = loadedXml && box.value === loadedXml.shown ? loadedXml.raw : box.value;
    const { body, source } = patentRequest(raw, box.dataset.name);
    body.words = Number($("summary-words").value) || 150;
    if (!$("summary-method").disabled) body.method = $("summary-method").value;
    out.replaceChildren(el("p", { class: "busy" }, "Summarizing…"));
    const { response, ms, version } = await post("/v1/patents/summarize", body);
    const answer = await response.json();
    logCall("/v1/patents/summarize", response.status, ms, version);
    const { ranges, found } = sentenceRanges(source, answer.summary, answer.sentences);
    out.replaceChildren(
      ...(answer.document ? [el("h2", {}, "The patent"), documentCard(answer.document)] : []),
      el("h2", {}, "Summary"),
      timing(ms, null, ` · method ${answer.method} · ${answer.words} words · ` +
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

