/*
 * The queue page (GET /): open tickets, waiting ones first in serving order, then claimed ones;
 * below them the recently closed. Redrawn on every live event; clocks tick in between.
 */
(function () {
  "use strict";

  const VC = window.VC;
  const t = VC.t, el = VC.el;
  const RECENT_ROWS = 20;
  const CLOSING = new Set(["resolved", "handed_back"]);

  let queue = null;
  let recent = null;

  const rows = document.getElementById("queue-rows");
  const recentRows = document.getElementById("recent-rows");

  async function loadQueue() {
    const data = await VC.api("GET", "/api/queue");
    VC.setServerNow(data.now);
    // due pending tickets first (their promised time came, or an expert answered), the rest as served
    queue = data.tickets.slice().sort((a, b) => Number(Boolean(b.due)) - Number(Boolean(a.due)));
    render();
  }

  async function loadRecent() {
    const data = await VC.api("GET", "/api/tickets/recent");
    recent = Array.isArray(data) ? data : [];
    renderRecent();
  }

  const refreshQueue = VC.refresher(loadQueue);
  const refreshRecent = VC.refresher(loadRecent);
  if (VC.teams) VC.teams.onChange(render);

  function customer(ticket) {
    return ticket.customer_name || t("customer");
  }

  function reasons(ticket) {
    return el("ul", { class: "vc-chips" }, (ticket.reasons || []).map((reason) => el("li", {
      class: "vc-chip" + (VC.STRONG_REASONS.has(reason) ? " is-strong" : ""), title: reason,
      text: VC.reasonLabel(reason),
    })));
  }

  function channel(ticket) {
    const badge = ticket.public ? el("span", { class: "vc-chip is-strong vc-public-badge", title: t("publicCommentHint"),
                                              text: t("publicComment") }) : null;
    return el("td", {}, [t("channel." + ticket.channel), badge ? " " : null, badge]);
  }

  function ticketLink(ticket) {
    return el("a", { href: VC.ticketUrl(ticket.id), text: ticket.id });
  }

  function actions(ticket) {
    const cell = [];
    if (ticket.state === "queued") {
      cell.push(el("button", {
        type: "button", class: "vc-btn vc-btn-small", "aria-label": t("claimTicket", ticket.id),
        dataset: { focusKey: "claim:" + ticket.id }, text: t("claim"),
        onclick: (event) => claim(ticket, event.currentTarget),
      }), " ");
    }
    cell.push(el("a", { class: "vc-btn vc-btn-quiet vc-btn-small", href: VC.ticketUrl(ticket.id),
                        "aria-label": t("openTicket", ticket.id), dataset: { focusKey: "open:" + ticket.id },
                        text: t("open") }));
    return el("td", {}, cell);
  }

  function row(ticket) {
    const mine = VC.me && ticket.owner === VC.me.login;
    return el("tr", {
      class: "is-" + ticket.state + (VC.overdue(ticket) ? " is-late" : "") + (ticket.due ? " is-due" : ""),
      dataset: { ticket: ticket.id },
    }, [
      el("td", { class: "vc-num", text: ticket.position ? ticket.position + "." : t("none") }),
      el("td", {}, ticketLink(ticket)),
      el("td", { text: customer(ticket) }),
      channel(ticket),
      el("td", { text: t("langName." + ticket.lang) }),
      el("td", {}, reasons(ticket)),
      el("td", {}, VC.waitClock(ticket)),
      el("td", {}, VC.slaClock(ticket)),
      el("td", {}, [ticket.owner ? [mine ? el("strong", { text: ticket.owner_name || ticket.owner })
                                         : ticket.owner_name || ticket.owner]
                                 : el("span", { class: "vc-state vc-state-queued", text: t("state.queued") }),
        pendingChip(ticket), VC.teams ? VC.teams.chip(ticket) : null].flat(2)), // el() takes one level
      actions(ticket),
    ]);
  }

  /** "pending until 10:00", or "due now" once the promised time came (handoff/pending.py). */
  function pendingChip(ticket) {
    if (ticket.due) return [" ", el("span", { class: "vc-chip is-strong vc-due", text: t("pendingDue") })];
    if (!ticket.pending_until) return null;
    return [" ", el("span", { class: "vc-chip vc-pending" }, [t("pendingUntil", ""), VC.timeEl(ticket.pending_until)])];
  }

  /** Redraw the rows, keeping the keyboard focus on the same control of the same ticket. */
  function render() {
    if (!queue) return;
    const focused = document.activeElement && document.activeElement.dataset
      ? document.activeElement.dataset.focusKey : null;
    const queued = queue.filter((ticket) => ticket.state === "queued").length;
    const shown = VC.teams ? queue.filter(VC.teams.shows) : queue; // "my team" or "all" (teams.js)
    rows.replaceChildren(...(shown.length ? shown.map(row)
      : [el("tr", { class: "vc-empty" }, el("td", { colspan: 10, text: t("queueEmpty") }))]));
    document.getElementById("queue-summary").textContent = t("queueSummary", queued, queue.length - queued);
    document.title = t("queueDocTitle", queued);
    if (focused) {
      const again = rows.querySelector('[data-focus-key="' + CSS.escape(focused) + '"]');
      if (again) again.focus();
    }
    VC.tick();
  }

  function renderRecent() {
    if (!recent) return;
    const closed = recent.slice(0, RECENT_ROWS).map((ticket) => el("tr", { dataset: { ticket: ticket.id } }, [
      el("td", {}, ticketLink(ticket)),
      el("td", { text: customer(ticket) }),
      el("td", { text: t("channel." + ticket.channel) }),
      el("td", {}, reasons(ticket)),
      el("td", { text: t("outcome." + ticket.outcome) }),
      el("td", { text: ticket.owner_name || ticket.owner || t("none") }),
      el("td", {}, VC.timeEl(ticket.resolved_at)),
    ]));
    recentRows.replaceChildren(...(closed.length ? closed
      : [el("tr", { class: "vc-empty" }, el("td", { colspan: 7, text: t("recentEmpty") }))]));
  }

  async function claim(ticket, button) {
    button.disabled = true;
    try {
      await VC.api("POST", VC.ticketPath(ticket.id, "claim"));
      location.assign(VC.ticketUrl(ticket.id));
    } catch (error) {
      if (error.status === 401) return;
      VC.showError(t("claimFailed", ticket.id) + error.message);
      button.disabled = false;
      refreshQueue();
    }
  }

  VC.start({
    load: () => Promise.all([refreshQueue(), refreshRecent()]),
    render: () => {
      render();
      renderRecent();
    },
    onEvent: (event) => {
      refreshQueue();
      if (VC.teams) VC.teams.refreshLoads();
      if (!event || CLOSING.has(event.action)) refreshRecent();
    },
  });
})();
