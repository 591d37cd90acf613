/* DOM helpers: every piece of model or user text enters the page as a text node (el, marked),
 * never through innerHTML, so a patent containing "<script>" stays text. */

export const $ = (id) => document.getElementById(id);

export function el(tag, attrs = {}, ...children) {
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

/** Collapse whitespace, keeping for each kept character its offset in the original. */
export function normalize(text) {
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
export function marked(text, ranges, markAttrs = {}) {
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

/** Run `work` unless the form is already busy; the button stays focusable (aria-disabled),
 * so a keyboard user's focus is not thrown back to the top of the page. */
export async function whileBusy(form, work) {
  if (form.dataset.busy) return;
  const button = form.querySelector("button[type=submit]");
  form.dataset.busy = "1";
  button.setAttribute("aria-disabled", "true");
  try {
    await work();
  } finally {
    delete form.dataset.busy;
    button.removeAttribute("aria-disabled");
  }
}

export async function readInto(input) {
  const file = input.files[0];
  if (!file) return;
  $(input.dataset.target).value = await file.text();
  $(input.dataset.target).dataset.name = file.name;
}
