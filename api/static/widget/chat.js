// "Ask a question": the conversation (kept in the store), the questions to suggest, asking /api/ask with the
// earlier turns, and each reply drawn from its blocks (blocks.js) with its sources (citations.js) and a vote
// (feedback.js).

const SHOWN_SUGGESTIONS = 4;
const SAVED_ITEMS = 40;

class ChatTab {
  constructor(widget) {
    this.widget = widget;
    this.label = "Ask a question";
    this.items = [];
    this.busy = false;
    this.conversation = 0; // a reply that comes back after the conversation changed is dropped
    this.suggestions = null;
    this.next = null;
    this.greeting = h("p", { class: "text" }, widget.setting("welcome"));
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
    this.parts = [this.body, form, h("p", { class: "foot" }, "Answers quote the guides. Check the linked section.")];
    this.headerParts = [clear];
    this.focusTarget = this.input;
    this.restore();
    this.renderAll();
  }

  opened() {
    this.loadSuggestions();
    this.scrollTo(this.body.scrollHeight);
  }

  configure(moved) {
    this.greeting.textContent = this.widget.setting("welcome");
    if (!moved) return;
    this.conversation += 1;
    this.suggestions = this.next = null;
    this.restore();
    this.renderAll();
    if (!this.widget.panel.hidden) this.loadSuggestions();
  }

  restore() {
    const valid = (item) => item && ((item.role === "user" && typeof item.text === "string") || (item.role === "bot" && item.data));
    const items = this.widget.store.get("items");
    this.items = Array.isArray(items) ? items.filter(valid) : [];
  }

  save() {
    this.widget.store.set("items", this.items.slice(-SAVED_ITEMS));
  }

  renderAll() {
    this.log.replaceChildren(this.box("bot", this.greeting), ...this.items.map((item) => this.render(item)));
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
    const citations = objects(data.citations);
    const numbers = new Set(citations.map((c) => `[${c.n}]`));
    const kind = data.answered ? "bot" : "bot nc";
    const blocks = objects(data.answer_blocks);
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
      const follow = (event, url) => this.widget.links.follow(event, url);
      box.append(h("p", { class: "label" }, "Sources"), h("ol", { class: "cites" }, ...citations.map((c) => citationCard(c, follow))));
    }
    if (typeof data.content_version === "string") box.append(feedbackRow(this, data, citations));
    return box;
  }

  chip(label, question) {
    const button = h(
      "button",
      {
        type: "button",
        class: "chip",
        part: "suggestion",
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
    const first = objects(data.citations)[0];
    const conversation = this.conversation;
    this.next = null;
    if (first && typeof first.guide_slug === "string" && typeof first.section === "string") {
      const query = `?limit=3&guide=${encodeURIComponent(first.guide_slug)}&section=${encodeURIComponent(first.section)}`;
      try {
        const reply = await this.widget.client.request(`/api/suggestions${query}`);
        if (conversation !== this.conversation) return;
        this.next = strings(reply.suggestions).slice(0, 3);
      } catch {
        this.next = null; // suggestions are a help, never an error
      }
    }
    this.renderChips();
  }

  // The questions offered when the conversation is empty: the guide's, else (no such guide) all guides'.
  async loadSuggestions() {
    const key = this.widget.store.key;
    if (this.suggestions || this.loading === key) return;
    this.loading = key;
    const guide = this.widget.guide;
    const query = (slug) => `/api/suggestions?limit=${SHOWN_SUGGESTIONS}${slug ? `&guide=${encodeURIComponent(slug)}` : ""}`;
    let found = null;
    try {
      let data;
      try {
        data = await this.widget.client.request(query(guide));
      } catch (error) {
        if (error.status !== 404 || !guide) throw error;
        data = await this.widget.client.request(query(""));
      }
      found = strings(data.suggestions).slice(0, SHOWN_SUGGESTIONS);
    } catch {
      // no suggestions now; the next opening tries again
    }
    if (key !== this.widget.store.key) return; // another guide's, asked for before the settings changed
    this.loading = null;
    this.suggestions = found;
    this.renderChips();
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
      const data = await this.widget.client.post("/api/ask", { question, top_k: 3, history: this.history(question) });
      if (!data || typeof data.answer !== "string") throw failure("reply", "unexpected reply");
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
    this.conversation += 1;
    this.next = null;
    this.items = [];
    this.save();
    this.renderAll();
    this.input.focus();
  }
}

TABS.push(ChatTab);
