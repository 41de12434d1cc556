/*! The Advisor chat widget. Embed: <script src="https://ADVISOR_HOST/widget.js" defer></script> */
(() => {
  "use strict";
  const TAG = "advisor-chat";
  if (!window.customElements) return;
  if (customElements.get(TAG)) {
    console.warn(`The Advisor widget did not start: <${TAG}> is already defined on this page (by another script, or by a second copy of widget.js).`);
    return;
  }

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
  const SHOWN_SUGGESTIONS = 4;
  const SAVED_ITEMS = 40;
  const HIGHLIGHT_MS = 2500;
  const SMALL_SCREEN = "(max-width: 480px)";
  const SEVERITY = { problem: "Problem", caution: "Caution", tip: "Tip" };
  const DRAFT_MAX = 5000;

  const DARK = `--_bg:var(--advisor-bg,#1d2026);--_fg:var(--advisor-fg,#e6e8eb);--_muted:var(--advisor-muted,#a7afb9);
--_surface:var(--advisor-surface,#2a2f36);--_border:var(--advisor-border,#434a54);--_accent:var(--advisor-accent,#8ab4f8);
--_accent-fg:var(--advisor-accent-text,#0b1e3f);--_err-bg:#3d2020;--_err-fg:#ffb4ab;color-scheme:dark;`;
  const CSS = `
:host{display:block}
:host([hidden]),[hidden]{display:none!important}
.root{all:initial;display:block;font:15px/1.5 var(--_font);color:var(--_fg);
--_font:var(--advisor-font,system-ui,-apple-system,"Segoe UI",Roboto,sans-serif);--_radius:var(--advisor-radius,14px);
--_z:var(--advisor-z-index,2147483000);--_bg:var(--advisor-bg,#fff);--_fg:var(--advisor-fg,#1f2328);
--_muted:var(--advisor-muted,#59636e);--_surface:var(--advisor-surface,#f1f3f6);--_border:var(--advisor-border,#d0d7de);
--_accent:var(--advisor-accent,#0b57d0);--_accent-fg:var(--advisor-accent-text,#fff);--_err-bg:#fdecea;--_err-fg:#8a1c12;
color-scheme:light}
.dark{${DARK}}
@media (prefers-color-scheme:dark){.auto{${DARK}}}
*{box-sizing:border-box}
button,textarea{font:inherit;color:inherit;margin:0}
button{cursor:pointer}
:focus-visible{outline:3px solid var(--_accent);outline-offset:2px}
a{color:var(--_accent);text-underline-offset:2px}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.launcher{position:fixed;bottom:20px;right:20px;z-index:var(--_z);display:inline-flex;align-items:center;gap:8px;
padding:12px 18px;border:0;border-radius:999px;background:var(--_accent);color:var(--_accent-fg);font-weight:600;
box-shadow:0 6px 20px rgba(0,0,0,.25)}
.launcher svg{width:20px;height:20px;fill:currentColor}
.panel{display:flex;flex-direction:column;background:var(--_bg);color:var(--_fg);border:1px solid var(--_border);
border-radius:var(--_radius);overflow:hidden}
.inline .panel{height:var(--advisor-height,560px)}
.floating .panel{position:fixed;bottom:84px;right:20px;z-index:var(--_z);width:min(400px,calc(100vw - 40px));
height:min(620px,calc(100dvh - 110px));box-shadow:0 12px 40px rgba(0,0,0,.28);animation:pop .18s ease-out}
.left .launcher,.left.floating .panel{right:auto;left:20px}
@keyframes pop{from{opacity:0;transform:translateY(8px)}}
header{display:flex;align-items:center;gap:4px;padding:10px 10px 10px 16px;border-bottom:1px solid var(--_border)}
h2{flex:1;margin:0;font-size:16px;line-height:1.3;font-weight:650}
.hbtn{background:none;border:0;border-radius:8px;padding:6px 10px;font-size:13px;color:var(--_muted)}
.hbtn:hover{background:var(--_surface);color:var(--_fg)}
.close{font-size:22px;line-height:1;padding:2px 10px 6px}
.body{position:relative;flex:1;overflow:hidden auto;overscroll-behavior:contain;padding:16px}
.log{display:flex;flex-direction:column;gap:12px}
.msg{max-width:88%;align-self:flex-start;padding:10px 14px;border-radius:14px 14px 14px 4px;background:var(--_surface);
overflow-wrap:anywhere}
.msg p{margin:0}
.text{white-space:pre-wrap}
.bot{max-width:100%}
.user{align-self:flex-end;border-radius:14px 14px 4px 14px;background:var(--_accent);color:var(--_accent-fg)}
.nc{border-left:4px solid var(--_muted)}
.error{background:var(--_err-bg);color:var(--_err-fg)}
.msg .ans>*+*{margin-top:10px}
.msg .ans>.ask+.block{margin-top:4px}
.msg .ans>.block+.ask{margin-top:14px;padding-top:10px;border-top:1px solid var(--_border)}
.ask{font-size:13px;font-weight:600;color:var(--_muted)}
.th{font-weight:600}
.block ul{margin:4px 0 0;padding-left:22px}
.block li+li{margin-top:3px}
.tpl{margin:6px 0 0;padding:10px 12px;border:1px solid var(--_border);border-radius:8px;background:var(--_bg);
font:inherit;font-size:13.5px;line-height:1.45;white-space:pre-wrap;overflow-wrap:anywhere}
.msg .gap{margin-top:12px;padding-left:10px;border-left:3px solid var(--_muted)}
.ref{font-size:.72em;vertical-align:super;line-height:0;font-weight:700;color:var(--_accent)}
.label{margin:10px 0 6px!important;font-size:12px;font-weight:600;text-transform:uppercase;letter-spacing:.04em;color:var(--_muted)}
.cites{display:grid;grid-template-columns:minmax(0,1fr);gap:6px;margin:0;padding:0;list-style:none}
.cite{border:1px solid var(--_border);border-radius:10px;background:var(--_bg);font-size:13.5px}
summary{display:flex;gap:6px;padding:8px 10px;cursor:pointer;list-style:none}
summary::-webkit-details-marker{display:none}
summary::after{content:"▸";margin-left:auto;color:var(--_muted)}
details[open] summary::after{content:"▾"}
.n{flex:none;font-weight:700;color:var(--_accent)}
.leaf{display:block;font-weight:600}
.path{display:block;font-size:12px;color:var(--_muted)}
.excerpt{margin:0 10px;padding:6px 0 2px 10px;border-left:3px solid var(--_border)}
.excerpt p{margin:0 0 6px;white-space:pre-line}
.excerpt .xh{font-weight:600}
.excerpt ul,.excerpt ol{margin:0 0 6px;padding-left:20px}
.meta{display:flex;gap:12px;align-items:baseline;padding:0 10px 8px;font-size:12px;color:var(--_muted)}
.meta a{flex:none;font-weight:600}
.src{min-width:0;overflow:hidden;white-space:nowrap;text-overflow:ellipsis}
.chips{display:flex;flex-direction:column;align-items:flex-start;gap:6px;margin-top:12px}
.chip{text-align:left;padding:7px 12px;border:1px solid var(--_border);border-radius:10px;background:var(--_bg);
color:var(--_accent);font-size:13.5px;line-height:1.35}
.chip:hover{border-color:var(--_accent)}
.msg .chips{margin-top:0}
.error .chips{margin-top:8px}
.fb{display:flex;flex-wrap:wrap;align-items:center;gap:6px;margin-top:10px;font-size:13px;color:var(--_muted)}
.vote{padding:3px 10px;border:1px solid var(--_border);border-radius:999px;background:var(--_bg);color:var(--_fg)}
.vote:hover{border-color:var(--_accent)}
.dots span{animation:blink 1.2s infinite both}
.dots span:nth-child(2){animation-delay:.2s}
.dots span:nth-child(3){animation-delay:.4s}
@keyframes blink{0%,80%,100%{opacity:.2}40%{opacity:1}}
form{display:flex;align-items:flex-end;gap:8px;padding:10px 12px 6px;border-top:1px solid var(--_border)}
textarea{flex:1;min-height:42px;max-height:128px;field-sizing:content;resize:none;padding:9px 12px;
border:1px solid var(--_border);border-radius:10px;background:var(--_bg);line-height:1.4}
textarea:focus-visible{outline-offset:0}
.send{height:42px;padding:0 16px;border:0;border-radius:10px;background:var(--_accent);color:var(--_accent-fg);font-weight:600}
.send[aria-disabled=true]{opacity:.6;cursor:progress}
.foot{margin:0;padding:0 14px 8px;font-size:11.5px;color:var(--_muted)}
.tabs{display:flex;gap:4px;padding:0 10px;border-bottom:1px solid var(--_border)}
.tab{background:none;border:0;border-bottom:2px solid transparent;padding:8px 8px 6px;font-size:13.5px;color:var(--_muted)}
.tab[aria-selected=true]{color:var(--_fg);border-bottom-color:var(--_accent);font-weight:600}
.draft{display:block;width:100%;min-height:150px;max-height:none;field-sizing:fixed;resize:vertical}
.row{display:flex;align-items:center;justify-content:space-between;gap:8px;margin:8px 0 14px}
.hint{font-size:12px;color:var(--_muted)}
.sum{margin:0;font-weight:600}
.found{display:grid;gap:10px;margin:10px 0 0;padding:0;list-style:none}
.finding{padding:8px 10px;border:1px solid var(--_border);border-left:4px solid var(--_muted);border-radius:10px;font-size:14px;overflow-wrap:anywhere}
.finding p{margin:4px 0 8px}
.sev{display:inline-block;padding:1px 8px;border-radius:999px;font-size:11.5px;font-weight:700;text-transform:uppercase;letter-spacing:.04em;background:var(--_muted);color:var(--_bg)}
.problem{border-left-color:#b3261e}.problem .sev{background:#b3261e;color:#fff}
.caution{border-left-color:#8a5300}.caution .sev{background:#8a5300;color:#fff}
.q{margin:6px 0;padding:4px 8px;border-radius:6px;background:var(--_surface);white-space:pre-wrap}
@media ${SMALL_SCREEN}{.floating .panel{inset:0;width:auto;height:auto;border:0;border-radius:0}
.floating.open .launcher{display:none}}
@media (prefers-reduced-motion:reduce){*{animation:none!important;transition:none!important}}
`;

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

  // Server and user text only ever reaches the page as text nodes (append/textContent), never as HTML.
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

  function safeUrl(value) {
    try {
      const url = new URL(String(value), location.href);
      return url.protocol === "http:" || url.protocol === "https:" ? url : null;
    } catch {
      return null;
    }
  }

  const reducedMotion = () => matchMedia("(prefers-reduced-motion: reduce)").matches;
  const leafOf = (section) => String(section).split(" > ").pop().replace(/^\d{1,3}[.)]\s+/, "");

  // The excerpt is verbatim Markdown; show its paragraphs, lists and headings without interpreting any HTML.
  function excerptNodes(markdown) {
    const nodes = [];
    let list = null;
    let para = null;
    for (const line of String(markdown).split("\n")) {
      const heading = /^\s{0,3}#{1,6}\s+(.*)$/.exec(line);
      const item = !heading && /^\s{0,3}(?:[-*+]|(\d{1,3})[.)])\s+(.*)$/.exec(line);
      if (item) {
        if (!list) nodes.push((list = item[1] ? h("ol", { start: item[1] }) : h("ul")));
        list.append(h("li", {}, item[2]));
        para = null;
      } else if (!line.trim()) {
        list = para = null;
      } else if (heading) {
        nodes.push(h("p", { class: "xh" }, heading[1]));
        list = para = null;
      } else if (para) {
        para.append("\n" + line.trim());
      } else {
        nodes.push((para = h("p", {}, line.trim())));
        list = null;
      }
    }
    return nodes;
  }

  // "[n]" markers that refer to a citation become small superscripts; everything else stays plain text.
  function answerNodes(answer, numbers) {
    return String(answer)
      .split(/(\[\d+\])/)
      .filter(Boolean)
      .map((part) => (numbers.has(part) ? h("span", { class: "ref" }, part) : part));
  }

  const strings = (list) => (Array.isArray(list) ? list.filter((s) => typeof s === "string" && s) : []);

  // The structured answer: a list is its lead-in once, then bullets; a template keeps its line breaks; prose stays
  // sentences; each block carries its [n]. When the question asked several things, each ask labels its blocks.
  function blockNodes(blocks, unanswered, numbers) {
    const asks = new Set(blocks.map((b) => b.ask).filter((a) => typeof a === "string" && a));
    const labelled = asks.size + unanswered.length > 1;
    const nodes = [];
    let shown = null;
    for (const block of blocks) {
      const ask = typeof block.ask === "string" && block.ask ? block.ask : null;
      if (labelled && ask && ask !== shown) nodes.push(h("p", { class: "ask", part: "ask" }, `“${ask}”`));
      shown = ask;
      const items = strings(block.items);
      const lead = typeof block.lead === "string" && block.lead ? block.lead : null;
      // A no-break space keeps the marker on the line of the word before it.
      const marker = Number.isInteger(block.citation) ? answerNodes(`\u00a0[${block.citation}]`, numbers) : [];
      const body =
        block.kind === "template"
          ? h("pre", { class: "tpl", part: "template" }, items.join("\n"))
          : block.kind === "list"
            ? h("ul", { part: "items" }, ...items.map((item) => h("li", {}, item)))
            : h("p", {}, items.join(" "));
      const head = lead && h("p", { class: block.kind === "template" ? "th" : null, part: "lead" }, lead, ...marker);
      if (!head) ((block.kind === "list" && body.lastElementChild) || body).append(...marker);
      nodes.push(h("div", { class: "block", part: "block" }, head, body));
    }
    for (const ask of unanswered) nodes.push(h("p", { class: "gap", part: "unanswered" }, `The guide doesn't answer “${ask}”.`));
    return nodes;
  }

  function describeError(error) {
    if (error.kind === "timeout") return "The Advisor is taking too long to answer.";
    if (error.status === 503) return "The Advisor is starting up or briefly unavailable.";
    if (error.status === 429) return "Too many questions at once. Please wait a moment.";
    if (error.status) return `The Advisor could not answer (error ${error.status}).`;
    if (error.kind === "reply") return "The Advisor sent a reply this page cannot read.";
    return "The Advisor cannot be reached. Check your connection.";
  }

  class AdvisorChat extends HTMLElement {
    connectedCallback() {
      if (this.shadowRoot) return;
      this.floating = this.getAttribute("mode") === "launcher";
      const base = safeUrl(this.setting("api") || SCRIPT_ORIGIN) || safeUrl(SCRIPT_ORIGIN);
      this.api = base.href.replace(/\/+$/, "");
      this.guide = this.setting("guide");
      this.timeoutMs = Math.max(1, Number(this.setting("timeout")) || 20) * 1000;
      this.storageKey = `advisor-chat:${this.api}:${this.guide}`;
      this.items = [];
      this.busy = false;
      this.conversation = 0;
      const shadow = this.attachShadow({ mode: "open" });
      adoptStyles(shadow);
      shadow.append(this.build());
      const saved = this.restore();
      this.renderAll();
      if (!this.floating || saved.open) this.open(false);
    }

    // On the element: bare attributes or data-*; then data-* on the script tag. `title` only as data-title,
    // since a title attribute would give the whole widget a browser tooltip.
    setting(name) {
      const bare = name === "title" ? null : this.getAttribute(name);
      const value = bare ?? this.getAttribute(`data-${name}`) ?? SCRIPT_DATA[name];
      return value == null || value === "" ? DEFAULTS[name] : value;
    }

    build() {
      const title = this.setting("title");
      const theme = ["light", "dark", "auto"].includes(this.setting("theme")) ? this.setting("theme") : "light";
      const left = this.setting("position") === "bottom-left" ? "left" : "";
      this.root = h("div", { class: `root ${this.floating ? "floating" : "inline"} ${theme} ${left}` });
      this.log = h("div", { class: "log", part: "log", role: "log", "aria-live": "polite", "aria-label": "Conversation" });
      this.chips = h("div", { class: "chips", part: "suggestions", role: "group", "aria-label": "Suggested questions" });
      this.body = h("div", { class: "body" }, this.log, this.chips);
      this.input = h("textarea", {
        id: "question",
        part: "input",
        rows: 1,
        maxlength: 1000,
        placeholder: "Ask a question…",
        enterkeyhint: "send",
        onkeydown: (event) => {
          if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
            event.preventDefault();
            this.submit(this.input.value);
          }
        },
      });
      this.send = h("button", { type: "submit", part: "send", class: "send" }, "Send");
      const form = h(
        "form",
        { onsubmit: (event) => (event.preventDefault(), this.submit(this.input.value)) },
        h("label", { for: "question", class: "sr" }, "Your question"),
        this.input,
        this.send,
      );
      const clear = h("button", { type: "button", class: "hbtn", part: "clear", "aria-label": "Clear conversation", onclick: () => this.clear() }, "Clear");
      const close =
        this.floating && h("button", { type: "button", class: "hbtn close", part: "close", "aria-label": "Close", onclick: () => this.close(true) }, "×");
      this.panel = h(
        "section",
        {
          id: "panel",
          part: "panel",
          class: "panel",
          role: this.floating ? "dialog" : "region",
          "aria-label": title,
          hidden: this.floating,
        },
        h("header", { part: "header" }, h("h2", { part: "title" }, title), clear, close),
        this.body,
        form,
        h("p", { class: "foot" }, "Answers quote the guides. Check the linked section."),
      );
      this.addChecker(form, clear);
      if (this.floating) {
        this.root.addEventListener("keydown", (event) => {
          if (event.key === "Escape" && !this.panel.hidden) {
            event.preventDefault();
            this.close(true);
          }
        });
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
          h("span", {}, title),
        );
        this.root.append(this.launcher);
      }
      this.root.append(this.panel);
      return this.root;
    }

    open(focus) {
      this.panel.hidden = false;
      this.root.classList.add("open");
      if (this.launcher) this.launcher.setAttribute("aria-expanded", "true");
      this.loadSuggestions();
      this.scrollTo(this.body.scrollHeight);
      if (focus) this.input.focus();
      this.save();
    }

    close(focus) {
      this.panel.hidden = true;
      this.root.classList.remove("open");
      this.launcher.setAttribute("aria-expanded", "false");
      if (focus) this.launcher.focus();
      this.save();
    }

    restore() {
      try {
        const saved = JSON.parse(sessionStorage.getItem(this.storageKey)) || {};
        const items = Array.isArray(saved.items) ? saved.items : [];
        const valid = (item) => item && ((item.role === "user" && typeof item.text === "string") || (item.role === "bot" && item.data));
        this.items = items.filter(valid);
        return saved;
      } catch {
        return {};
      }
    }

    save() {
      try {
        sessionStorage.setItem(this.storageKey, JSON.stringify({ open: !this.panel.hidden, items: this.items.slice(-SAVED_ITEMS) }));
      } catch {
        // Storage may be disabled (private mode, sandboxed frames): the chat still works, it just is not kept.
      }
    }

    renderAll() {
      this.log.replaceChildren(this.bubble("bot", this.setting("welcome")), ...this.items.map((item) => this.render(item)));
      this.renderChips();
    }

    render(item) {
      return item.role === "user" ? this.bubble("user", item.text) : this.answer(item.data);
    }

    bubble(kind, ...content) {
      return this.box(kind, h("p", { class: "text" }, ...content));
    }

    box(kind, ...content) {
      const who = kind === "user" ? "You: " : "Advisor: ";
      return h("div", { class: `msg ${kind}`, part: "message" }, h("span", { class: "sr" }, who), ...content);
    }

    answer(data) {
      const citations = (Array.isArray(data.citations) ? data.citations : []).filter((c) => c && typeof c === "object");
      const numbers = new Set(citations.map((c) => `[${c.n}]`));
      const kind = data.answered ? "bot" : "bot nc";
      const blocks = (Array.isArray(data.answer_blocks) ? data.answer_blocks : []).filter((b) => b && typeof b === "object");
      const nearest = strings(data.nearest_sections);
      const offered = strings(data.suggestions);
      // A refusal is its first line; what to ask instead follows as chips (an older server sends only nearest_sections).
      const text = data.answered || !offered.length ? data.answer : data.answer.split("\n")[0];
      const box = blocks.length
        ? this.box(kind, h("div", { class: "ans" }, ...blockNodes(blocks, strings(data.unanswered), numbers)))
        : this.bubble(kind, ...answerNodes(text, numbers));
      const chips = offered.length ? offered : nearest.map(leafOf);
      if (!data.answered && chips.length) {
        box.append(
          h("p", { class: "label" }, nearest.length ? "Closest in the guide" : "Questions it answers"),
          h("div", { class: "chips" }, ...chips.map((question) => this.chip(question, question))),
        );
      }
      if (citations.length) {
        box.append(h("p", { class: "label" }, "Sources"), h("ol", { class: "cites" }, ...citations.map((c) => this.citation(c))));
      }
      if (typeof data.content_version === "string") box.append(this.feedback(data, citations));
      return box;
    }

    // Helpful / not helpful; the vote is kept on the saved answer, so a reload shows the thanks, not the buttons.
    feedback(data, citations) {
      const row = h("div", { class: "fb", part: "feedback", role: "group", "aria-label": "Was this answer helpful?" });
      const thanks = () => row.replaceChildren(h("span", { role: "status" }, "Thanks for your feedback."));
      if (data.voted) return thanks(), row;
      const note = h("span", { role: "status" });
      const send = async (vote) => {
        const refocus = row.contains(this.shadowRoot.activeElement);
        buttons.forEach((b) => (b.disabled = true));
        try {
          const cited = citations.map((c) => ({ chunk_id: String(c.chunk_id), section: String(c.section), guide_slug: String(c.guide_slug) }));
          const body = { vote, question: String(data.question).slice(0, 1000), answered: data.answered === true, citations: cited.slice(0, 10), content_version: data.content_version };
          await this.request("/api/feedback", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
          data.voted = vote;
          this.save();
          thanks();
          if (refocus) this.input.focus();
        } catch {
          note.textContent = "Not sent. Try again.";
          buttons.forEach((b) => (b.disabled = false));
        }
      };
      const button = (vote, label) => h("button", { type: "button", class: "vote", part: "vote", onclick: () => send(vote) }, label);
      const buttons = [button("helpful", "Helpful"), button("not_helpful", "Not helpful")];
      row.append(h("span", {}, "Was this helpful?"), ...buttons, note);
      return row;
    }

    citation(c) {
      const url = safeUrl(c.url);
      const section = String(c.section || c.guide || "");
      const path = section.split(" > ").slice(0, -1).join(" › ");
      const reviewed = c.last_reviewed ? ` · reviewed ${c.last_reviewed}` : "";
      const link =
        url &&
        h(
          "a",
          { href: url.href, target: "_blank", rel: "noopener", part: "link", "aria-label": `Go to section: ${leafOf(section)}`, onclick: (event) => this.follow(event, url) },
          "Go to section ↗",
        );
      return h(
        "li",
        { class: "cite", part: "citation" },
        h(
          "details",
          {},
          h("summary", {}, h("span", { class: "n" }, `[${c.n}]`), h("span", {}, h("span", { class: "leaf" }, leafOf(section)), path && h("span", { class: "path" }, path))),
          h("div", { class: "excerpt", part: "excerpt" }, ...excerptNodes(c.excerpt || "")),
        ),
        h("div", { class: "meta" }, link, h("span", { class: "src", title: c.guide || null }, `${c.guide || ""}${reviewed}`)),
      );
    }

    chip(label, question, ariaLabel = null) {
      const button = h(
        "button",
        {
          type: "button",
          class: "chip",
          part: "suggestion",
          "aria-label": ariaLabel,
          onclick: () => {
            if (button.matches(":focus-visible")) this.input.focus();
            this.submit(question);
          },
        },
        label,
      );
      return button;
    }

    renderChips() {
      const opening = !this.items.length && this.suggestions && this.suggestions.length;
      const list = opening ? this.suggestions : (this.items.length && this.next) || [];
      const label = h("p", { class: "label" }, opening ? "Try asking" : "Ask next");
      this.chips.replaceChildren(...(list.length ? [label, ...list.map((s) => this.chip(s, s))] : []));
    }

    // Questions beside the section the answer cites: what an applicant could ask next.
    async loadNext(data) {
      const first = (Array.isArray(data.citations) ? data.citations : [])[0];
      this.next = null;
      if (first && typeof first.guide_slug === "string" && typeof first.section === "string") {
        const query = `?limit=3&guide=${encodeURIComponent(first.guide_slug)}&section=${encodeURIComponent(first.section)}`;
        try {
          const reply = await this.request(`/api/suggestions${query}`);
          this.next = (reply.suggestions || []).filter((s) => typeof s === "string").slice(0, 3);
        } catch {
          this.next = null; // suggestions are a help, never an error
        }
      }
      this.renderChips();
    }

    async loadSuggestions() {
      if (this.suggestions || this.loadingSuggestions) return;
      this.loadingSuggestions = true;
      const query = (guide) => `/api/suggestions?limit=${SHOWN_SUGGESTIONS}${guide ? `&guide=${encodeURIComponent(guide)}` : ""}`;
      try {
        let data;
        try {
          data = await this.request(query(this.guide));
        } catch (error) {
          if (error.status !== 404 || !this.guide) throw error;
          data = await this.request(query(""));
        }
        this.suggestions = (data.suggestions || []).filter((s) => typeof s === "string").slice(0, SHOWN_SUGGESTIONS);
      } catch {
        this.suggestions = null; // no suggestions now; the next opening tries again
      }
      this.loadingSuggestions = false;
      this.renderChips();
    }

    async request(path, init = {}) {
      const controller = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => ((timedOut = true), controller.abort()), this.timeoutMs);
      try {
        const response = await fetch(this.api + path, { ...init, credentials: "omit", mode: "cors", signal: controller.signal });
        if (!response.ok) throw Object.assign(new Error(`HTTP ${response.status}`), { status: response.status });
        try {
          return await response.json();
        } catch {
          throw Object.assign(new Error("unreadable reply"), { kind: "reply" });
        }
      } catch (error) {
        throw timedOut ? Object.assign(new Error("timeout"), { kind: "timeout" }) : error;
      } finally {
        clearTimeout(timer);
      }
    }

    submit(text) {
      const question = String(text).trim().slice(0, 1000);
      if (!question || this.busy) return;
      this.input.value = "";
      this.push({ role: "user", text: question });
      this.ask(question);
    }

    push(item) {
      this.items.push(item);
      this.save();
      this.renderChips();
      return this.show(this.render(item));
    }

    show(element) {
      this.log.append(element);
      this.scrollTo(element.offsetTop - 12);
      return element;
    }

    scrollTo(top) {
      this.body.scrollTo({ top, behavior: reducedMotion() ? "auto" : "smooth" });
    }

    // Earlier turns, so the server (which keeps no state) can read a follow-up in context.
    history(question) {
      const items = this.items.slice();
      const last = items[items.length - 1];
      if (last && last.role === "user" && last.text === question) items.pop();
      return items
        .map((item) => (item.role === "user" ? { role: "user", content: item.text } : { role: "assistant", content: (item.data && item.data.answer) || "" }))
        .filter((turn) => typeof turn.content === "string" && turn.content)
        .slice(-10)
        .map((turn) => ({ role: turn.role, content: turn.content.slice(0, 2000) }));
    }

    async ask(question) {
      const conversation = this.conversation;
      this.busy = true;
      this.send.setAttribute("aria-disabled", "true");
      const dots = h("span", { class: "dots", "aria-hidden": "true" }, h("span", {}, "."), h("span", {}, "."), h("span", {}, "."));
      const pending = this.show(h("div", { class: "msg bot", part: "loading" }, h("p", {}, "Searching the guides", dots)));
      try {
        const data = await this.request("/api/ask", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ question, top_k: 3, history: this.history(question) }),
        });
        if (!data || typeof data.answer !== "string") throw Object.assign(new Error("unexpected reply"), { kind: "reply" });
        pending.remove();
        if (conversation === this.conversation) {
          this.push({ role: "bot", data });
          this.loadNext(data);
        }
      } catch (error) {
        pending.remove();
        if (conversation === this.conversation) this.showError(question, error);
      } finally {
        this.busy = false;
        this.send.removeAttribute("aria-disabled");
      }
    }

    showError(question, error) {
      const retry = h(
        "button",
        {
          type: "button",
          class: "chip",
          part: "retry",
          onclick: () => {
            if (this.busy) return;
            box.remove();
            this.input.focus();
            this.ask(question);
          },
        },
        "Try again",
      );
      const box = this.show(this.bubble("bot error", describeError(error)));
      box.append(h("div", { class: "chips" }, retry));
    }

    clear() {
      this.conversation += 1; // a reply still on its way belongs to the cleared conversation
      this.next = null;
      this.items = [];
      this.save();
      this.renderAll();
      this.input.focus();
    }

    // "Check my email": a tab whose form sends a draft to /api/check-draft; the draft is never saved.
    addChecker(form, clear) {
      const tab = (label, check) =>
        h("button", { type: "button", role: "tab", class: "tab", part: "tab", "aria-selected": String(!check), onclick: () => this.setMode(check) }, label);
      this.tabs = [tab("Ask a question", false), tab("Check my email", true)];
      this.draft = h("textarea", { id: "draft", class: "draft", part: "draft", maxlength: DRAFT_MAX, placeholder: "Paste the email you plan to send a program…" });
      this.checkButton = h("button", { type: "button", class: "send", part: "check", onclick: () => this.checkDraft() }, "Check");
      this.findings = h("div", { part: "findings", "aria-live": "polite" });
      this.checker = h(
        "div",
        { class: "body", role: "tabpanel", "aria-label": "Check my email", hidden: true },
        h("label", { for: "draft", class: "label" }, "Your email draft"),
        this.draft,
        h("div", { class: "row" }, h("span", { class: "hint" }, "Checked against the guide's advice."), this.checkButton),
        this.findings,
      );
      this.chatParts = [this.body, form, this.panel.querySelector(".foot"), clear];
      this.panel.querySelector("header").after(h("div", { class: "tabs", part: "tabs", role: "tablist", "aria-label": "Mode" }, ...this.tabs));
      this.panel.append(this.checker);
    }

    setMode(check) {
      this.tabs.forEach((tab, i) => tab.setAttribute("aria-selected", String(i === Number(check))));
      this.chatParts.forEach((el) => (el.hidden = check));
      this.checker.hidden = !check;
      (check ? this.draft : this.input).focus();
    }

    async checkDraft() {
      const text = this.draft.value.slice(0, DRAFT_MAX);
      if (!text.trim() || this.checking) return;
      this.checking = true;
      this.checkButton.setAttribute("aria-disabled", "true");
      this.findings.replaceChildren(h("p", { class: "sum", part: "loading" }, "Checking your draft against the guide…"));
      try {
        const data = await this.request("/api/check-draft", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ text }) });
        if (!data || !Array.isArray(data.findings)) throw Object.assign(new Error("unexpected reply"), { kind: "reply" });
        this.findings.replaceChildren(...this.report(data));
      } catch (error) {
        this.findings.replaceChildren(h("p", { class: "msg error" }, describeError(error)));
      } finally {
        this.checking = false;
        this.checkButton.removeAttribute("aria-disabled");
      }
    }

    report(data) {
      const items = data.findings
        .filter((f) => f && typeof f === "object")
        .map((f) => {
          const severity = Object.hasOwn(SEVERITY, f.severity) ? f.severity : "tip";
          const cites = (Array.isArray(f.citations) ? f.citations : []).filter((c) => c && typeof c === "object");
          return h(
            "li",
            { class: `finding ${severity}`, part: "finding" },
            h("span", { class: "sev" }, SEVERITY[severity]),
            h("blockquote", { class: "q" }, String(f.quote || "")),
            h("p", {}, String(f.message || "")),
            cites.length > 0 && h("ol", { class: "cites" }, ...cites.map((c) => this.citation(c))),
          );
        });
      const summary = h("p", { class: "sum", part: "summary" }, String(data.summary || ""));
      return items.length ? [summary, h("ul", { class: "found" }, ...items)] : [summary];
    }

    // On the cited guide's own page, scroll to the section and highlight it instead of opening a new tab.
    follow(event, url) {
      if (url.origin !== location.origin || url.pathname !== location.pathname || !url.hash) return;
      const target = document.getElementById(decodeURIComponent(url.hash.slice(1)));
      if (!target) return;
      event.preventDefault();
      if (this.floating && matchMedia(SMALL_SCREEN).matches) this.close(false);
      if (this.lit) this.lit.classList.remove("advisor-highlight");
      clearTimeout(this.litTimer);
      this.lit = target;
      target.classList.add("advisor-highlight");
      target.scrollIntoView({ behavior: reducedMotion() ? "auto" : "smooth", block: "start" });
      if (target.hasAttribute("tabindex")) target.focus({ preventScroll: true });
      this.litTimer = setTimeout(() => target.classList.remove("advisor-highlight"), HIGHLIGHT_MS);
    }
  }

  customElements.define(TAG, AdvisorChat);

  // The script tag alone gives the floating launcher; a page that places <advisor-chat> itself gets it inline.
  function mount() {
    if (document.querySelector(TAG)) return;
    const element = document.createElement(TAG);
    element.setAttribute("mode", "launcher");
    document.body.append(element);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mount);
  else mount();
})();
