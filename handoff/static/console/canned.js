/*
 * Canned answers in the ticket page's reply box. Typing "/" at the start of a word opens a listbox
 * filtered as the moderator types ("/zw": shortcuts starting with "zw", then titles containing it);
 * the "Canned answers" button opens them all, grouped by topic, the ticket's topic first. Arrows
 * move, Enter inserts, Escape closes; focus stays in the reply box (aria-activedescendant).
 * The texts come from GET /api/tickets/{id}/canned already personalised by the server (language,
 * the brand's register, the customer's name in the vocative) and are inserted as text only.
 */
(function () {
  "use strict";

  const VC = window.VC;
  const t = VC.t, el = VC.el;
  const PREVIEW_CHARS = 120;
  const SLASH = /(^|\s)\/([a-z0-9_-]*)$/; // a "/word" just before the caret

  const ticketId = decodeURIComponent(location.pathname.replace(/^\/tickets\//, "").replace(/\/$/, ""));
  const reply = document.getElementById("reply-text");
  const box = document.getElementById("canned-list");
  const button = document.getElementById("canned-button");

  let data = null; // {topic, canned: [...]} for this ticket
  let mode = null; // null (closed), "slash" or "menu"
  let query = "", slashAt = -1, shown = [], active = 0;

  async function load() {
    try {
      data = await VC.api("GET", VC.ticketPath(ticketId, "canned"));
    } catch (error) {
      if (error.status !== 401) VC.showApiError(error);
      return;
    }
    if (mode) render();
  }

  function matches() {
    const all = (data && data.canned) || [];
    if (mode !== "slash" || !query) return all;
    const q = query.toLowerCase();
    const byShortcut = all.filter((c) => c.shortcut.startsWith(q));
    return byShortcut.concat(all.filter((c) => !c.shortcut.startsWith(q) && c.title.toLowerCase().includes(q)));
  }

  function topicLabel(topic) {
    if (!topic) return t("cannedNoTopic");
    return topic === (data && data.topic) ? t("cannedTicketTopic", topic) : t("cannedOtherTopic", topic);
  }

  function option(c, index) {
    const preview = c.text.length > PREVIEW_CHARS ? c.text.slice(0, PREVIEW_CHARS) + "…" : c.text;
    return el("div", { role: "option", id: "canned-option-" + index, class: "vc-canned-option",
                       "aria-selected": String(index === active), dataset: { shortcut: c.shortcut },
                       onmousedown: (event) => event.preventDefault(), onclick: () => choose(index) }, [
      el("strong", { text: "/" + c.shortcut }), " ", el("span", { text: c.title }),
      el("span", { class: "vc-canned-preview vc-muted", text: preview }),
    ]);
  }

  /** The options; in the menu, one group per topic (the server sends the ticket's topic first). */
  function render() {
    shown = matches();
    active = Math.min(active, Math.max(shown.length - 1, 0));
    if (!shown.length) {
      box.replaceChildren(el("div", { class: "vc-muted vc-canned-empty", text: data ? t("cannedNone") : "…" }));
    } else if (mode === "menu") {
      const groups = [];
      shown.forEach((c, i) => {
        const last = groups[groups.length - 1];
        if (!last || last.topic !== c.topic) groups.push({ topic: c.topic, options: [] });
        groups[groups.length - 1].options.push(option(c, i));
      });
      box.replaceChildren(...groups.map((g, n) => el("div", { role: "group", "aria-labelledby": "canned-group-" + n }, [
        el("div", { id: "canned-group-" + n, class: "vc-canned-topic", role: "presentation", text: topicLabel(g.topic) }),
        ...g.options,
      ])));
    } else {
      box.replaceChildren(...shown.map(option));
    }
    box.hidden = false;
    button.setAttribute("aria-expanded", "true");
    if (shown.length) {
      reply.setAttribute("aria-activedescendant", "canned-option-" + active);
      document.getElementById("canned-option-" + active).scrollIntoView({ block: "nearest" });
    } else {
      reply.removeAttribute("aria-activedescendant");
    }
  }

  function open(how) {
    const wasClosed = !mode;
    mode = how;
    if (wasClosed) {
      active = 0;
      load(); // fresh on every opening: an admin may have changed them meanwhile
    }
    render();
  }

  function close() {
    mode = null;
    box.hidden = true;
    button.setAttribute("aria-expanded", "false");
    reply.removeAttribute("aria-activedescendant");
  }

  function choose(index) {
    const c = shown[index];
    if (!c) return;
    const end = reply.selectionEnd;
    const start = mode === "slash" && slashAt >= 0 ? slashAt : reply.selectionStart;
    reply.value = reply.value.slice(0, start) + c.text + reply.value.slice(end);
    const caret = start + c.text.length;
    close();
    reply.focus();
    reply.setSelectionRange(caret, caret);
    reply.dispatchEvent(new Event("input", { bubbles: true })); // ticket.js: draft, count, typing
    VC.notify(t("cannedInserted"));
  }

  function onInput(event) {
    if (!event.isTrusted) return; // our own insertion
    const before = reply.value.slice(0, reply.selectionStart);
    const found = reply.selectionStart === reply.selectionEnd ? SLASH.exec(before) : null;
    if (!found) {
      if (mode === "slash") close();
      return;
    }
    query = found[2];
    slashAt = before.length - query.length - 1;
    if (mode !== "slash") active = 0;
    open("slash");
  }

  function onKey(event) {
    if (!mode || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!shown.length) return;
      active = (active + (event.key === "ArrowDown" ? 1 : shown.length - 1)) % shown.length;
      render();
    } else if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      choose(active);
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
    } else if (event.key === "Tab") {
      close();
    }
  }

  function syncButton() {
    button.disabled = reply.disabled;
    if (reply.disabled && mode) close();
  }

  reply.setAttribute("aria-controls", "canned-list");
  reply.addEventListener("input", onInput);
  reply.addEventListener("keydown", onKey);
  reply.addEventListener("blur", () => {
    if (mode === "slash") close();
  });
  button.addEventListener("click", () => {
    if (mode === "menu") {
      close();
      return;
    }
    slashAt = -1;
    open("menu");
    reply.focus();
  });
  document.addEventListener("mousedown", (event) => {
    if (mode && !box.contains(event.target) && event.target !== button && event.target !== reply) close();
  });
  new MutationObserver(syncButton).observe(reply, { attributes: true, attributeFilter: ["disabled"] });
  syncButton();
})();
