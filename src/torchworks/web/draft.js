/* Draft: a disclosure -> a claim set streamed token by token: claim 1 ("1. A … comprising:"),
 * then the dependents ("N. The … of claim 1, wherein"), preambles included (they come from the
 * server; fetch + ReadableStream: EventSource can neither POST nor send headers), then the
 * checker's findings on the whole set. */
import { CallError, clearError, logCall, post, showError, sseData, timing, versionLabel } from "./api.js";
import { check, claimsView } from "./claims.js";
import { $, el } from "./dom.js";

let drafting = null;

export function stopDraft() {
  if (drafting) drafting.abort();
}

export async function draft() {
  clearError();
  const out = $("draft-result");
  const disclosure = $("disclosure-text").value;
  drafting = new AbortController();
  $("draft-stop").disabled = false;
  const streamed = el("span", { class: "streamed" });
  const meta = el("p", { class: "meta" }, "Waiting for the first token…");
  out.replaceChildren(el("h2", {}, "Drafted claims (streaming)"), meta,
    el("div", { class: "draft", "aria-busy": "true" }, streamed));
  const start = performance.now();
  let tokens = 0;
  let first = null;
  try {
    const { response, version } = await post("/v1/patents/draft", {
      disclosure, stream: true, max_new_tokens: Number($("draft-tokens").value) || 768,
      dependents: Number($("draft-dependents").value || 3),
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
    const claimsText = (final ? final.text : streamed.textContent).trim();
    out.querySelector(".draft").setAttribute("aria-busy", "false");
    out.querySelector("h2").textContent = "Drafted claims";
    meta.textContent = `${tokens} tokens in ${ms.toFixed(0)} ms (first after ${(first ?? ms).toFixed(0)} ms)` +
      (version ? ` · model ${versionLabel(version)}` : "") + (final ? ` · ended by ${final.finish_reason}` : "");
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

