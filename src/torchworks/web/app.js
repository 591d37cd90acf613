/* The patent workbench: plain ES modules, no framework, no build step.
 *
 * summary.js, draft.js and workspace.js (with claims.js) hold one task each; samples.js the
 * sample inputs; api.js talks to the server that served
 * this page (`torchworks serve`), with the API key from sessionStorage as "Authorization:
 * Bearer"; dom.js builds elements from text nodes only. This file wires the tabs and forms.
 */
import { KEY_STORAGE, refreshModels, showError } from "./api.js";
import { $, readInto, whileBusy } from "./dom.js";
import { draft } from "./draft.js";
import { SAMPLES } from "./samples.js";
import { loadMethods, loadPatentFile, summarize } from "./summary.js";
import { checkClaims, setupCheckTab } from "./workspace.js";

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
    const read = input.id === "patent-file" ? loadPatentFile : readInto;
    input.addEventListener("change", () => read(input).catch((e) => showError(e.message)));
  }
  for (const [id, work] of [["summarize-form", summarize], ["draft-form", draft],
                            ["check-form", checkClaims]]) {
    $(id).addEventListener("submit", (event) => {
      event.preventDefault();
      whileBusy($(id), work);
    });
  }
  for (const button of document.querySelectorAll("button[data-sample]")) {
    button.addEventListener("click", () => {
      const sample = SAMPLES[button.dataset.sample];
      for (const [id, value] of Object.entries(sample.fields)) $(id).value = value;
      $(sample.form).requestSubmit();
    });
  }
  setupCheckTab();
  refreshModels();
  loadMethods();
}

start();
