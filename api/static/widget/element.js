// The <advisor-chat> element: its settings, the panel with a tab per registered tab, opening and closing,
// and its life in the page (connected, moved, removed, its attributes changed).

const TAG = "advisor-chat";
const SCRIPT = document.currentScript || document.querySelector('script[src*="widget.js"]');
const SCRIPT_DATA = (SCRIPT && SCRIPT.dataset) || {};
const SCRIPT_ORIGIN = SCRIPT && SCRIPT.src ? new URL(SCRIPT.src, location.href).origin : location.origin;
const DEFAULTS = {
  title: "Ask the Advisor",
  welcome: "Hi! Ask me a question and I will answer from the Residency Advisor guides, quoting them and linking to each section.",
  position: "bottom-right",
  theme: "light",
  guide: "",
  timeout: "20",
};
const SETTINGS = ["api", "guide", "theme", "position", "welcome", "timeout"];

// The tabs, in the order their files are served (api/widget.py). A tab file ends with TABS.push(ItsClass);
// the element makes one of each as `new Tab(widget)`, which gives:
//   label        the tab's name, on its button
//   parts        elements it adds to the panel, shown while it is selected
//   headerParts  buttons it adds to the header, shown while it is selected (may be empty)
//   focusTarget  what gets the focus when it is selected or the panel opens on it
// and may have opened() (the panel opened) and configure(moved) (the settings changed; `moved`: another API or
// guide, so another conversation). Requests go through widget.client, kept data through widget.store.
const TABS = [];

class AdvisorChat extends HTMLElement {
  // `title` only as data-title, since a title attribute would give the whole widget a browser tooltip.
  static observedAttributes = ["data-title", ...SETTINGS, ...SETTINGS.map((name) => `data-${name}`)];

  connectedCallback() {
    if (this.shadowRoot) {
      // Back in the page after leaving it: what was stopped starts again.
      if (!this.panel.hidden) this.tabs.forEach((tab) => tab.opened && tab.opened());
      return;
    }
    this.floating = this.getAttribute("mode") === "launcher";
    this.client = new Client();
    this.links = new InPageLinks(this);
    this.configureClient();
    const shadow = this.attachShadow({ mode: "open" });
    adoptStyles(shadow);
    shadow.append(this.build());
    if (!this.floating || this.store.get("open")) this.open(false);
  }

  // Moved within the page (removed and inserted in one task), it keeps its work; left out, it stops it.
  disconnectedCallback() {
    queueMicrotask(() => {
      if (this.isConnected || !this.client) return;
      this.client.abort();
      this.links.stop();
    });
  }

  attributeChangedCallback(name, before, after) {
    if (!this.root || before === after) return; // before the first connection, connectedCallback reads them all
    const moved = this.configureClient();
    if (moved) this.client.abort();
    this.root.className = this.rootClass();
    const title = this.setting("title");
    this.heading.textContent = title;
    this.panel.setAttribute("aria-label", title);
    if (this.launcherLabel) this.launcherLabel.textContent = title;
    this.tabs.forEach((tab) => tab.configure && tab.configure(moved));
  }

  // On the element: bare attributes or data-*; then data-* on the script tag; then the default.
  setting(name) {
    const bare = name === "title" ? null : this.getAttribute(name);
    const value = bare ?? this.getAttribute(`data-${name}`) ?? SCRIPT_DATA[name];
    return value == null || value === "" ? DEFAULTS[name] : value;
  }

  // Points the client and the store at the configured API and guide; true when that moved the conversation.
  configureClient() {
    const base = safeUrl(this.setting("api") || SCRIPT_ORIGIN) || safeUrl(SCRIPT_ORIGIN);
    this.client.base = base.href.replace(/\/+$/, "");
    this.client.timeoutMs = Math.max(1, Number(this.setting("timeout")) || 20) * 1000;
    this.guide = this.setting("guide");
    const key = `advisor-chat:${this.client.base}:${this.guide}`;
    if (this.store && this.store.key === key) return false;
    this.store = new Store(key);
    return true;
  }

  rootClass() {
    const theme = ["light", "dark", "auto"].includes(this.setting("theme")) ? this.setting("theme") : "light";
    const left = this.setting("position") === "bottom-left" ? "left" : "";
    const open = this.panel && !this.panel.hidden ? "open" : "";
    return `root ${this.floating ? "floating" : "inline"} ${theme} ${left} ${open}`;
  }

  build() {
    const title = this.setting("title");
    this.root = h("div", { class: this.rootClass() });
    this.heading = h("h2", { part: "title" }, title);
    this.tabs = TABS.map((Tab) => new Tab(this));
    this.current = this.tabs[0];
    const tab = (t, i) =>
      h("button", { type: "button", role: "tab", class: "tab", part: "tab", "aria-selected": String(i === 0), onclick: () => this.select(t, true) }, t.label);
    this.tabButtons = this.tabs.map(tab);
    const close =
      this.floating && h("button", { type: "button", class: "hbtn close", part: "close", "aria-label": "Close", onclick: () => this.close(true) }, "×");
    this.panel = h(
      "section",
      { id: "panel", part: "panel", class: "panel", role: this.floating ? "dialog" : "region", "aria-label": title, hidden: this.floating },
      h("header", { part: "header" }, this.heading, ...this.tabs.flatMap((t) => t.headerParts), close),
      this.tabs.length > 1 && h("div", { class: "tabs", part: "tabs", role: "tablist", "aria-label": "Mode" }, ...this.tabButtons),
      ...this.tabs.flatMap((t) => t.parts),
    );
    this.select(this.current, false);
    if (this.floating) {
      this.root.addEventListener("keydown", (event) => {
        if (event.key === "Escape" && !this.panel.hidden) {
          event.preventDefault();
          this.close(true);
        }
      });
      this.launcherLabel = h("span", {}, title);
      this.launcher = h(
        "button",
        {
          type: "button",
          part: "launcher",
          class: "launcher",
          "aria-haspopup": "dialog",
          "aria-expanded": "false",
          "aria-controls": "panel",
          onclick: () => (this.panel.hidden ? this.open(true) : this.close(true)),
        },
        icon(),
        this.launcherLabel,
      );
      this.root.append(this.launcher);
    }
    this.root.append(this.panel);
    return this.root;
  }

  select(chosen, focus) {
    this.current = chosen;
    this.tabs.forEach((tab, i) => {
      this.tabButtons[i].setAttribute("aria-selected", String(tab === chosen));
      for (const el of [...tab.parts, ...tab.headerParts]) el.hidden = tab !== chosen;
    });
    if (focus) chosen.focusTarget.focus();
  }

  open(focus) {
    this.panel.hidden = false;
    this.root.classList.add("open");
    if (this.launcher) this.launcher.setAttribute("aria-expanded", "true");
    this.tabs.forEach((tab) => tab.opened && tab.opened());
    if (focus) this.current.focusTarget.focus();
    this.store.set("open", true);
  }

  close(focus) {
    this.panel.hidden = true;
    this.root.classList.remove("open");
    this.launcher.setAttribute("aria-expanded", "false");
    if (focus) this.launcher.focus();
    this.store.set("open", false);
  }
}

let sheet = null;
function adoptStyles(shadow) {
  // Constructed sheets are not inline styles, so a host page's strict CSP (style-src 'self') still allows them.
  try {
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
    }
    shadow.adoptedStyleSheets = [sheet];
  } catch {
    shadow.append(h("style", {}, CSS));
  }
}
