// A citation's link on the cited guide's own page: scroll to the section and highlight it for a moment, instead
// of opening the page again in a new tab. Elsewhere the link opens normally.

const HIGHLIGHT_MS = 2500;
const SMALL_SCREEN = "(max-width: 480px)"; // where styles.css makes the floating panel full-screen

class InPageLinks {
  constructor(widget) {
    this.widget = widget;
    this.lit = null;
    this.timer = 0;
  }

  follow(event, url) {
    if (url.origin !== location.origin || url.pathname !== location.pathname || !url.hash) return;
    const target = document.getElementById(decodeURIComponent(url.hash.slice(1)));
    if (!target) return;
    event.preventDefault();
    if (this.widget.floating && matchMedia(SMALL_SCREEN).matches) this.widget.close(false);
    this.stop();
    this.lit = target;
    target.classList.add("advisor-highlight");
    target.scrollIntoView({ behavior: reducedMotion() ? "auto" : "smooth", block: "start" });
    if (target.hasAttribute("tabindex")) target.focus({ preventScroll: true });
    this.timer = setTimeout(() => this.stop(), HIGHLIGHT_MS);
  }

  // The host page's section loses the highlight (also when the element leaves the page).
  stop() {
    clearTimeout(this.timer);
    if (this.lit) this.lit.classList.remove("advisor-highlight");
    this.lit = null;
  }
}
