/*
 * The admin page's report of the FAQ answers customers rated "not helpful" most in the widget
 * (GET /api/admin/answer_ratings), each with the customer questions that got them, so reviewers
 * see which answers to improve. Read-only; admin.js loads and redraws it with the page.
 * Customer questions are inserted as text only.
 */
(function () {
  "use strict";

  const VC = window.VC;
  const t = VC.t, el = VC.el;

  const list = document.getElementById("answer-ratings");
  let entries = null;

  async function load() {
    const data = await VC.api("GET", "/api/admin/answer_ratings");
    entries = Array.isArray(data && data.entries) ? data.entries : [];
    render();
  }

  const refresh = VC.refresher(load);

  function item(entry) {
    const id = String(entry.faq_id);
    const examples = Array.isArray(entry.examples) ? entry.examples : [];
    return el("li", { class: "vc-rating-item", dataset: { faq: id } }, [
      el("code", { text: id }),
      el("p", { class: "vc-meta vc-muted", text: t("answerRatingsFacts", entry.not_helpful, entry.helpful) }),
      examples.length ? el("ul", { class: "vc-rating-examples", "aria-label": t("answerRatingsExamples", id) },
        examples.map((text) => el("li", { text: String(text) }))) : null,
    ]);
  }

  function render() {
    if (!entries) return;
    list.replaceChildren(...(entries.length ? entries.map(item)
      : [el("li", { class: "vc-empty vc-muted", text: t("answerRatingsEmpty") })]));
  }

  window.VCAnswerRatings = { refresh, render };
})();
