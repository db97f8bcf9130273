/*
 * Teams in the console: the moderator's status in the header (available, busy, away), the presence
 * ping (GET /api/status every PING_MS: a closed console goes "away" on the server, handoff/presence.py),
 * and on the queue page each ticket's team, the "my team" / "all" filter and the members' loads.
 */
(function () {
  "use strict";

  const VC = window.VC;
  const t = VC.t, el = VC.el;
  const PING_MS = 30000; // well under the server's presence time (HANDOFF_PRESENCE_SECONDS, 90 s)
  const FILTER_KEY = "voltaConsole.teamFilter";
  const STATUSES = ["available", "busy", "away"];

  let mine = { status: null, teams: [] };
  let filter = readFilter();
  const listeners = [];

  function readFilter() {
    try {
      return localStorage.getItem(FILTER_KEY) === "mine" ? "mine" : "all";
    } catch (e) {
      return "all";
    }
  }

  function changed() {
    listeners.forEach((listener) => listener());
  }

  async function ping() {
    try {
      mine = await VC.api("GET", "/api/status");
      renderStatus();
    } catch (error) {
      // signed out or offline: console.js shows it; the next ping tries again
    }
  }

  async function setStatus(value) {
    try {
      mine = await VC.api("PUT", "/api/status", { status: value });
      renderStatus();
      refreshLoads();
    } catch (error) {
      VC.showError(t("statusFailed") + error.message);
      renderStatus();
    }
  }

  function renderStatus() {
    const header = document.getElementById("vc-header");
    if (!header || !VC.me) return;
    let select = document.getElementById("vc-status");
    if (!select) {
      select = el("select", { id: "vc-status", class: "vc-status", "aria-label": t("statusLabel"),
                              onchange: (event) => setStatus(event.currentTarget.value) },
                  STATUSES.map((s) => el("option", { value: s, text: t("status." + s) })));
      const anchor = header.querySelector(".vc-me");
      if (anchor) anchor.after(" ", select); else header.append(select);
    }
    if (mine.status) {
      select.value = mine.status;
      select.dataset.status = mine.status;
    }
  }

  // -- the queue page ------------------------------------------------------------------------

  function shows(ticket) {
    if (filter === "all") return true;
    return mine.teams.includes(ticket.team) || (VC.me && ticket.owner === VC.me.login);
  }

  function chip(ticket) {
    if (!ticket.team) return null;
    return [" ", el("span", { class: "vc-chip vc-team", title: t("teamLoadsTitle"), text: ticket.team })];
  }

  function renderFilter() {
    const box = document.getElementById("team-filter");
    if (!box) return;
    const select = el("select", { id: "team-filter-select", "aria-label": t("teamFilterLabel"),
                                  onchange: (event) => {
                                    filter = event.currentTarget.value;
                                    try { localStorage.setItem(FILTER_KEY, filter); } catch (e) { /* private mode */ }
                                    changed();
                                  } },
                      ["mine", "all"].map((f) => el("option", { value: f, text: t("teamFilter." + f) })));
    select.value = filter;
    box.replaceChildren(el("label", {}, [t("teamFilterLabel") + " ", select]));
  }

  async function refreshLoads() {
    const list = document.getElementById("team-loads");
    if (!list) return;
    let data;
    try {
      data = await VC.api("GET", "/api/team_loads");
    } catch (error) {
      return;
    }
    list.replaceChildren(...(data.teams.length ? data.teams.map((team) => el("li", { dataset: { team: team.name } }, [
      el("strong", { text: team.name }), ": ",
      team.members.map((m, i) => [i ? ", " : "", el("span", {
        class: "vc-load is-" + m.status, dataset: { login: m.login },
        text: t("memberLoad", m.login, m.load, m.capacity, t("status." + m.status)) })]).flat(),
    ].flat())) : [el("li", { class: "vc-muted", text: t("teamLoadsEmpty") })]));
  }

  const header = document.getElementById("vc-header");
  if (header) new MutationObserver(renderStatus).observe(header, { childList: true }); // redrawn by console.js
  renderFilter();
  ping().then(() => { changed(); refreshLoads(); });
  setInterval(() => { ping(); refreshLoads(); }, PING_MS);

  VC.teams = {
    shows, chip, refreshLoads,
    onChange: (listener) => listeners.push(listener),
  };
})();
