/*
 * The ticket page (GET /tickets/{id}): the conversation, why the bot handed it over, suggested
 * answers, the reply form (only the owner replies), notes, tags, transfer, resolve and hand back.
 * Re-fetched on every live event for this ticket; new messages are appended, never redrawn,
 * so the log announces only what is new and the reply being typed is kept.
 */
(function () {
  "use strict";

  const VC = window.VC;
  const t = VC.t, el = VC.el;
  const MAX_TEXT = 4000;
  const PENDING_POLL_MS = 3000;
  const PENDING_MATCH_SECONDS = 120; // a delivered reply's timestamp (Redis's clock when it was written) follows the click
  const TYPING_EVERY_MS = 4000; // "the agent is typing" told to the customer at most this often
  const DRAFT_KEY = "voltaConsole.draft.";

  const ticketId = decodeURIComponent(location.pathname.replace(/^\/tickets\//, "").replace(/\/$/, ""));
  const $ = (id) => document.getElementById(id);
  const reply = $("reply-text"), tagsInput = $("tags-input"), noteText = $("note-text");
  const transcriptList = $("transcript"), dialog = $("confirm");

  let detail = null;
  let moderators = [];
  let shownKeys = [];
  let pending = []; // replies sent but not yet back in the conversation: [{text, at}]
  let pendingTimer = 0;
  let renderedTags = null;

  // -- data ----------------------------------------------------------------------------------

  async function load() {
    try {
      detail = await VC.api("GET", VC.ticketPath(ticketId));
    } catch (error) {
      if (error.status === 404) {
        $("ticket").hidden = true;
        $("ticket-missing").hidden = false;
        return;
      }
      throw error;
    }
    $("ticket-missing").hidden = true;
    $("ticket").hidden = false;
    render(false);
    schedulePendingPoll();
  }

  async function loadModerators() {
    try {
      moderators = await VC.api("GET", "/api/moderators");
    } catch (error) {
      moderators = []; // the transfer list stays empty; everything else works
    }
  }

  const refresh = VC.refresher(load);

  function schedulePendingPoll() {
    clearTimeout(pendingTimer);
    if (pending.length) pendingTimer = setTimeout(refresh, PENDING_POLL_MS);
  }

  // -- who may do what -----------------------------------------------------------------------

  function ticket() {
    return detail.ticket;
  }

  function mine() {
    return ticket().state === "assigned" && VC.me && ticket().owner === VC.me.login;
  }

  function admin() {
    return Boolean(VC.me && VC.me.role === "admin");
  }

  function canClose() {
    const state = ticket().state;
    return mine() || (admin() && (state === "assigned" || state === "queued"));
  }

  function nameOf(login) {
    const found = moderators.find((m) => m.login === login);
    return found ? found.display_name : login;
  }

  function customerName() {
    return ticket().customer_name || t("customer");
  }

  // -- drawing -------------------------------------------------------------------------------

  function render(force) {
    if (!detail) return;
    const tk = ticket();
    document.title = t("ticketDocTitle", tk.id);
    $("ticket-title").textContent = t("ticketTitle", tk.id, customerName());
    $("ticket-state").replaceChildren(el("span", { class: "vc-state vc-state-" + tk.state,
                                                   text: tk.state === "resolved" && tk.outcome
                                                     ? t("outcome." + tk.outcome) : t("state." + tk.state) }));
    $("fact-channel").textContent = t("channel." + tk.channel);
    $("fact-lang").textContent = t("langName." + tk.lang);
    $("fact-owner").textContent = tk.owner_name || tk.owner || t("none");
    $("fact-waiting").replaceChildren(VC.waitClock(tk));
    $("fact-sla").replaceChildren(VC.slaClock(tk));
    if (VC.laterWait(tk)) {  // "klient czeka od 14:05:10": the oldest message since the last reply
      const since = t("waitingSince", VC.clockTime(tk.waiting_since));
      $("fact-sla").append(el("span", { class: "vc-waiting-since", text: " · " + since }));
    }
    renderRating(tk);
    renderTranscript(force);
    renderComment();
    renderReplyForm();
    renderReasons();
    renderSuggestions();
    renderActions();
    renderTags();
    renderNotes();
    renderHistory();
    document.dispatchEvent(new CustomEvent("vc:ticket", { detail })); // pending.js: pending, consulting
    VC.tick();
  }

  /** The customer's 1-5 after the resolution and their comment (as text: it is the customer's). */
  function renderRating(tk) {
    $("fact-rating-row").hidden = tk.rating == null;
    $("fact-rating").textContent = tk.rating == null ? "" : t("ratingValue", tk.rating);
    $("fact-rating-comment").textContent = tk.rating_comment || "";
    $("fact-rating-comment").hidden = !tk.rating_comment;
  }

  /** A public comment: a badge, the comment with a link, and the public/private choice (default
   *  public; private greyed out once the comment's one private reply is used). */
  function renderComment() {
    const comment = detail.comment;
    $("comment-box").hidden = !ticket().public;
    $("visibility").hidden = !ticket().public;
    if (!ticket().public) return;
    $("comment-text").textContent = comment ? comment.text : "";
    $("comment-link").hidden = !comment;
    if (comment) $("comment-link").href = comment.url;
    const used = Boolean(comment && comment.private_reply_used);
    $("visibility-private").disabled = used || !comment;
    $("visibility-private-label").textContent = t(used ? "visibilityPrivateUsed" : "visibilityPrivate");
    if ($("visibility-private").disabled) $("visibility-public").checked = true;
  }

  function visibility() {
    return $("visibility-private").checked ? "private" : "public";
  }

  function turnKey(turn) {
    return turn.role + "|" + turn.at + "|" + turn.text;
  }

  function who(turn) {
    if (turn.role === "customer") return customerName();
    if (turn.role === "moderator") return turn.name || t("moderator");
    return t("bot");
  }

  function turnEl(turn, isPending) {
    const label = [el("strong", { text: who(turn) })];
    if (turn.role === "moderator") label.push(" · " + t("moderator"));
    label.push(" · ", VC.timeEl(turn.at));
    if (isPending) label.push(" · " + t("pending"));
    return el("li", { class: "vc-msg vc-msg-" + turn.role + (isPending ? " is-pending" : "") }, [
      el("span", { class: "vc-who" }, label),
      el("div", { class: "vc-bubble", text: turn.text }),
    ]);
  }

  function delivered(reply, turns) {
    return turns.some((turn) => turn.role === "moderator" && turn.text.includes(reply.text)
                                && turn.at >= reply.at - PENDING_MATCH_SECONDS);
  }

  /** Append what is new; redraw only when the conversation is not a continuation of what is shown. */
  function renderTranscript(force) {
    const turns = detail.transcript || [];
    const keys = turns.map(turnKey);
    const list = transcriptList;
    const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 60;
    const continues = !force && shownKeys.length <= keys.length && shownKeys.every((key, i) => key === keys[i]);
    for (const node of list.querySelectorAll(".is-pending, .vc-empty")) node.remove();
    if (!continues) {
      list.replaceChildren();
      shownKeys = [];
    }
    const added = turns.length - shownKeys.length;
    for (const turn of turns.slice(shownKeys.length)) list.append(turnEl(turn, false));
    shownKeys = keys;
    pending = pending.filter((p) => !delivered(p, turns));
    for (const p of pending) {
      list.append(turnEl({ role: "moderator", text: p.text, at: p.at, name: VC.me.display_name }, true));
    }
    if (!turns.length && !pending.length) list.append(el("li", { class: "vc-empty", text: t("transcriptEmpty") }));
    if (nearBottom || !continues || added > 0) list.scrollTop = list.scrollHeight;
  }

  /** Meta's windows for a Messenger ticket (detail.reply_window): a note after 24 hours, and no
   *  reply box after 7 days (the API would refuse the reply with 409). */
  function windowClosed() {
    const w = detail.reply_window;
    const notice = $("window-notice");
    notice.hidden = !w || w.state === "standard";
    if (w && w.state === "human_agent") {
      const until = new Intl.DateTimeFormat(VC.locale(), { dateStyle: "medium", timeStyle: "short" });
      notice.textContent = t("windowHumanAgent", until.format(new Date(w.human_agent_until * 1000)));
    } else if (w && w.state === "closed") {
      notice.textContent = t("windowClosed");
    }
    return Boolean(w && w.state === "closed");
  }

  function renderReplyForm() {
    const tk = ticket(), closed = windowClosed(), can = mine() && !closed;
    const hint = $("claim-hint");
    reply.disabled = !can;
    $("reply-send").disabled = !can;
    hint.hidden = mine();
    $("claim-button").hidden = tk.state !== "queued";
    if (tk.state === "queued") $("claim-hint-text").textContent = t("claimToReply");
    else if (tk.state === "assigned") $("claim-hint-text").textContent = t("ownedBy", tk.owner_name || tk.owner);
    else $("claim-hint-text").textContent = t("closedInfo", t("outcome." + (tk.outcome || "resolved")));
    updateCount();
  }

  function updateCount() {
    $("reply-count").textContent = t("chars", reply.value.length, MAX_TEXT);
  }

  function renderReasons() {
    const tk = ticket();
    $("reasons").replaceChildren(...(tk.reasons || []).map((reason) => el("li", {
      class: "vc-chip" + (VC.STRONG_REASONS.has(reason) ? " is-strong" : ""), title: reason,
      text: VC.reasonLabel(reason),
    })));
    const evidence = tk.evidence || [];
    $("evidence").replaceChildren(...(evidence.length ? evidence.map((item) => el("li", {}, [
      el("span", { text: item.title || item.faq_id || t("none") }),
      el("span", { class: "vc-score", text: t("score", score(item.score)) }),
    ])) : [el("li", { class: "vc-muted", text: t("evidenceEmpty") })]));
  }

  function score(value) {
    const number = Number(value);
    if (!isFinite(number)) return t("none");
    return new Intl.NumberFormat(VC.locale(), { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(number);
  }

  function renderSuggestions() {
    const items = detail.suggestions || [];
    const can = mine();
    $("suggestions").replaceChildren(...(items.length ? items.map((item) => el("li", { class: "vc-suggestion" }, [
      el("div", { class: "vc-suggestion-head" }, [
        el("span", { text: item.title || item.faq_id }),
        el("span", { class: "vc-score", text: t("score", score(item.score)) }),
      ]),
      el("p", { text: item.answer }),
      el("button", { type: "button", class: "vc-btn vc-btn-quiet vc-btn-small", disabled: !can,
                     "aria-label": t("useSuggestionLabel", item.title || item.faq_id), text: t("useSuggestion"),
                     onclick: () => useSuggestion(item) }),
    ])) : [el("li", { class: "vc-muted", text: t("suggestionsEmpty") })]));
  }

  function renderActions() {
    const tk = ticket();
    $("resolve").disabled = !canClose();
    $("handback").disabled = !canClose();
    $("reopen").hidden = tk.state !== "resolved"; // POST .../reopen: 409 when the conversation has another open ticket
    const canTransfer = tk.state === "assigned" && (mine() || admin());
    const select = $("transfer-to");
    const chosen = select.value;
    const options = moderators.filter((m) => m.login !== tk.owner).map((m) => el("option", {
      value: m.login, text: m.display_name + " (" + m.login + ")",
    }));
    select.replaceChildren(el("option", { value: "", text: t("transferChoose") }), ...options);
    select.value = options.some((o) => o.value === chosen) ? chosen : "";
    select.disabled = !canTransfer;
    $("transfer").disabled = !canTransfer;
  }

  function renderTags() {
    const tags = ticket().tags || [];
    $("tags").replaceChildren(...tags.map((tag) => el("li", { class: "vc-chip is-tag", text: tag })));
    const value = tags.join(", ");
    // Keep what the moderator is typing; take the server's tags when the field is untouched.
    if (renderedTags === null || tagsInput.value === renderedTags) tagsInput.value = value;
    renderedTags = value;
  }

  function renderNotes() {
    const notes = detail.notes || [];
    $("notes").replaceChildren(...(notes.length ? notes.map((note) => el("li", {
      class: "vc-note" + (note.important ? " is-important" : "") + (note.expert ? " is-expert" : "") }, [
      el("div", { class: "vc-meta" }, [el("strong", { text: nameOf(note.author) }), " · ", VC.timeEl(note.at),
        note.important ? el("span", { class: "vc-chip is-strong", text: t("noteImportant") }) : null,
        note.expert ? el("span", { class: "vc-chip is-strong vc-expert-badge", text: t("noteExpert") }) : null,
        note.consult_to ? el("span", { class: "vc-chip", text: t("noteConsultTo", note.consult_to) }) : null]),
      el("div", { class: "vc-note-text", text: note.text }),
    ])) : [el("li", { class: "vc-muted", text: t("notesEmpty") })]));
  }

  function renderHistory() {
    const entries = detail.history || [];
    $("history").replaceChildren(...entries.map((entry) => {
      const extra = [];
      if (entry.to) extra.push("→ " + nameOf(entry.to));
      if (entry.tags) extra.push(entry.tags.split(",").join(", "));
      if (entry.reasons) extra.push(entry.reasons.split(",").filter(Boolean).map(VC.reasonLabel).join(", "));
      return el("li", {}, [
        el("span", { class: "vc-meta" }, [VC.timeEl(Number(entry.at)), " "]),
        el("strong", { text: t("action." + entry.action) }),
        entry.by ? " · " + nameOf(entry.by) : null,
        extra.length ? " · " + extra.join(" · ") : null,
      ]);
    }));
  }

  // -- doing ---------------------------------------------------------------------------------

  async function run(button, work) {
    if (button) button.disabled = true;
    try {
      await work();
    } catch (error) {
      VC.showApiError(error);
    } finally {
      await refresh();
      if (button && detail) render(false);
    }
  }

  function claim() {
    return run($("claim-button"), async () => {
      try {
        await VC.api("POST", VC.ticketPath(ticketId, "claim"));
      } catch (error) {
        if (error.status !== 401) VC.showError(t("claimFailed", ticketId) + error.message);
        return;
      }
      reply.focus();
    });
  }

  async function sendReply(event) {
    event.preventDefault();
    const text = reply.value.trim();
    if (!text || !mine()) return;
    const send = $("reply-send");
    send.disabled = true;
    try {
      await VC.api("POST", VC.ticketPath(ticketId, "reply"),
                   ticket().public ? { text, visibility: visibility() } : { text });
    } catch (error) {
      VC.showApiError(error);
      send.disabled = !mine();
      return;
    }
    pending.push({ text, at: VC.now() });
    reply.value = "";
    saveDraft();
    VC.notify(t("replySent"));
    renderTranscript(false);
    send.disabled = !mine();
    reply.focus();
    refresh();
  }

  function useSuggestion(item) {
    const greeting = detail.greeting || "";
    reply.value = greeting ? greeting + "\n\n" + item.answer : item.answer;
    saveDraft();
    updateCount();
    reply.focus();
    reply.setSelectionRange(reply.value.length, reply.value.length);
    VC.notify(t("suggestionInserted"));
  }

  function confirmed(text, yes) {
    return new Promise((resolve) => {
      $("confirm-text").textContent = text;
      $("confirm-ok").textContent = yes;
      dialog.returnValue = "";
      dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
      dialog.showModal();
      $("confirm-cancel").focus();
    });
  }

  async function close(action, question, yes, done, button) {
    if (!(await confirmed(t(question, ticketId), t(yes)))) {
      button.focus();
      return;
    }
    await run(button, async () => {
      await VC.api("POST", VC.ticketPath(ticketId, action));
      VC.notify(t(done));
    });
  }

  function transfer(event) {
    event.preventDefault();
    const to = $("transfer-to").value;
    if (!to) return;
    return run($("transfer"), async () => {
      await VC.api("POST", VC.ticketPath(ticketId, "transfer"), { to });
      VC.notify(t("transferred", nameOf(to)));
    });
  }

  function saveTags(event) {
    event.preventDefault();
    const tags = tagsInput.value.split(",").map((tag) => tag.trim()).filter(Boolean);
    return run(null, async () => {
      const saved = await VC.api("PUT", VC.ticketPath(ticketId, "tags"), { tags });
      tagsInput.value = (saved.tags || tags).join(", ");
      renderedTags = null; // take the server's tags on the next draw
      VC.notify(t("tagsSaved"));
    });
  }

  function addNote(event) {
    event.preventDefault();
    const text = noteText.value.trim();
    if (!text) return;
    return run(null, async () => {
      await VC.api("POST", VC.ticketPath(ticketId, "notes"), { text, important: $("note-important").checked });
      noteText.value = "";
      $("note-important").checked = false;
      VC.notify(t("noteAdded"));
    });
  }

  function saveDraft() {
    try {
      if (reply.value) sessionStorage.setItem(DRAFT_KEY + ticketId, reply.value);
      else sessionStorage.removeItem(DRAFT_KEY + ticketId);
    } catch (e) {
      // no storage: the draft lives as long as the page
    }
  }

  function restoreDraft() {
    try {
      reply.value = sessionStorage.getItem(DRAFT_KEY + ticketId) || "";
    } catch (e) {
      reply.value = "";
    }
  }

  function submitOnCtrlEnter(form) {
    return (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        form.requestSubmit();
      }
    };
  }

  // -- wiring --------------------------------------------------------------------------------

  restoreDraft();
  $("reply-form").addEventListener("submit", sendReply);
  reply.addEventListener("keydown", submitOnCtrlEnter($("reply-form")));
  let typingToldAt = 0;
  function tellTyping() {
    // The customer sees that a person is typing (Messenger, the widget); best effort, never an error shown.
    const now = Date.now();
    if (!mine() || !reply.value.trim() || now - typingToldAt < TYPING_EVERY_MS) return;
    typingToldAt = now;
    VC.api("POST", VC.ticketPath(ticketId, "typing")).catch(() => {});
  }
  reply.addEventListener("input", () => {
    saveDraft();
    updateCount();
    tellTyping();
  });
  $("claim-button").addEventListener("click", claim);
  $("resolve").addEventListener("click", (e) => close("resolve", "confirmResolve", "confirmYesResolve",
                                                      "resolvedDone", e.currentTarget));
  $("handback").addEventListener("click", (e) => close("handback", "confirmHandBack", "confirmYesHandBack",
                                                       "handedBackDone", e.currentTarget));
  $("transfer-form").addEventListener("submit", transfer);
  $("reopen").addEventListener("click", (e) => run(e.currentTarget, async () => {
    await VC.api("POST", VC.ticketPath(ticketId, "reopen"));
    VC.notify(t("reopenedDone"));
  }));
  $("tags-form").addEventListener("submit", saveTags);
  $("note-form").addEventListener("submit", addNote);
  noteText.addEventListener("keydown", submitOnCtrlEnter($("note-form")));

  VC.start({
    load: async () => {
      await loadModerators();
      await refresh();
    },
    render: () => render(true),
    onEvent: (event) => {
      if (!event || event.ticket === ticketId) refresh();
    },
  });
})();
