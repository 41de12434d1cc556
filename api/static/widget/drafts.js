// "Check my email": the applicant pastes the email they plan to send a program; /api/check-draft answers with
// findings, each quoting the draft and citing the guide. The draft is never saved.

const SEVERITY = { problem: "Problem", caution: "Caution", tip: "Tip" };
const DRAFT_MAX = 5000;

class DraftTab {
  constructor(widget) {
    this.widget = widget;
    this.label = "Check my email";
    this.checking = false;
    this.draft = h("textarea", { id: "draft", class: "draft", part: "draft", maxlength: DRAFT_MAX, placeholder: "Paste the email you plan to send a program…" });
    this.button = h("button", { type: "button", class: "send", part: "check", onclick: () => this.check() }, "Check");
    this.findings = h("div", { part: "findings", "aria-live": "polite" });
    this.parts = [
      h(
        "div",
        { class: "body", role: "tabpanel", "aria-label": this.label },
        h("label", { for: "draft", class: "label" }, "Your email draft"),
        this.draft,
        h("div", { class: "row" }, h("span", { class: "hint" }, "Checked against the guide's advice."), this.button),
        this.findings,
      ),
    ];
    this.headerParts = [];
    this.focusTarget = this.draft;
  }

  async check() {
    const text = this.draft.value.slice(0, DRAFT_MAX);
    if (!text.trim() || this.checking) return;
    this.checking = true;
    this.button.setAttribute("aria-disabled", "true");
    this.findings.replaceChildren(h("p", { class: "sum", part: "loading" }, "Checking your draft against the guide…"));
    try {
      const data = await this.widget.client.post("/api/check-draft", { text });
      if (!data || !Array.isArray(data.findings)) throw failure("reply", "unexpected reply");
      this.findings.replaceChildren(...this.report(data));
    } catch (error) {
      this.findings.replaceChildren(h("p", { class: "msg error" }, describeError(error)));
    } finally {
      this.checking = false;
      this.button.removeAttribute("aria-disabled");
    }
  }

  report(data) {
    const follow = (event, url) => this.widget.links.follow(event, url);
    const items = objects(data.findings).map((f) => {
      const severity = Object.hasOwn(SEVERITY, f.severity) ? f.severity : "tip";
      const cites = objects(f.citations);
      return h(
        "li",
        { class: `finding ${severity}`, part: "finding" },
        h("span", { class: "sev" }, SEVERITY[severity]),
        h("blockquote", { class: "q" }, String(f.quote || "")),
        h("p", {}, String(f.message || "")),
        cites.length > 0 && h("ol", { class: "cites" }, ...cites.map((c) => citationCard(c, follow))),
      );
    });
    const summary = h("p", { class: "sum", part: "summary" }, String(data.summary || ""));
    return items.length ? [summary, h("ul", { class: "found" }, ...items)] : [summary];
  }
}

TABS.push(DraftTab);
