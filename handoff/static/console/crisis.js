/*
 * The crisis banner on every console page (queue, ticket, a crisis's page): each open crisis's topic,
 * how many conversations, since when, and a link to its group (GET /api/crises every POLL_MS).
 * Topics are inserted as text only.
 */
(function () {
  "use strict";

  const VC = window.VC;
  const t = VC.t, el = VC.el;
  const POLL_MS = 30000;

  function since(unix) {
    return new Date(unix * 1000).toLocaleTimeString(VC.locale(), { hour: "2-digit", minute: "2-digit" });
  }

  function banner() {
    let node = document.getElementById("crisis-banner");
    if (!node) {
      node = el("div", { id: "crisis-banner", class: "vc-crisis", role: "alert", hidden: true });
      const header = document.getElementById("vc-header");
      if (header) header.after(node);
      else document.body.prepend(node);
    }
    return node;
  }

  async function refresh() {
    let crises;
    try {
      crises = (await VC.api("GET", "/api/crises")).crises;
    } catch (error) {
      return; // signed out or offline: console.js shows it; the next poll tries again
    }
    const node = banner();
    node.replaceChildren(...crises.map((c) => el("p", {}, [
      t("crisisBanner", c.topic, c.tickets, since(c.started)), " ",
      el("a", { href: "/crises/" + encodeURIComponent(c.id), text: t("crisisOpenGroup") }),
    ])));
    node.hidden = crises.length === 0;
  }

  window.VC_CRISIS = { refresh };
  refresh();
  setInterval(refresh, POLL_MS);
})();
