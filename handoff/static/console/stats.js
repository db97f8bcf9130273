/*
 * The stats page (GET /stats): /api/stats as a small table, refreshed every 10 s.
 * Seconds are shown as minutes, shares as percentages, counts as they are.
 */
(function () {
  "use strict";

  const VC = window.VC;
  const t = VC.t, el = VC.el;
  const REFRESH_MS = 10000;
  const ORDER = [
    "queue_length", "open_tickets", "oldest_wait_seconds", "sla_breaches_open", "first_response_seconds_avg",
    "resolution_seconds_avg", "tickets_created_total", "first_responses_total", "resolved_total",
    "handed_back_total", "conversations_total", "handoff_rate", "bot_resolved_share",
  ];
  const SHARES = new Set(["handoff_rate", "bot_resolved_share"]);

  let stats = null;
  let updatedAt = 0;

  function format(name, value) {
    const number = Number(value);
    if (!isFinite(number)) return t("none");
    if (SHARES.has(name)) {
      return new Intl.NumberFormat(VC.locale(), { style: "percent", maximumFractionDigits: 1 }).format(number);
    }
    const decimals = { maximumFractionDigits: 1 };
    if (name.endsWith("_seconds") || name.endsWith("_seconds_avg")) {
      return t("minutes", new Intl.NumberFormat(VC.locale(), decimals).format(number / 60));
    }
    return new Intl.NumberFormat(VC.locale(), decimals).format(number);
  }

  function render() {
    if (!stats) return;
    const names = ORDER.filter((name) => name in stats)
      .concat(Object.keys(stats).filter((name) => !ORDER.includes(name) && typeof stats[name] === "number"));
    VC.renderSatisfaction(stats.satisfaction); // satisfaction.js
    document.getElementById("stats-rows").replaceChildren(...names.map((name) => el("tr", { dataset: { stat: name } }, [
      el("th", { scope: "row", text: t("stat." + name) }),
      el("td", { class: "vc-num", text: format(name, stats[name]) }),
    ])));
    document.getElementById("stats-updated").textContent = t("statsUpdated", VC.clockTime(updatedAt));
    document.getElementById("stats-sla").textContent = VC.me ? t("statsSla", VC.me.sla_minutes) : "";
  }

  async function load() {
    stats = await VC.api("GET", "/api/stats");
    updatedAt = Date.now() / 1000;
    render();
  }

  const refresh = VC.refresher(load);

  // Every ticket change moves a figure: follow the live feed too (refreshes coalesce).
  VC.start({ load: () => refresh(), render, onEvent: () => refresh() }).then(() => setInterval(refresh, REFRESH_MS));
})();
