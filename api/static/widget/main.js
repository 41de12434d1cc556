// Defines <advisor-chat>, once. The script tag alone gives the floating launcher; a page that places
// <advisor-chat> itself gets it inline. A page that already defines the name keeps its own, with one warning.

function mount() {
  if (document.querySelector(TAG)) return;
  const element = document.createElement(TAG);
  element.setAttribute("mode", "launcher");
  document.body.append(element);
}

if (!window.customElements) {
  // Too old a browser for custom elements: the page stays as it is.
} else if (customElements.get(TAG)) {
  console.warn(`The Advisor widget did not start: <${TAG}> is already defined on this page (by another script, or by a second copy of widget.js).`);
} else {
  customElements.define(TAG, AdvisorChat);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mount);
  else mount();
}
