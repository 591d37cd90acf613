/* Calls to the server that served this page: the API key, error messages a person can act on,
 * the call log with latencies, and the list of services ready on the server. */
import { $, el } from "./dom.js";

export const KEY_STORAGE = "torchworks.apiKey";
/* What each service is, in an attorney's words; the technical name stays in the tooltip. */
const PLAIN_NAMES = {
  "patents-summarize": "Summarizer", "patents-check": "Claim checker",
  "patents-draft": "Claim drafter", "rec-recommend": "Recommender",
  "smollm2-135m-instruct": "Language model (SmolLM2, demo)",
};
/* ---------- errors, calls, models ---------- */

export class CallError extends Error {}

export function showError(message) {
  const box = $("error");
  box.replaceChildren(el("strong", {}, "Something went wrong: "), message);
  box.hidden = false;
}

export function clearError() {
  $("error").hidden = true;
  $("error").replaceChildren();
}

export function logCall(path, status, ms, version) {
  const what = status ? `HTTP ${status}` : "no answer";
  const model = version ? ` · model ${versionLabel(version)}` : "";
  const item = el("li", {}, `POST ${path} → ${what} in ${ms.toFixed(0)} ms${model}`);
  $("calls").prepend(item);
  while ($("calls").children.length > 20) $("calls").lastChild.remove();
}

export function headers(json = true) {
  const h = json ? { "Content-Type": "application/json" } : {};
  const key = sessionStorage.getItem(KEY_STORAGE);
  if (key) h.Authorization = `Bearer ${key}`;
  return h;
}

export async function explain(response) {
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
export async function post(path, payload, signal) {
  const start = performance.now();
  let response;
  try {
    response = await fetch(path, { method: "POST", headers: headers(), signal,
                                   body: JSON.stringify(payload) });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    logCall(path, 0, performance.now() - start, null);
    throw new CallError(`Cannot reach the server at ${location.origin} (${error.message}). ` +
      "Is “torchworks serve” still running? Start it again, then retry.");
  }
  const ms = performance.now() - start;
  if (!response.ok) {
    logCall(path, response.status, ms, response.headers.get("X-Model-Version"));
    throw new CallError(await explain(response));
  }
  return { response, ms, version: response.headers.get("X-Model-Version") };
}

/** "v2" for a registry version, "(embedded)" for a package's built-in model. */
export function versionLabel(version) {
  if (version === null || version === undefined) return "(not loaded)";
  return /^\d+$/.test(version) ? `v${version}` : `(${version})`;
}

export async function refreshModels() {
  const box = $("models");
  try {
    const response = await fetch("/v1/models", { headers: headers(false) });
    if (!response.ok) {
      box.textContent = `Services: ${await explain(response)}`;
      return;
    }
    const models = await response.json();
    box.replaceChildren("Ready here: ", ...models.map((m, i) => el("span", { class: "model",
      title: `${m.name} ${versionLabel(m.serving_version)}` },
      i ? " · " : "", el("strong", {}, PLAIN_NAMES[m.name] || m.name))));
  } catch (error) {
    box.textContent = `Services: cannot reach the server (${error.message})`;
  }
}

export function timing(ms, version, extra = "") {
  return el("p", { class: "meta" }, `${ms.toFixed(0)} ms`,
    version ? ` · model ${versionLabel(version)}` : "", extra);
}
