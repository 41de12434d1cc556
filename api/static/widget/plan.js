// "My plan": the applicant's visa need, Step 3 and programs in; /api/plan's dated steps out, drawn as a timeline
// grouped by month, each step quoting the guide with its sources and, where the guide has a template, the draft and
// what the email check says of it. The form and the plan are kept in the store (this browser tab only); the
// calendar comes from /api/plan.ics and is saved from memory, without leaving the page.

// The choices are /api/plan's (api/plan.py), as are the limits: 1–100 programs, names up to 120 characters.
const VISAS = [["none", "None"], ["J-1"], ["H-1B"], ["either", "J-1 or H-1B"]];
const STEP3 = [["no", "Not planned"], ["planned", "Planned"], ["done", "Done"]];
const SPONSORS = [["unknown", "Visas: unknown"], ["J-1", "J-1 only"], ["H-1B", "H-1B only"], ["both", "J-1 and H-1B"], ["none", "No visas"]];
const INTEREST = [["normal", "Normal interest"], ["high", "High interest"], ["top", "Top choice"]];
const NEWS = [["score", "New score"], ["publication", "Publication"], ["letter", "New letter"]];
// Each kind of step: its name on the card and the glyph on its timeline marker (the marker's colour is in CSS).
const KINDS = {
  step3: ["Step 3", "3"],
  visa_question: ["Visa question", "?"],
  thank_you: ["Thank-you email", "✉"],
  update: ["Update", "↑"],
  letter_of_interest: ["Letter of interest", "♥"],
  letter_of_intent: ["Letter of intent", "★"],
  stop: ["Rank list due", "■"],
};

const isDay = (s) => /^\d{4}-\d\d-\d\d$/.test(s) && new Date(`${s}T00:00Z`).toISOString().startsWith(s);
// A YYYY-MM-DD day in words, in UTC on both sides so no time zone moves it.
const dayText = (iso, opts = { month: "short", day: "numeric" }) => new Date(`${iso}T00:00Z`).toLocaleDateString("en-US", { timeZone: "UTC", ...opts });

function choice(label, options, value) {
  const select = h("select", { "aria-label": label }, ...options.map(([v, text]) => h("option", { value: v }, text || v)));
  select.value = options.some(([v]) => v === value) ? value : options[0][0];
  return select;
}

// Pasted lines (tabs from a spreadsheet, else semicolons, else commas): name, interview date (empty or "pending":
// none yet), sponsors, interest. Returns the programs, or the first line it cannot read as a string.
function pastedPrograms(text) {
  const programs = [];
  for (const [i, line] of String(text).split("\n").entries()) {
    const sep = line.includes("\t") ? "\t" : line.includes(";") ? ";" : ",";
    const [name, date = "", sponsors = "", interest = ""] = line.split(sep).map((cell) => cell.trim().replace(/^"(.*)"$/, "$1"));
    const word = (s) => s.toLowerCase().replace(/[^a-z1]/g, "");
    const p = {
      name,
      interview_date: /^(pending)?$/i.test(date) ? null : date,
      sponsors: { j1: "J-1", h1b: "H-1B", "": "unknown" }[word(sponsors)] || word(sponsors),
      interest: { topchoice: "top", "": "normal" }[word(interest)] || word(interest),
    };
    // A blank line; a header row.
    if (!line.trim() || (!i && /^\W*name$/i.test(name))) continue;
    if (!name || name.length > 120 || (p.interview_date && !isDay(date)) || !SPONSORS.some(([v]) => v === p.sponsors) || !INTEREST.some(([v]) => v === p.interest))
      return `Line ${i + 1} is not as above: ${line}`;
    programs.push(p);
  }
  return programs;
}

class PlanTab {
  constructor(widget) {
    this.widget = widget;
    this.label = "My plan";
    this.visa = choice("Visa you need", VISAS);
    this.step3 = choice("USMLE Step 3", STEP3);
    this.programs = h("ol", { class: "prows", "aria-label": "Your programs" });
    this.updates = h("ul", { class: "prows", "aria-label": "Updates you expect" });
    this.paste = h("textarea", { class: "draft", part: "plan-paste", "aria-label": "Programs, one a line" });
    this.make = h("button", { type: "button", class: "send", part: "plan-make", onclick: () => this.plan() }, "Make my plan");
    this.note = h("p", { class: "hint", role: "status" });
    this.pasteNote = h("p", { class: "hint", role: "status" });
    this.out = h("div", { class: "plan-out" });
    const add = (label, onclick) => h("button", { type: "button", class: "chip", onclick }, label);
    const field = (label, control) => h("label", { class: "fld" }, label, control);
    this.body = h(
      "div",
      { class: "body", role: "tabpanel", "aria-label": this.label },
      h(
        "div",
        { class: "plan", part: "plan-form", oninput: () => this.saveForm() },
        h("div", { class: "fields" }, field("Visa you need", this.visa), field("USMLE Step 3", this.step3)),
        h("p", { class: "label" }, "Your programs"),
        this.programs,
        add("+ Add a program", () => this.addProgram({}, true)),
        h(
          "details",
          { class: "paste" },
          h("summary", {}, "Paste a list"),
          h("p", { class: "hint" }, "One program a line: name, interview date (YYYY-MM-DD or empty), sponsors (J-1, H-1B, both, none or unknown), interest (top, high or normal)."),
          this.paste,
          add("Add these programs", () => this.addPasted()),
          this.pasteNote,
        ),
        h("p", { class: "label" }, "Updates you expect"),
        this.updates,
        add("+ Add a score, publication or letter", () => this.addUpdate({}, true)),
        h("div", { class: "row" }, this.note, this.make),
      ),
      this.out,
    );
    this.parts = [this.body];
    this.headerParts = [];
    this.focusTarget = this.visa;
    this.restore();
  }

