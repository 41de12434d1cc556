// Small helpers for building the widget's DOM. Server and user text only ever reaches the page as text nodes
// (append/textContent), never as HTML.

// h("p", { class: "x", onclick: fn }, "text", node): an element with attributes, listeners and children;
// null, undefined and false attributes and children are left out, strings become text nodes.
function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value == null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  el.append(...kids.filter((kid) => kid != null && kid !== false).map((kid) => (kid instanceof Node ? kid : String(kid))));
  return el;
}

// The launcher's speech-bubble icon.
function icon() {
  const NS = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(NS, "svg");
  const path = document.createElementNS(NS, "path");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  path.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6v2h2V9zm4 0v2h2V9zm4 0v2h2V9z");
  svg.append(path);
  return svg;
}

// A URL object for an http(s) URL (relative to the page), else null: nothing else is ever linked.
function safeUrl(value) {
  try {
    const url = new URL(String(value), location.href);
    return url.protocol === "http:" || url.protocol === "https:" ? url : null;
  } catch {
    return null;
  }
}

const reducedMotion = () => matchMedia("(prefers-reduced-motion: reduce)").matches;
// The last heading of a " > " path, without its list number ("2. Can I ..." -> "Can I ...").
const leafOf = (section) => String(section).split(" > ").pop().replace(/^\d{1,3}[.)]\s+/, "");
// The non-empty strings of a reply's list field; anything else in it is dropped.
const strings = (list) => (Array.isArray(list) ? list.filter((s) => typeof s === "string" && s) : []);
// The objects of a reply's list field (citations, blocks, findings); anything else in it is dropped.
const objects = (list) => (Array.isArray(list) ? list.filter((o) => o && typeof o === "object") : []);
