// Helpful / not helpful under an answer, sent to /api/feedback without cookies. The vote is kept on the saved
// answer (chat.items), so a reload shows the thanks, not the buttons.

function feedbackRow(chat, data, citations) {
  const row = h("div", { class: "fb", part: "feedback", role: "group", "aria-label": "Was this answer helpful?" });
  const thanks = () => row.replaceChildren(h("span", { role: "status" }, "Thanks for your feedback."));
  if (data.voted) return thanks(), row;
  const note = h("span", { role: "status" });
  const send = async (vote) => {
    const refocus = row.contains(chat.widget.shadowRoot.activeElement);
    buttons.forEach((b) => (b.disabled = true));
    try {
      const cited = citations.map((c) => ({ chunk_id: String(c.chunk_id), section: String(c.section), guide_slug: String(c.guide_slug) }));
      const body = { vote, question: String(data.question).slice(0, 1000), answered: data.answered === true, citations: cited.slice(0, 10), content_version: data.content_version };
      await chat.widget.client.post("/api/feedback", body);
      data.voted = vote;
      chat.save();
      thanks();
      if (refocus) chat.input.focus();
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