  configure(moved) {
    if (moved) this.restore();
  }

  // The form and the plan for this API and guide, as the store kept them.
  restore() {
    const form = this.widget.store.get("planForm") || {};
    const saved = this.widget.store.get("plan");
    // A value the select lacks leaves it empty: then the first choice.
    for (const [select, value] of [[this.visa, form.visa], [this.step3, form.step3]]) {
      select.value = value;
      if (!select.value) select.selectedIndex = 0;
    }
    this.programs.replaceChildren();
    this.updates.replaceChildren();
    objects(form.programs).forEach((p) => this.addProgram(p));
    if (!this.programs.children.length) this.addProgram({});
    objects(form.updates).forEach((u) => this.addUpdate(u));
    this.saved = saved && saved.request && saved.reply && Array.isArray(saved.reply.actions) ? saved : null;
    this.out.replaceChildren(...(this.saved ? this.timeline() : []));
  }

  saveForm() {
    this.widget.store.set("planForm", this.read());
  }

  // A row of the programs or the updates, with its remove button; `focus`: added by the applicant.
  row(list, max, focus, ...controls) {
    if (list.children.length >= max) return;
    const li = h("li", { class: "prow", part: "plan-row" }, ...controls);
    li.append(h("button", { type: "button", class: "hbtn rm", "aria-label": "Remove", onclick: () => (li.remove(), this.saveForm()) }, "×"));
    list.append(li);
    if (focus) controls[0].focus(), this.saveForm();
  }

  addProgram(p, focus) {
    this.row(
      this.programs,
      100,
      focus,
      h("input", { "aria-label": "Program name", maxlength: 120, placeholder: "Program name", value: p.name }),
      h("input", { type: "date", "aria-label": "Interview date (empty: none yet)", value: p.interview_date }),
      choice("What the program sponsors", SPONSORS, p.sponsors),
      choice("Your interest", INTEREST, p.interest),
      h("label", { class: "chk" }, h("input", { type: "checkbox", checked: p.interviewed_or_waitlisted === true }), "Interviewed or waitlisted"),
    );
  }

  addUpdate(u, focus) {
    this.row(this.updates, 20, focus, choice("Kind of update", NEWS, u.kind), h("input", { type: "date", "aria-label": "Expected on", value: u.date }));
  }

  addPasted() {
    const programs = pastedPrograms(this.paste.value);
    if (typeof programs === "string") {
      this.pasteNote.textContent = programs;
      return this.pasteNote.scrollIntoView({ block: "nearest" });
    }
    for (const li of [...this.programs.children]) if (!li.querySelector("input").value.trim()) li.remove();
    programs.forEach((p) => this.addProgram(p));
    this.paste.value = "";
    this.pasteNote.textContent = `Added ${programs.length}.`;
    this.saveForm();
  }

  read() {
    const values = (list) => [...list.children].map((li) => [...li.querySelectorAll("input,select")].map((c) => (c.type === "checkbox" ? c.checked : c.value)));
    return {
      visa: this.visa.value,
      step3: this.step3.value,
      programs: values(this.programs).map(([name, date, sponsors, interest, flag]) => ({ name, interview_date: date || null, sponsors, interest, interviewed_or_waitlisted: flag })),
      updates: values(this.updates).map(([kind, date]) => ({ kind, date })),
    };
  }

