/*
 * Ticket search on the queue page (GET /api/tickets/search): the filters live in the page's URL
 * (?q=...&channel=...), so a view can be shared or reloaded; "More" follows the API's cursor.
 */
(function () {
  "use strict";

  const VC = window.VC;
  const t = VC.t, el = VC.el;
  const FILTERS = ["q", "channel", "state", "owner", "tag", "from", "to", "sort"];
  const form = document.getElementById("search-form");
  const rows = document.getElementById("search-rows");
  const table = document.getElementById("search-results");
  const status = document.getElementById("search-status");
  const more = document.getElementById("search-more");
  let cursor = null;

  /** The filled-in filters as a query; a date's "to" is that whole day (handoff/search.py). */
  function query() {
    const params = new URLSearchParams();
    for (const name of FILTERS) {
      const value = (form.elements[name].value || "").trim();
      if (value && !(name === "sort" && value === "newest")) params.set(name, value);
    }
    return params;
  }

  function row(ticket) {
    return el("tr", { dataset: { ticket: ticket.id } }, [
      el("td", {}, el("a", { href: VC.ticketUrl(ticket.id), text: ticket.id })),
      el("td", { text: ticket.customer_name || t("customer") }),
      el("td", { text: t("channel." + ticket.channel) }),
      el("td", { text: t("state." + ticket.state) }),
      el("td", { text: ticket.owner_name || ticket.owner || t("none") }),
      el("td", {}, VC.timeEl(ticket.created_at)),
    ]);
  }

  async function run(params, append) {
    if (cursor && append) params.set("cursor", cursor);
    let data;
    try {
      data = await VC.api("GET", "/api/tickets/search?" + params.toString());
    } catch (error) {
      VC.showApiError(error);
      return;
    }
    const found = data.tickets.map(row);
    if (append) rows.append(...found);
    else rows.replaceChildren(...found);
    cursor = data.next_cursor;
    table.hidden = !rows.children.length;
    more.hidden = !cursor;
    status.textContent = !rows.children.length && !cursor ? t("searchNone")
      : cursor && !data.tickets.length ? t("searchPartial", data.scanned) : "";
  }

  function search(event) {
    event.preventDefault();
    const params = query();
    const url = new URL(location.href);
    url.search = params.toString();
    history.replaceState(null, "", url);
    cursor = null;
    run(params, false);
  }

  /** Filters given in the address (a shared view): filled in and searched at once. */
  function fromAddress() {
    const given = new URLSearchParams(location.search);
    let any = false;
    for (const name of FILTERS) {
      if (given.has(name)) {
        form.elements[name].value = given.get(name);
        any = true;
      }
    }
    if (any) run(query(), false);
  }

  form.addEventListener("submit", search);
  more.addEventListener("click", () => run(query(), true));
  fromAddress();
})();
