/*
 * A crisis's page (/crises/<id>, GET /api/crises/<id>): its group of tickets and, for admins, one
 * statement (pl/en) sent to every open conversation of the group, and closing the crisis.
 * Customer and statement text is only ever set as text.
 */
(function () {
  "use strict";

  const VC = window.VC;
  const t = VC.t, el = VC.el;
  const $ = (id) => document.getElementById(id);
  const crisisId = location.pathname.split("/").pop();
  let data = null;

  function stamp(unix) {
    return new Date(unix * 1000).toLocaleString(VC.locale(), { dateStyle: "short", timeStyle: "short" });
  }

  const load = VC.refresher(async () => {
    data = await VC.api("GET", "/api/crises/" + encodeURIComponent(crisisId));
    render();
  });

  function render() {
    if (!data) return;
    const c = data.crisis;
    $("crisis-title").textContent = t("crisisTitle") + ": " + c.topic;
    $("crisis-summary").textContent = t("crisisState." + c.state) + " · " + t("crisisSince", stamp(c.started)) +
      " · " + c.tickets;
    $("crisis-published").textContent =
      c.published_by ? t("crisisPublishedBy", c.published_by, stamp(c.published_at)) : "";
    const admin = VC.me && VC.me.role === "admin";
    $("crisis-form").hidden = !admin || c.state !== "open";
    $("crisis-admin-only").hidden = admin;
    $("crisis-tickets").replaceChildren(...data.tickets.map((ticket) => el("li", {}, [
      el("a", { href: VC.ticketUrl(ticket.id), text: ticket.id }),
      " · " + (ticket.customer_name || t("customer")) + " · " + t("channel." + ticket.channel) + " · " +
        t("state." + ticket.state),
    ])));
  }

  async function publish(event) {
    event.preventDefault();
    const form = event.target, body = {};
    for (const lang of ["pl", "en"]) {
      if (form.elements[lang].value.trim()) body[lang] = form.elements[lang].value;
    }
    try {
      const counts = await VC.api("POST", "/api/admin/crises/" + encodeURIComponent(crisisId) + "/statement", body);
      $("crisis-status").textContent = t("crisisPublished", counts);
      await load();
    } catch (error) {
      VC.showApiError(error);
    }
  }

  async function close() {
    try {
      await VC.api("POST", "/api/admin/crises/" + encodeURIComponent(crisisId) + "/close");
      $("crisis-status").textContent = t("crisisClosed");
      await load();
      if (window.VC_CRISIS) window.VC_CRISIS.refresh();
    } catch (error) {
      VC.showApiError(error);
    }
  }

  $("crisis-form").addEventListener("submit", publish);
  $("crisis-close").addEventListener("click", close);
  VC.start({ load, render, onEvent: () => load() });
})();