  async plan() {
    const request = this.read();
    // A name is one line of text: the API refuses control characters, which a paste can carry.
    request.programs.forEach((p) => (p.name = p.name.replace(/[\x00-\x1f\x7f]/g, " ").trim()));
    const unnamed = request.programs.findIndex((p) => !p.name) + 1;
    const problem = !request.programs.length ? "Add a program." : unnamed ? `Program ${unnamed} needs a name.` : request.updates.some((u) => !u.date) && "Each update needs a date.";
    if (problem || this.busy) return (this.note.textContent = problem || this.note.textContent);
    const now = new Date();
    // The applicant's own day, not the server's.
    request.today = new Date(now - now.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
    this.busy = true;
    this.make.setAttribute("aria-disabled", "true");
    this.note.textContent = "Making your plan from the guide…";
    try {
      const reply = await this.widget.client.post("/api/plan", request);
      if (!reply || !Array.isArray(reply.actions)) throw failure("reply", "unexpected reply");
      this.saved = { request, reply };
      this.widget.store.set("plan", this.saved);
      this.out.replaceChildren(...this.timeline());
      this.note.textContent = "Your plan is below.";
      this.body.scrollTo({ top: this.out.offsetTop - 8, behavior: reducedMotion() ? "auto" : "smooth" });
    } catch (error) {
      this.note.textContent = describeError(error);
    } finally {
      this.busy = false;
      this.make.removeAttribute("aria-disabled");
    }
  }

  // The saved plan: its calendar button, the warnings, then the steps by month (the last: the rank-list deadline).
  timeline() {
    const { reply } = this.saved;
    const months = new Map();
    for (const a of objects(reply.actions).filter((a) => isDay(a.start))) {
      const month = dayText(a.start, { month: "long", year: "numeric" });
      months.set(month, [...(months.get(month) || []), this.card(a)]);
    }
    this.icsNote = h("p", { class: "hint", role: "status" });
    const warnings = objects(reply.warnings).map((w) =>
      h("li", { class: "finding caution", part: "plan-warning" }, h("span", { class: "sev" }, "Warning"), ...this.step(w.program, w.text, w.rule, objects(w.citations))),
    );
    return [
      h(
        "div",
        { class: "row" },
        h("h3", { class: "sum" }, "Your plan"),
        h("button", { type: "button", class: "chip", part: "plan-ics", onclick: () => this.calendar() }, "Download calendar (.ics)"),
      ),
      this.icsNote,
      warnings.length > 0 && h("ul", { class: "found" }, ...warnings),
      h("div", { part: "plan-timeline" }, ...[...months].flatMap(([month, cards]) => [h("h4", { class: "mon" }, month), h("ol", { class: "cards" }, ...cards)])),
    ];
  }

  // Cited passages as source cards, as under chat answers.
  cites(list) {
    const follow = (event, url) => this.widget.links.follow(event, url);
    return list.length > 0 && h("ol", { class: "cites" }, ...list.map((c) => citationCard(c, follow)));
  }

  // What a step or warning says: the program, what to do or what is wrong, the guide's rule quoted, its sources.
  step(program, text, rule, cites) {
    return [
      typeof program === "string" && h("p", { class: "prog" }, program),
      h("p", {}, String(text || "")),
      rule && h("blockquote", { class: "rule", part: "plan-rule" }, `“${rule}”`),
      this.cites(cites),
    ];
  }

  // One step on the timeline: the date column, the marker of its kind, the step, and its draft folded with what
  // the email check says of it (drawn as the "Check my email" tab draws findings) and the guide's template, which
  // is the last citation of a step with a draft.
  card(a) {
    const known = Object.hasOwn(KINDS, a.kind);
    const [name, glyph] = known ? KINDS[a.kind] : [a.kind, "•"];
    const findings = objects(a.draft_findings);
    const sources = objects(a.citations);
    const draft = typeof a.draft === "string";
    return h(
      "li",
      { class: `card ${known ? a.kind : ""}`, part: "plan-card" },
      h("div", { class: "when" }, h("time", { datetime: a.start }, dayText(a.start)), isDay(a.end) && a.end !== a.start && `–${dayText(a.end)}`),
      h("span", { class: "mark", "aria-hidden": "true" }, glyph),
      h(
        "div",
        { class: "what" },
        h("p", { class: "kind" }, name),
        ...this.step(a.program, a.text, a.rule, draft ? sources.slice(0, -1) : sources),
        draft &&
          h(
            "details",
            { part: "plan-draft" },
            h("summary", {}, "Show draft"),
            h("pre", { class: "tpl", part: "template" }, a.draft),
            ...DraftTab.prototype.report.call(this, { findings, summary: findings.length ? "The email check:" : "The email check finds nothing." }),
            h("p", { class: "label" }, "The guide's template"),
            this.cites(sources.slice(-1)),
          ),
      ),
    );
  }

  // The plan as an iCalendar file, saved from memory. Not through client.post, which reads JSON; otherwise as the
  // client does: no cookies, the time-out, stopped with the client's other requests.
  async calendar() {
    const client = this.widget.client;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(failure("timeout", "timeout")), client.timeoutMs);
    client.inFlight.add(controller);
    this.icsNote.textContent = "";
    try {
      const body = JSON.stringify(this.saved.request);
      const response = await fetch(`${client.base}/api/plan.ics`, { method: "POST", headers: { "Content-Type": "application/json" }, body, credentials: "omit", signal: controller.signal });
      if (!response.ok) throw Object.assign(new Error(), { status: response.status });
      const url = URL.createObjectURL(await response.blob());
      h("a", { href: url, download: "outreach-plan.ics" }).click();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (error) {
      this.icsNote.textContent = describeError(controller.signal.reason || error);
    } finally {
      clearTimeout(timer);
      client.inFlight.delete(controller);
    }
  }
}

TABS.push(PlanTab);
