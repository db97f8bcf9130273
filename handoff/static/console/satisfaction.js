/*
 * The customers' ratings after a resolution on the stats page: count, mean and how many gave
 * each score, overall and per channel (``satisfaction`` of /api/stats; stats.js calls this).
 */
(function () {
  "use strict";

  const VC = window.VC;
  const t = VC.t, el = VC.el;
  const SCORES = ["1", "2", "3", "4", "5"];

  function row(label, data) {
    const number = new Intl.NumberFormat(VC.locale(), { maximumFractionDigits: 2 });
    return el("tr", {}, [
      el("th", { scope: "row", text: label }),
      el("td", { class: "vc-num", text: number.format(data.count) }),
      el("td", { class: "vc-num", text: data.count ? number.format(data.mean) : t("none") }),
      ...SCORES.map((score) => el("td", { class: "vc-num", text: number.format(data.distribution[score] || 0) })),
    ]);
  }

  VC.renderSatisfaction = function (satisfaction) {
    const body = document.getElementById("satisfaction-rows");
    if (!body || !satisfaction) return;
    const channels = Object.keys(satisfaction.channels || {}).sort();
    body.replaceChildren(row(t("satisfactionAll"), satisfaction),
                         ...channels.map((c) => row(t("channel." + c), satisfaction.channels[c])));
  };
})();
