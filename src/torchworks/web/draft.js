/* Draft: a disclosure -> a claim set built from the disclosure's own words by the server's
 * drafting pipeline (strictly checked and repaired there), shown as an editable claim set that
 * re-checks itself, with a note on the model behind it and any claim the repair dropped. */
import { clearError, logCall, post, showError, timing } from "./api.js";
import { $, el } from "./dom.js";
import { checkInto, editableClaims } from "./workspace.js";

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
    const workspace = editableClaims(drafted.claims, disclosure);
    const parts = [
      el("h2", {}, "Drafted claims"),
      el("p", { class: "note", role: "note" }, drafted.note),
      timing(ms, null, ` · the invention: “${drafted.subject}”`),
      workspace.node,
    ];
    if (drafted.dropped.length) {
      parts.push(el("details", { class: "dropped" },
        el("summary", {}, `Left out by the strict check (${drafted.dropped.length})`),
        el("ul", {}, ...drafted.dropped.map((text) => el("li", {}, text)))));
    }
    out.replaceChildren(...parts);
    await checkInto(workspace.out, drafted.claims, disclosure, "Checker findings",
      workspace.editor);
  } catch (error) {
    out.replaceChildren();
    showError(error.message);
  }
}
