// An answer's text as nodes: the structured answer (answer_blocks) when the server sends it, else the plain
// `answer` with its [n] markers. Only the guide's words, as text.

// "[n]" markers that refer to a citation become small superscripts; everything else stays plain text.
function answerNodes(answer, numbers) {
  return String(answer)
    .split(/(\[\d+\])/)
    .filter(Boolean)
    .map((part) => (numbers.has(part) ? h("span", { class: "ref" }, part) : part));
}

// A list is its lead-in once, then bullets; a template keeps its line breaks; prose stays sentences; each block
// carries its [n]. When the question asked several things, each ask labels its blocks.
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
