/*
 * The ticket page's "get back later" and "ask an expert" panel. Pending: the owner picks a time and
 * the message (prefilled by GET .../pending/message in the customer's language, the time in the
 * brand's zone) and marks the ticket pending; "Resume" takes it up again. Consulting: the owner picks
 * an expert (HANDOFF_EXPERTS) or types an address and a question; hidden while e-mail is off.
 * Redrawn on ticket.js's "vc:ticket" event; what the moderator typed is kept. Text only, never HTML.
 */
(function () {
  "use strict";

  const VC = window.VC;
  const t = VC.t, el = VC.el;
  const DEFAULT_HOURS_AHEAD = 2;

  const ticketId = decodeURIComponent(location.pathname.replace(/^\/tickets\//, "").replace(/\/$/, ""));
  let experts = { enabled: false, experts: [] };
  let ticket = null;
  let messageEdited = false;
  let asked = 0; // the latest prefill asked for: an older answer arriving late is dropped

  const status = el("p", { id: "pending-status", class: "vc-muted", role: "status" });
  const when = el("input", { type: "datetime-local", id: "pending-until", onchange: prefill });
  const message = el("textarea", { id: "pending-message", rows: 3, maxlength: 4000,
                                   oninput: () => { messageEdited = true; } });
  const setButton = el("button", { type: "submit", id: "pending-set", class: "vc-btn vc-btn-quiet",
                                   text: t("pendingSet") });
  const resumeButton = el("button", { type: "button", id: "pending-resume", class: "vc-btn vc-btn-quiet",
                                      text: t("pendingResume"), onclick: resume });
  const pendingForm = el("form", { id: "pending-form", class: "vc-note-form vc-stack-form", novalidate: true,
                                   onsubmit: setPending }, [
    el("label", { for: "pending-until", text: t("pendingWhen") }), when,
    el("label", { for: "pending-message", text: t("pendingMessage") }), message,
    el("div", { class: "vc-actions" }, [setButton, resumeButton]),
  ]);
  const expertSelect = el("select", { id: "consult-expert", onchange: () => { toInput.value = expertSelect.value; } });
  const toInput = el("input", { type: "email", id: "consult-to", maxlength: 254, autocomplete: "off" });
  const question = el("textarea", { id: "consult-question", rows: 3, maxlength: 4000 });
  const consultForm = el("form", { id: "consult-form", class: "vc-note-form vc-stack-form", hidden: true,
                                   novalidate: true, onsubmit: consult }, [
    el("h3", { text: t("consultTitle") }),
    el("label", { for: "consult-expert", text: t("consultExpert") }), expertSelect,
    el("label", { for: "consult-to", text: t("consultTo") }), toInput,
    el("label", { for: "consult-question", text: t("consultQuestion") }), question,
    el("button", { type: "submit", id: "consult-send", class: "vc-btn vc-btn-quiet", text: t("consultSend") }),
  ]);
  const panel = el("section", { id: "pending-panel", class: "vc-panel", "aria-labelledby": "pending-title",
                                hidden: true }, [
    el("h2", { id: "pending-title", text: t("pendingTitle") }), status, pendingForm, consultForm,
  ]);

  function mine() {
    return ticket && VC.me && ticket.state === "assigned" && ticket.owner === VC.me.login;
  }

  function localValue(unix) {
    const d = new Date(unix * 1000);
    d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
    return d.toISOString().slice(0, 16);
  }

  function chosenUntil() {
    const at = new Date(when.value).getTime() / 1000;
    return isFinite(at) ? at : null;
  }

  async function prefill() {
    const until = chosenUntil();
    if (until === null || messageEdited) return;
    const ask = ++asked;
    try {
      const data = await VC.api("GET", VC.ticketPath(ticketId, "pending/message") + "?pending_until=" + until);
      if (!messageEdited && ask === asked) message.value = data.message;
    } catch (error) {
      if (error.status !== 400) VC.showApiError(error); // a time in the past: said when it is sent
    }
  }

  function render(detail) {
    ticket = detail.ticket;
    const side = document.querySelector(".vc-side");
    if (side && !panel.isConnected) side.insertBefore(panel, side.children[3] || null);
    panel.hidden = ticket.state !== "assigned";
    status.replaceChildren(...(ticket.due ? [el("span", { class: "vc-chip is-strong", text: t("pendingDue") })]
      : ticket.pending_until ? [t("pendingUntil", ""), VC.timeEl(ticket.pending_until)] : []));
    pendingForm.hidden = !mine();
    resumeButton.hidden = !(ticket.pending_until || ticket.due);
    if (!when.value) {
      when.value = localValue(Math.ceil(VC.now() / 3600 + DEFAULT_HOURS_AHEAD) * 3600);
      if (mine()) prefill();
    }
    consultForm.hidden = !(experts.enabled && (mine() || (VC.me && VC.me.role === "admin")));
  }

  async function run(button, work) {
    button.disabled = true;
    try {
      await work();
    } catch (error) {
      VC.showApiError(error);
    } finally {
      button.disabled = false;
    }
  }

  function setPending(event) {
    event.preventDefault();
    run(setButton, async () => {
      const body = { pending_until: chosenUntil() };
      if (message.value.trim()) body.message = message.value.trim();
      await VC.api("POST", VC.ticketPath(ticketId, "pending"), body);
      messageEdited = false;
      VC.notify(t("pendingDone"));
    });
  }

  function resume() {
    run(resumeButton, async () => {
      await VC.api("POST", VC.ticketPath(ticketId, "resume"));
      VC.notify(t("pendingResumed"));
    });
  }

  function consult(event) {
    event.preventDefault();
    run(document.getElementById("consult-send"), async () => {
      const sent = await VC.api("POST", VC.ticketPath(ticketId, "consult"),
                                { to: toInput.value.trim(), question: question.value.trim() });
      question.value = "";
      VC.notify(t("consultSent", sent.to));
    });
  }

  async function loadExperts() {
    try {
      experts = await VC.api("GET", "/api/consult/experts");
    } catch (error) {
      return; // the consult form stays hidden
    }
    expertSelect.replaceChildren(el("option", { value: "", text: t("consultChoose") }),
      ...experts.experts.map((x) => el("option", { value: x.address, text: x.name + " <" + x.address + ">" })));
    if (ticket) render({ ticket });
  }

  document.addEventListener("vc:ticket", (event) => render(event.detail));
  loadExperts();
})();
