/*
 * The stats page's report over a window (GET /api/stats?window=today|7d|30d): first-response and
 * resolution percentiles in total, per channel, per team and per day, SLA breaches, the helpful share of
 * each FAQ answer, two bar charts per day drawn as plain SVG (first-response p90, volume), and the CSV
 * export link. Channel, team and FAQ names are inserted as text only.
 */
(function () {
  "use strict";

  const VC = window.VC;
  const t = VC.t, el = VC.el;
  const SVG = "http://www.w3.org/2000/svg";
  const REFRESH_MS = 60000;
  const CHART = { width: 640, height: 160, top: 16, bottom: 28, left: 44 };

  const select = document.getElementById("report-window");
  const csv = document.getElementById("report-csv");
  let data = null;

  function minutes(seconds) {
    if (seconds == null || !isFinite(Number(seconds))) return t("none");
    return t("minutes", new Intl.NumberFormat(VC.locale(), { maximumFractionDigits: 1 }).format(seconds / 60));
  }

  function svg(tag, attrs, children) {
    const node = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, String(value));
    for (const child of children || []) node.append(child);
    return node;
  }

  /** A bar per day; each bar's <title> gives its exact value (hover, screen readers). */
  function barChart(id, label, days, value, format) {
    const values = days.map(value), max = Math.max(1, ...values.filter((v) => v != null));
    const plotH = CHART.height - CHART.top - CHART.bottom, step = (CHART.width - CHART.left) / Math.max(days.length, 1);
    const bars = days.map((day, i) => {
      const v = values[i] == null ? 0 : values[i], h = Math.round((v / max) * plotH);
      const x = CHART.left + i * step;
      const title = svg("title");
      title.textContent = day.day + ": " + format(values[i]);
      return svg("g", { class: "vc-bar", "data-day": day.day }, [
        svg("rect", { x: x + step * 0.15, y: CHART.top + plotH - h, width: step * 0.7, height: h }, [title]),
        days.length <= 10 || i % 5 === 0 ? svg("text", { x: x + step / 2, y: CHART.height - 10, "text-anchor": "middle" },
          [day.day.slice(5)]) : "",
      ]);
    });
    const top = svg("text", { x: CHART.left - 6, y: CHART.top + 4, "text-anchor": "end" }, [format(max)]);
    const axis = svg("line", { x1: CHART.left, x2: CHART.width, y1: CHART.top + plotH, y2: CHART.top + plotH });
    const chart = svg("svg", { id, class: "vc-chart", role: "img", "aria-label": label,
                               viewBox: `0 0 ${CHART.width} ${CHART.height}` }, [top, axis, ...bars]);
    return el("figure", {}, [el("figcaption", { text: label }), chart]);
  }

  function summaryRows(name, s) {
    const f = s.first_response_seconds || {}, r = s.resolution_seconds || {};
    return el("tr", {}, [el("th", { scope: "row", text: name }), el("td", { class: "vc-num", text: String(s.tickets) }),
      ...["p50", "p90", "p95"].map((p) => el("td", { class: "vc-num", text: minutes(f[p]) })),
      el("td", { class: "vc-num", text: minutes(r.p90) }), el("td", { class: "vc-num", text: String(s.sla_breaches) })]);
  }

  function table(caption, rows) {
    const head = ["reportGroup", "reportTickets", "reportFirstP50", "reportFirstP90", "reportFirstP95",
                  "reportResolutionP90", "reportSla"];
    return el("table", { class: "vc-table vc-report-table" }, [el("caption", { text: caption }),
      el("thead", {}, el("tr", {}, head.map((k, i) => el("th", { scope: "col", class: i ? "vc-num" : null, text: t(k) })))),
      el("tbody", {}, rows)]);
  }

  function ratingsTable(entries) {
    const pct = new Intl.NumberFormat(VC.locale(), { style: "percent", maximumFractionDigits: 0 });
    return el("table", { class: "vc-table vc-report-table" }, [el("caption", { text: t("reportRatings") }),
      el("thead", {}, el("tr", {}, ["reportFaq", "reportHelpfulShare", "reportRatingsCount"].map((k, i) =>
        el("th", { scope: "col", class: i ? "vc-num" : null, text: t(k) })))),
      el("tbody", {}, entries.length ? entries.map((e) => el("tr", { dataset: { faq: String(e.faq_id) } }, [
        el("th", { scope: "row", text: String(e.faq_id) }), el("td", { class: "vc-num", text: pct.format(e.helpful_share) }),
        el("td", { class: "vc-num", text: String(e.helpful + e.not_helpful) })]))
        : el("tr", { class: "vc-empty" }, el("td", { colspan: "3", text: t("reportNoRatings") })))]);
  }

  function render() {
    if (!data || !data.report) return;
    const r = data.report, days = r.per_day || [];
    const groups = (map) => Object.entries(map || {}).map(([name, s]) => summaryRows(name || t("reportNoTeam"), s));
    document.getElementById("report").replaceChildren(
      barChart("chart-first-p90", t("reportChartP90"), days, (d) => (d.first_response_seconds || {}).p90, minutes),
      barChart("chart-volume", t("reportChartVolume"), days, (d) => d.tickets, (v) => String(v == null ? 0 : v)),
      table(t("reportTotal"), [summaryRows(t("reportAll"), r.total)]),
      table(t("reportPerChannel"), groups(r.per_channel)),
      r.per_team ? table(t("reportPerTeam"), groups(r.per_team)) : "",
      table(t("reportPerDay"), days.map((d) => summaryRows(d.day, d))),
      ratingsTable(data.answer_ratings || []),
    );
  }

  async function load() {
    const chosen = select.value;
    csv.href = "/api/stats.csv?window=" + encodeURIComponent(chosen);
    data = await VC.api("GET", "/api/stats?window=" + encodeURIComponent(chosen));
    render();
  }

  const refresh = VC.refresher(load);
  select.addEventListener("change", () => refresh());
  refresh();
  setInterval(refresh, REFRESH_MS);
})();
