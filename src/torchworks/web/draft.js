/* Draft: a disclosure -> a claim set built from the disclosure's own words by the server's
 * drafting pipeline (strictly checked and repaired there), shown with the checker's findings,
 * a note on the model behind it, and any claim the repair had to drop. */
import { clearError, logCall, post, showError, timing } from "./api.js";
import { check, claimsView } from "./claims.js";
import { $, el } from "./dom.js";

export async function draft() {
  clearError();
  const out = $("draft-result");
  const disclosure = $("disclosure-text").value;
  out.replaceChildren(el("p", { class: "busy" }, "Drafting…"));
  try {
    const { response, ms, version } = await post("/v1/patents/draft", {
      disclosure, dependents: Number($("draft-dependents").value || 4),
    });
    const drafted = await response.json();
    logCall("/v1/patents/draft", response.status, ms, version);
    const checked = await check(drafted.claims, disclosure);
    const parts = [
      el("h2", {}, "Drafted claims"),
      el("p", { class: "note", role: "note" }, drafted.note),
      timing(ms, version, ` · subject “${drafted.subject}”`),
      el("pre", { class: "draft" }, drafted.claims),
      el("h2", {}, "Checker findings"),
      claimsView(drafted.claims, checked.answer),
    ];
    if (drafted.dropped.length) {
      parts.push(el("h3", {}, "Left out by the strict check"),
        el("ul", { class: "dropped" }, ...drafted.dropped.map((text) => el("li", {}, text))));
    }
    out.replaceChildren(...parts);
  } catch (error) {
    out.replaceChildren();
    showError(error.message);
  }
}
