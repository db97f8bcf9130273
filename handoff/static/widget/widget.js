/*
 * Volta customer chat widget: one script tag, no build step, no CDN.
 *
 *   <script src="https://HANDOFF/widget/widget.js" data-rasa-url="https://RASA" data-lang="pl" defer></script>
 *
 * data-rasa-url  where Rasa's socket.io channel listens (required)
 * data-lang      "pl" or "en" (optional; default from navigator.language)
 * data-title     the panel's title (optional)
 *
 * The widget lives in a shadow root, so the host page's CSS and ours do not mix. Customer and bot text is
 * only ever inserted with textContent / text nodes. socket.io-client comes from the same server as this file
 * (/widget/vendor/socket.io.min.js). Protocol: Rasa 3.6's socketio channel with session_persistence.
 */
(function () {
  "use strict";

  if (window.__voltaChatWidget) return; // embedded twice: keep the first
  window.__voltaChatWidget = true;

  var script = document.currentScript || document.querySelector("script[src*='widget.js'][data-rasa-url]");
  if (!script) {
    console.error("volta chat widget: cannot find its own <script> tag");
    return;
  }

  var BASE = new URL(".", script.src).href; // .../widget/
  var RASA_URL = (script.getAttribute("data-rasa-url") || "").trim();
  var LANG = pickLang(script.getAttribute("data-lang"));
  var STORAGE_KEY = "voltaChat.v1";
  var SESSION_RE = /^web:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  var MAX_LENGTH = 2000;
  var MAX_TRANSCRIPT = 300;
  var MAX_SEEN_IDS = 300; // ids of the latest bot messages, so none is shown twice (live and caught up)
  var TYPING_TIMEOUT_MS = 15000;

  var TEXT = {
    pl: {
      title: "Czat z obsługą klienta",
      open: "Otwórz czat z obsługą klienta",
      close: "Zamknij czat",
      launcher: "Czat",
      log: "Rozmowa",
      inputLabel: "Twoja wiadomość",
      placeholder: "Napisz wiadomość…",
      send: "Wyślij",
      typing: "Asystent pisze…",
      agentTyping: "Konsultant pisze…",
      you: "Ty:",
      bot: "Asystent:",
      agent: "Konsultant:",
      newConversation: "Nowa rozmowa",
      newConversationDone: "Rozpoczęto nową rozmowę.",
      welcome: "Dzień dobry! W czym możemy pomóc?",
      queued: function (h) {
        var parts = ["Czekasz na konsultanta"];
        if (num(h.position) && h.position >= 1) parts.push("jesteś " + Math.round(h.position) + ". w kolejce");
        if (num(h.expected_wait_minutes) && h.expected_wait_minutes > 0) {
          parts.push("przewidywany czas ok. " + Math.ceil(h.expected_wait_minutes) + " min");
        }
        var text = parts[0] + (parts.length > 1 ? " — " + parts.slice(1).join(", ") : "");
        var by = formatDate(h.reply_by, "pl-PL");
        return by ? text + ". Jesteśmy poza godzinami pracy — odpowiemy do " + by + "." : text;
      },
      human: function (h) {
        return h.moderator ? "Rozmawiasz z: " + h.moderator : "Rozmawiasz z konsultantem";
      },
      offline: "Brak połączenia — łączymy ponownie. Wiadomości wyślemy, gdy połączenie wróci.",
      unavailable: "Czat jest chwilowo niedostępny. Spróbuj później.",
      tooFast: "Wysyłasz wiadomości bardzo szybko — poczekaj chwilę i wyślij ponownie.",
      pending: "czeka na wysłanie",
      scoreOf: function (score) { return score + " z 5"; }, // the satisfaction survey's 1-5 after a resolution
      rateQuestion: "Czy ta odpowiedź pomogła?",
      helpful: "Pomocne",
      notHelpful: "Niepomocne",
      rated: "Dziękujemy za ocenę.",
    },
    en: {
      title: "Customer service chat",
      open: "Open the customer service chat",
      close: "Close the chat",
      launcher: "Chat",
      log: "Conversation",
      inputLabel: "Your message",
      placeholder: "Type a message…",
      send: "Send",
      typing: "The assistant is typing…",
      agentTyping: "The agent is typing…",
      you: "You:",
      bot: "Assistant:",
      agent: "Agent:",
      newConversation: "New conversation",
      newConversationDone: "A new conversation has started.",
      welcome: "Hello! How can we help?",
      queued: function (h) {
        var parts = ["Waiting for an agent"];
        if (num(h.position) && h.position >= 1) parts.push("you are number " + Math.round(h.position) + " in the queue");
        if (num(h.expected_wait_minutes) && h.expected_wait_minutes > 0) {
          parts.push("expected wait about " + Math.ceil(h.expected_wait_minutes) + " min");
        }
        var text = parts[0] + (parts.length > 1 ? " — " + parts.slice(1).join(", ") : "");
        var by = formatDate(h.reply_by, "en-GB");
        return by ? text + ". We are outside opening hours — we will reply by " + by + "." : text;
      },
      human: function (h) {
        return h.moderator ? "You are chatting with: " + h.moderator : "You are chatting with an agent";
      },
      offline: "Connection lost — reconnecting. Your messages will be sent when it is back.",
      unavailable: "The chat is unavailable at the moment. Please try again later.",
      tooFast: "You are sending messages very quickly — please wait a moment and send again.",
      pending: "waiting to be sent",
      scoreOf: function (score) { return score + " of 5"; },
      rateQuestion: "Was this answer helpful?",
      helpful: "Helpful",
      notHelpful: "Not helpful",
      rated: "Thank you for your feedback.",
    },
  };
  var T = TEXT[LANG];
  var TITLE = (script.getAttribute("data-title") || "").trim() || T.title;

  function pickLang(attr) {
    var wanted = (attr || navigator.language || "pl").toLowerCase();
    return wanted.indexOf("en") === 0 ? "en" : wanted.indexOf("pl") === 0 ? "pl" : attr ? "pl" : "en";
  }

  /** A bot message's id: its event's timestamp in seconds (K4). */
  function isId(value) {
    return typeof value === "number" && isFinite(value);
  }

  function num(value) {
    return typeof value === "number" && isFinite(value) && value >= 0;
  }

  /** "27 listopada, godz. 08:00" / "27 November, 08:00", in the customer's time zone; "" when not a date. */
  function formatDate(iso, locale) {
    if (!iso) return "";
    var date = new Date(iso);
    if (isNaN(date.getTime())) return "";
    try {
      var day = new Intl.DateTimeFormat(locale, { day: "numeric", month: "long" }).format(date);
      var time = new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit" }).format(date);
      return day + (locale === "pl-PL" ? ", godz. " : ", ") + time;
    } catch (e) {
      return date.toLocaleString();
    }
  }

  // ---- state (kept in localStorage so a reload shows the conversation again) -------------------------------

  function newSessionId() {
    if (window.crypto && typeof crypto.randomUUID === "function") return "web:" + crypto.randomUUID();
    // crypto.randomUUID exists only in secure contexts (https, localhost); an http shop page still works.
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return "web:" + h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function freshState() {
    // messages: {from: "user"|"bot"|"note", text, quickReplies?: [{title, payload}], used?: bool}
    // outbox: messages typed while offline, {message, display}; sent on (re)connect
    // lastId: the id of the last bot message received (catch_up asks for what came after it);
    // seenIds: the latest ids received
    return { sessionId: newSessionId(), messages: [], handoff: null, outbox: [], open: false,
             lastId: null, seenIds: [] };
  }

  function loadState() {
    try {
      var raw = window.localStorage.getItem(STORAGE_KEY);
      var state = raw ? JSON.parse(raw) : null;
      if (state && typeof state.sessionId === "string" && SESSION_RE.test(state.sessionId)) {
        state.messages = Array.isArray(state.messages) ? state.messages : [];
        state.outbox = Array.isArray(state.outbox) ? state.outbox : [];
        state.handoff = state.handoff && typeof state.handoff === "object" ? state.handoff : null;
        state.open = !!state.open;
        state.lastId = isId(state.lastId) ? state.lastId : null;
        state.seenIds = Array.isArray(state.seenIds) ? state.seenIds.filter(isId).slice(-MAX_SEEN_IDS) : [];
        return state;
      }
    } catch (e) {
      /* unreadable or blocked storage: start afresh */
    }
    return freshState();
  }

  var state = loadState();

  function save() {
    if (state.messages.length > MAX_TRANSCRIPT) state.messages = state.messages.slice(-MAX_TRANSCRIPT);
    try {
      window.localStorage.setItem(STORAGE_KEY, JSON.stringify(state));
    } catch (e) {
      /* storage full or blocked: the conversation still works, it just is not kept */
    }
  }

  // ---- DOM ---------------------------------------------------------------------------------------------------

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") node.textContent = attrs[name];
      else if (attrs[name] === true) node.setAttribute(name, "");
      else if (attrs[name] !== false && attrs[name] != null) node.setAttribute(name, String(attrs[name]));
    });
    (children || []).forEach(function (child) { node.appendChild(child); });
    return node;
  }

  function chatIcon() {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("class", "vc-launcher-icon");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z");
    path.setAttribute("fill", "currentColor");
    svg.appendChild(path);
    return svg;
  }

  var host = el("div", { id: "volta-chat-widget", "data-volta-chat": "" });
  var root = host.attachShadow({ mode: "open" });
  var frame = el("div", { class: "vc-root", lang: LANG });
  frame.style.visibility = "hidden"; // until widget.css has loaded: no flash of unstyled widget

  var stylesheet = el("link", { rel: "stylesheet", href: BASE + "widget.css" });
  stylesheet.addEventListener("load", function () { frame.style.visibility = ""; });
  stylesheet.addEventListener("error", function () { frame.style.visibility = ""; });

  var launcher = el("button", {
    type: "button", class: "vc-launcher", "aria-expanded": "false", "aria-controls": "vc-panel", "aria-label": T.open,
  }, [chatIcon(), el("span", { text: T.launcher })]);

  var titleEl = el("h2", { class: "vc-title", id: "vc-title", text: TITLE });
  var newButton = el("button", { type: "button", class: "vc-new", text: T.newConversation });
  var closeButton = el("button", { type: "button", class: "vc-close", "aria-label": T.close, text: "×" });
  var connectionBar = el("div", { class: "vc-bar vc-connection", role: "status", hidden: true });
  var handoffBar = el("div", { class: "vc-bar vc-handoff", role: "status", hidden: true });
  var log = el("div", { class: "vc-log", role: "log", "aria-live": "polite", "aria-label": T.log, tabindex: "0" });
  var typingText = el("span", { class: "vc-typing-text", text: T.typing });
  var typing = el("div", { class: "vc-typing", hidden: true }, [
    el("span", { class: "vc-dots", "aria-hidden": "true" }, [el("span"), el("span"), el("span")]),
    typingText,
  ]);
  var input = el("textarea", {
    id: "vc-input", class: "vc-input", rows: "1", maxlength: String(MAX_LENGTH), placeholder: T.placeholder,
    autocomplete: "off",
  });
  var sendButton = el("button", { type: "submit", class: "vc-send", text: T.send });
  var form = el("form", { class: "vc-form", novalidate: true }, [
    el("label", { for: "vc-input", class: "vc-sr-only", text: T.inputLabel }), input, sendButton,
  ]);
  var panel = el("div", { id: "vc-panel", class: "vc-panel", role: "dialog", "aria-label": TITLE, hidden: true }, [
    el("div", { class: "vc-header" }, [titleEl, newButton, closeButton]),
    connectionBar, handoffBar, log, typing, form,
  ]);

  frame.appendChild(panel);
  frame.appendChild(launcher);
  root.appendChild(stylesheet);
  root.appendChild(frame);

  // ---- rendering ---------------------------------------------------------------------------------------------

  var URL_RE = /(https?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]])/g;

  /** Text with http(s) links made clickable; built from text nodes and <a> elements only, never HTML. */
  function appendText(parent, text) {
    var last = 0;
    text.replace(URL_RE, function (match, _url, offset) {
      parent.appendChild(document.createTextNode(text.slice(last, offset)));
      var link = el("a", { href: match, target: "_blank", rel: "noopener noreferrer nofollow" });
      link.textContent = match;
      parent.appendChild(link);
      last = offset + match.length;
      return match;
    });
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function speakerLabel(from) {
    if (from === "user") return T.you;
    return state.handoff && state.handoff.state === "human" ? T.agent : T.bot;
  }

  function renderMessage(message, index) {
    var item = el("div", { class: "vc-msg vc-" + message.from + (message.pending ? " vc-pending" : "") });
    if (message.from !== "note") {
      item.appendChild(el("span", { class: "vc-sr-only", text: message.speaker || speakerLabel(message.from) }));
    }
    var bubble = el("div", { class: "vc-bubble" });
    appendText(bubble, message.text);
    if (message.pending) bubble.appendChild(el("span", { class: "vc-pending-label", text: " (" + T.pending + ")" }));
    item.appendChild(bubble);
    if (message.rateable && isId(message.id)) item.appendChild(renderRating(message));
    if (message.quickReplies && message.quickReplies.length) {
      var rating = isRating(message.quickReplies);
      var group = el("div", {
        class: "vc-quick" + (rating ? " vc-rating" : ""), role: "group", "aria-label": message.text.slice(0, 80),
      });
      message.quickReplies.forEach(function (reply) {
        var button = el("button", { type: "button", class: "vc-quick-reply", disabled: !!message.used });
        button.textContent = reply.title;
        if (rating) button.setAttribute("aria-label", T.scoreOf(reply.title));
        button.addEventListener("click", function () { chooseQuickReply(index, reply); });
        group.appendChild(button);
      });
      item.appendChild(group);
    }
    return item;
  }

  var ratingStatus = {}; // answer id -> its "thank you" line, filled in when the channel confirms (answer_rated)

  /** "Helpful / Not helpful" under an FAQ answer: sent once (rate_answer), then both buttons stay disabled
   * and the chosen one pressed; the channel's answer_rated shows the thanks. */
  function renderRating(message) {
    var group = el("div", { class: "vc-rate", role: "group", "aria-label": T.rateQuestion });
    var status = el("span", { class: "vc-rate-status", role: "status", text: message.rated ? T.rated : "" });
    ratingStatus[message.id] = status;
    [[true, T.helpful], [false, T.notHelpful]].forEach(function (choice) {
      var chosen = message.rated === (choice[0] ? "helpful" : "not_helpful");
      var button = el("button", {
        type: "button", class: "vc-rate-button", "data-helpful": String(choice[0]), disabled: !!message.rated,
        "aria-pressed": String(chosen), text: choice[1],
      });
      button.addEventListener("click", function () {
        if (message.rated || !socket || connection !== "online") return;
        message.rated = choice[0] ? "helpful" : "not_helpful";
        save();
        socket.emit("rate_answer", { id: message.id, helpful: choice[0] });
        group.querySelectorAll("button").forEach(function (b) {
          b.disabled = true;
          b.setAttribute("aria-pressed", String(b === button));
        });
      });
      group.appendChild(button);
    });
    group.appendChild(status);
    return group;
  }

  function renderLog() {
    log.textContent = "";
    log.appendChild(renderMessage({ from: "bot", text: T.welcome, speaker: T.bot }, -1)); // not stored
    state.messages.forEach(function (message, index) { log.appendChild(renderMessage(message, index)); });
    scrollToEnd();
  }

  function appendMessage(message) {
    // a new message makes earlier quick replies stale
    state.messages.forEach(function (m) { if (m.quickReplies) m.used = true; });
    state.messages.push(message);
    save();
    if (state.messages.length >= MAX_TRANSCRIPT) {
      renderLog();
      return;
    }
    log.querySelectorAll(".vc-quick-reply").forEach(function (b) { b.disabled = true; });
    log.appendChild(renderMessage(message, state.messages.length - 1));
    scrollToEnd();
  }

  function scrollToEnd() {
    log.scrollTop = log.scrollHeight;
  }

  function renderHandoff() {
    var h = state.handoff;
    var text = !h ? "" : h.state === "queued" ? T.queued(h) : h.state === "human" ? T.human(h) : "";
    handoffBar.textContent = text;
    handoffBar.hidden = !text;
    handoffBar.setAttribute("data-state", text ? h.state : "bot");
  }

  var connection = "connecting"; // connecting | online | offline | unavailable
  var tooFastUntil = 0; // a rate limit refused a message: say so until its retry_after has passed
  function showTooFast(seconds) {
    tooFastUntil = Date.now() + 1000 * Math.min(Math.max(seconds, 1), 3600);
    renderConnection();
    setTimeout(renderConnection, tooFastUntil - Date.now() + 50);
  }
  function renderConnection() {
    var text = connection === "offline" ? T.offline : connection === "unavailable" ? T.unavailable
      : Date.now() < tooFastUntil ? T.tooFast : "";
    connectionBar.textContent = text;
    connectionBar.hidden = !text;
    connectionBar.setAttribute("data-state", connection);
    frame.setAttribute("data-connection", connection);
  }

  var typingTimer = null;
  function showTyping(on, byAgent) {
    clearTimeout(typingTimer);
    typing.hidden = !on;
    var agent = byAgent || (state.handoff && state.handoff.state === "human");
    typingText.textContent = agent ? T.agentTyping : T.typing;
    if (on) typingTimer = setTimeout(function () { typing.hidden = true; }, TYPING_TIMEOUT_MS);
    if (on) scrollToEnd();
  }

  // ---- open / close ------------------------------------------------------------------------------------------

  /** focus: move the focus into the panel (opening) or back to the launcher (closing). */
  function setOpen(open, focus) {
    state.open = open;
    save();
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", open ? "true" : "false");
    frame.classList.toggle("vc-is-open", open);
    if (open) {
      scrollToEnd();
      if (focus) input.focus();
      connect();
    } else if (focus) {
      launcher.focus();
    }
  }

  launcher.addEventListener("click", function () { setOpen(panel.hidden, true); });
  closeButton.addEventListener("click", function () { setOpen(false, true); });
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      setOpen(false, true);
    }
  });

  // ---- sending -----------------------------------------------------------------------------------------------

  function submit(message, display) {
    message = message.trim().slice(0, MAX_LENGTH);
    display = display.trim().slice(0, MAX_LENGTH);
    if (!message) return;
    var entry = { from: "user", text: display };
    if (connection !== "online") entry.pending = true;
    appendMessage(entry);
    state.outbox.push({ message: message, display: display });
    save();
    flush();
  }

  function flush() {
    if (connection !== "online" || !socket) return;
    var sent = false;
    while (state.outbox.length) {
      var item = state.outbox.shift();
      socket.emit("user_uttered", { message: item.message, session_id: state.sessionId, metadata: { lang: LANG } });
      sent = true;
    }
    if (sent) {
      state.messages.forEach(function (m) { delete m.pending; });
      save();
      log.querySelectorAll(".vc-pending").forEach(function (node) { node.classList.remove("vc-pending"); });
      log.querySelectorAll(".vc-pending-label").forEach(function (node) { node.remove(); });
      showTyping(true);
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    submit(text, text);
    input.focus();
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit", { cancelable: true }));
    }
  });

  // the satisfaction survey after a resolution: five scores whose payloads are the rating command
  function isRating(replies) {
    return replies.length === 5 && replies.every(function (r) {
      return /^\/rate_conversation\{/.test(String(r.payload));
    });
  }

  function chooseQuickReply(index, reply) {
    var message = state.messages[index];
    if (!message || message.used) return;
    var shown = isRating(message.quickReplies) ? T.scoreOf(reply.title) : String(reply.title);
    submit(String(reply.payload || reply.title), shown);
    input.focus();
  }

  newButton.addEventListener("click", function () {
    var open = state.open;
    state = freshState();
    state.open = open;
    save();
    showTyping(false);
    renderLog();
    renderHandoff();
    log.appendChild(el("div", { class: "vc-msg vc-note", text: T.newConversationDone }));
    if (socket) {
      connection = "connecting"; // nothing is sent until the new session is confirmed
      // the server keeps us in the old session's room: start a new connection for the new session
      socket.disconnect();
      socket.connect();
    }
    input.focus();
  });

  // ---- receiving ---------------------------------------------------------------------------------------------

  // The server sends each bot message with its id, and a copy without one for other widgets; once it is
  // known to give ids (a message with one, or its answer to catch_up), copies without an id are skipped.
  var serverIds = false;
  // Between our catch_up and the server's caught_up: the messages come in their stored order (the
  // channel sends them under the conversation's lock, nothing live in between), the newest status last.
  var catchingUp = false;

  /** Whether a bot message is shown for the first time (and remember its id); a live message and the
   * catch-up after a reconnection may both bring it. */
  function firstTime(id) {
    if (!isId(id)) return !serverIds;
    serverIds = true;
    if (state.seenIds.indexOf(id) >= 0) return false;
    state.seenIds.push(id);
    if (state.seenIds.length > MAX_SEEN_IDS) state.seenIds = state.seenIds.slice(-MAX_SEEN_IDS);
    state.lastId = id;
    save();
    return true;
  }

  function onBotUttered(data) {
    if (!data || typeof data !== "object") return;
    var first = firstTime(data.id);
    // A message already shown (live, just before the catch-up) comes again in the catch-up, in its
    // stored place: its status is set again, so an older status earlier in the batch does not undo it.
    // (Ids are no clock to order statuses by: the moderators' messages carry the time they were written.)
    if (!first && !(catchingUp && isId(data.id))) return;
    var custom = data.custom && typeof data.custom === "object" ? data.custom : null;
    if (custom && custom.handoff && typeof custom.handoff === "object") {
      var h = custom.handoff;
      state.handoff = h.state === "queued" || h.state === "human" ? h : null;
      save();
      renderHandoff();
    }
    if (!first) return;
    showTyping(false);
    var text = typeof data.text === "string" ? data.text.trim() : "";
    var replies = Array.isArray(data.quick_replies)
      ? data.quick_replies
        .filter(function (r) { return r && typeof r.title === "string" && r.title; })
        .map(function (r) { return { title: r.title, payload: typeof r.payload === "string" ? r.payload : r.title }; })
      : [];
    if (!text && data.attachment && data.attachment.payload && typeof data.attachment.payload.src === "string") {
      text = data.attachment.payload.src; // an image or file: show its address as a link
    }
    if (!text) return;
    var message = { from: "bot", text: text, speaker: speakerLabel("bot") };
    if (isId(data.id)) message.id = data.id;
    if (replies.length) message.quickReplies = replies;
    if (data.rateable === true) message.rateable = true; // an FAQ answer: the customer may rate it
    appendMessage(message);
  }

  // ---- connection --------------------------------------------------------------------------------------------

  var socket = null;
  var loading = false;

  function loadSocketIo(callback) {
    if (window.__voltaChatIo) return callback(window.__voltaChatIo);
    var previous = window.io;
    var tag = document.createElement("script");
    tag.src = BASE + "vendor/socket.io.min.js";
    tag.async = true;
    tag.onload = function () {
      window.__voltaChatIo = window.io;
      if (previous !== undefined) window.io = previous; // the host page's own socket.io stays its own
      callback(window.__voltaChatIo);
    };
    tag.onerror = function () { callback(null); };
    document.head.appendChild(tag);
  }

  function connect() {
    if (socket || loading) return;
    if (!RASA_URL) {
      console.error("volta chat widget: the <script> tag needs data-rasa-url");
      connection = "unavailable";
      renderConnection();
      return;
    }
    loading = true;
    loadSocketIo(function (io) {
      loading = false;
      if (typeof io !== "function") {
        connection = "unavailable";
        renderConnection();
        return;
      }
      // A WebSocket first; where a network blocks WebSockets, HTTP long-polling (tryAllTransports:
      // socket.io-client 4.8). auth asks the channel for message ids (catch-up after a reconnection).
      socket = io(RASA_URL, {
        transports: ["websocket", "polling"], tryAllTransports: true, path: "/socket.io",
        auth: { message_ids: true },
      });
      socket.on("connect", function () {
        showTransport();
        socket.io.engine.on("upgrade", showTransport);
        socket.emit("session_request", { session_id: state.sessionId });
      });
      socket.on("session_confirm", function () {
        connection = "online";
        renderConnection();
        // what came while we were away (phone locked, tunnel, server restart), before what we send now
        catchingUp = true;
        socket.emit("catch_up", { last_id: state.lastId });
        flush();
      });
      socket.on("caught_up", function () { serverIds = true; catchingUp = false; });
      socket.on("bot_uttered", onBotUttered);
      socket.on("answer_rated", function (data) {
        var status = data && isId(data.id) ? ratingStatus[data.id] : null;
        if (status) status.textContent = T.rated;
      });
      socket.on("typing", function (data) {
        // a moderator is typing a reply (the console tells the channel every few seconds)
        if (data && data.by === "agent") showTyping(true, true);
      });
      socket.on("error", function (data) {
        // the channel refused something (e.g. a message too long); nothing more will come for it
        console.warn("volta chat widget: server error", data);
        showTyping(false);
        if (data && /^(bad_last_id|unavailable|too_many_catch_ups)$/.test(data.code)) catchingUp = false; // no caught_up will come
        if (data && data.retry_after) showTooFast(Number(data.retry_after));
        if (data && data.code === "bad_last_id") {
          // the server refused our last id (no number: a damaged saved state; an id it has no message
          // for is read as a time): nothing missed is shown, and the next message received becomes the last id
          state.lastId = null;
          save();
        }
      });
      socket.on("disconnect", function (reason) {
        catchingUp = false;
        if (reason === "io client disconnect") return; // our own reconnect (new conversation)
        connection = "offline";
        renderConnection();
        showTyping(false);
      });
      socket.on("connect_error", function () {
        connection = "offline";
        renderConnection();
      });
    });
  }

  /** The transport in use ("websocket" or "polling"), on the widget's root for support and tests. */
  function showTransport() {
    var engine = socket && socket.io && socket.io.engine;
    if (engine && engine.transport) frame.setAttribute("data-transport", engine.transport.name);
  }

  // ---- start -------------------------------------------------------------------------------------------------

  function start() {
    document.body.appendChild(host);
    renderLog();
    renderHandoff();
    renderConnection();
    if (state.open) setOpen(true, false);
    // A conversation in progress (or queued messages) reconnects without waiting for a click.
    if (state.messages.length || state.outbox.length) connect();
  }

  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
})();
