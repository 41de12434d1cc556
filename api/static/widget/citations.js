// A cited passage as a card: its heading, the verbatim excerpt (folded), a link to the section and the guide's
// name and review date. Used under answers (chat.js) and under draft findings (drafts.js).

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

// `follow(event, url)` handles a click on the section link (links.js: on the guide's own page, scroll there).
function citationCard(c, follow) {
  const url = safeUrl(c.url);
  const section = String(c.section || c.guide || "");
  const path = section.split(" > ").slice(0, -1).join(" › ");
  const reviewed = c.last_reviewed ? ` · reviewed ${c.last_reviewed}` : "";
  const link =
    url &&
    h(
      "a",
      { href: url.href, target: "_blank", rel: "noopener", part: "link", "aria-label": `Go to section: ${leafOf(section)}`, onclick: (event) => follow(event, url) },
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
