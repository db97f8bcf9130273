/*
 * The shift handover page (/handover, GET /api/handover): important notes, promised times due in
 * the next shift, open tickets by owner with how long they have waited; the same as plain text to
 * copy or print. Customer and moderator text is only ever set as text.
 */
(function () {
  "use strict";

  const VC = window.VC;
  const t = VC.t, el = VC.el;
  const $ = (id) => document.getElementById(id);
  let data = null;

  const load = VC.refresher(async () => {
    data = await VC.api("GET", "/api/handover");
    VC.setServerNow(data.now);
    render();
  });

  function stamp(unix) {
    return new Date(unix * 1000).toLocaleString(VC.locale(), { dateStyle: "short", timeStyle: "short" });
  }

  function ticketLine(ticket) {
    return ticket.id + " · " + (ticket.customer_name || t("customer")) + " · " + t("channel." + ticket.channel);
  }

  function link(ticket) {
    return el("a", { href: VC.ticketUrl(ticket.id), text: ticketLine(ticket) });
  }

  function list(node, items) {
    node.replaceChildren(...(items.length ? items : [el("li", { class: "vc-muted", text: t("handoverNothing") })]));
  }

  function ownerName(group) {
    return group.owner ? (group.owner_name || group.owner) : t("handoverQueue");
  }

  function render() {
    if (!data) return;
    $("handover-due-title").textContent = t("handoverDue", data.shift_hours);
    list($("handover-notes"), data.notes.map((note) => el("li", { class: "vc-note is-important" }, [
      el("div", { class: "vc-meta" }, [
        el("a", { href: VC.ticketUrl(note.ticket), text: note.ticket }), " · ", note.author, " · ", stamp(note.at)]),
      el("div", { class: "vc-note-text", text: note.text }),
    ])));
    list($("handover-due"), data.due.map((ticket) => el("li", {}, [
      link(ticket), " · " + t("handoverDueAt") + " " + stamp(ticket.pending_until)])));
    $("handover-owners").replaceChildren(...(data.owners.length ? data.owners.map((group) => el("div", {}, [
      el("h3", { text: ownerName(group) }),
      el("ul", { class: "vc-list" }, group.tickets.map((ticket) => el("li", {}, [
        link(ticket), " · " + t("handoverWaited") + " " + VC.duration(ticket.waited_seconds)]))),
    ])) : [el("p", { class: "vc-muted", text: t("handoverNothing") })]));
    $("handover-text").value = asText();
  }

  /** The handover as plain text, in the page's order. */
  function asText() {
    const lines = [t("handoverTitle") + " — " + stamp(data.now), "", t("handoverNotes") + ":"];
    for (const note of data.notes) lines.push("- " + note.ticket + " (" + note.author + "): " + note.text);
    if (!data.notes.length) lines.push("- " + t("handoverNothing"));
    lines.push("", t("handoverDue", data.shift_hours) + ":");
    for (const ticket of data.due) lines.push("- " + ticketLine(ticket) + " · " + t("handoverDueAt") + " "
                                              + stamp(ticket.pending_until));
    if (!data.due.length) lines.push("- " + t("handoverNothing"));
    lines.push("", t("handoverOwners") + ":");
    for (const group of data.owners) {
      lines.push(ownerName(group) + ":");
      for (const ticket of group.tickets) lines.push("  - " + ticketLine(ticket) + " · " + t("handoverWaited") + " "
                                                     + VC.duration(ticket.waited_seconds));
    }
    return lines.join("\n");
  }

  async function copy() {
    try {
      await navigator.clipboard.writeText($("handover-text").value);
      VC.notify(t("handoverCopied"));
    } catch (e) {
      $("handover-text").closest("details").open = true; // no clipboard: select it by hand
      $("handover-text").select();
    }
  }

  $("handover-copy").addEventListener("click", copy);
  $("handover-print").addEventListener("click", () => window.print());
  VC.start({ load, render, onEvent: () => load() });
})();
