/*
 * Moderator console: what every signed-in page shares. Plain JS, no build step, no CDN.
 *
 * window.VC gives the pages: texts in Polish and English (texts.js; the choice is kept in localStorage),
 * the JSON API with the session's CSRF token (401 goes to /login), the top bar, notices,
 * the live feed (server-sent events from /api/live plus a 30 s fallback poll) and clocks that
 * tick every second. Customer, bot and moderator text is only ever inserted as text (el()
 * sets textContent or appends text nodes), never as HTML.
 *
 * A page calls VC.start({load, render, onEvent}): load() fetches its data, render() draws it
 * again from what it has (after a language switch), onEvent(event|null) follows the live feed
 * (null: "something may have changed", on the fallback poll and whenever the feed (re)opens).
 */
(function () {
  "use strict";

  const LANG_KEY = "voltaConsole.lang";
  const FALLBACK_POLL_MS = 30000;
  const LIVE_RETRY_MS = 5000;
  const LIVE_WAIT_MS = 3000; // the first load waits this long at most for the live feed to open
  const NOTICE_MS = 6000;
  const SLA_WARN_SECONDS = 5 * 60;
  const CLOCK_SKEW_SECONDS = 2; // ignore smaller differences between the server's clock and ours

  const { REASONS, STRONG_REASONS, TEXT } = window.VC_TEXTS;

  let lang = readLang();
  let me = null;
  let page = null;
  let clockOffset = 0; // server time minus local time, in seconds
  let liveState = "connecting";
  let noticeTimer = 0;

  function readLang() {
    try {
      return localStorage.getItem(LANG_KEY) === "en" ? "en" : "pl";
    } catch (e) {
      return "pl";
    }
  }

  /** The text for key in the current language; functions are called with the arguments. */
  function t(key, ...args) {
    const value = key.split(".").reduce((node, part) => (node == null ? undefined : node[part]), TEXT[lang]);
    if (typeof value === "function") return value(...args);
    return value == null ? key.split(".").pop() : value;
  }

  function reasonLabel(reason) {
    return REASONS[lang][reason] || String(reason).replace(/_/g, " ");
  }

  function locale() {
    return lang === "en" ? "en-GB" : "pl-PL";
  }

  /** An element with props (text, class, dataset, on<event>, attributes) and children (nodes or text). */
  function el(tag, props, children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value == null || value === false) continue;
      if (key === "text") node.textContent = String(value);
      else if (key === "class") node.className = value;
      else if (key === "dataset") Object.assign(node.dataset, value);
      else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
      else if (value === true) node.setAttribute(key, "");
      else node.setAttribute(key, String(value));
    }
    for (const child of [].concat(children == null ? [] : children)) {
      if (child != null && child !== false) node.append(child); // strings become text nodes
    }
    return node;
  }

  // -- time --------------------------------------------------------------------------------

  function now() {
    return Date.now() / 1000 + clockOffset;
  }

  function setServerNow(serverSeconds) {
    if (typeof serverSeconds !== "number" || !isFinite(serverSeconds)) return;
    const offset = serverSeconds - Date.now() / 1000;
    clockOffset = Math.abs(offset) > CLOCK_SKEW_SECONDS ? offset : 0;
  }

  /** 75 -> "01:15", 3725 -> "1:02:05". */
  function duration(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), rest = s % 60;
    const mm = String(m).padStart(2, "0"), ss = String(rest).padStart(2, "0");
    return h ? h + ":" + mm + ":" + ss : mm + ":" + ss;
  }

  /** A <time> for a unix time: the hour today, the date and hour otherwise, the full date on hover. */
  function timeEl(unix) {
    if (!unix) return el("span", { text: t("none") });
    const date = new Date(unix * 1000);
    const today = new Date(now() * 1000).toDateString() === date.toDateString();
    const short = new Intl.DateTimeFormat(locale(), today
      ? { hour: "2-digit", minute: "2-digit" }
      : { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" }).format(date);
    const full = new Intl.DateTimeFormat(locale(), { dateStyle: "full", timeStyle: "medium" }).format(date);
    return el("time", { datetime: date.toISOString(), title: full, text: short });
  }

  function clockTime(unix) {
    return new Intl.DateTimeFormat(locale(), { hour: "2-digit", minute: "2-digit", second: "2-digit" })
      .format(new Date(unix * 1000));
  }

  /** How long a ticket waited for its first reply; ticks until there is one. */
  function waitClock(ticket) {
    return el("span", { class: "vc-clock", dataset: {
      clock: "wait", created: ticket.created_at, answered: ticket.first_response_at || "",
      closed: ticket.resolved_at || "",
    } });
  }

  /** Time left to the first-reply target, then "overdue +mm:ss"; ticks every second. */
  function slaClock(ticket) {
    if (laterWait(ticket)) {  // answered once, the customer wrote again: the later-reply clock (handoff.sla)
      return el("span", { class: "vc-clock vc-sla", dataset: {
        clock: "sla", created: ticket.waiting_since, due: ticket.waiting_since + ticket.sla_minutes * 60,
        answered: "", closed: "", breached: ticket.waiting_breached ? "1" : "",
      } });
    }
    const due = ticket.first_response_due_at || ticket.created_at + ((me && me.sla_minutes) || 30) * 60;
    return el("span", { class: "vc-clock vc-sla", dataset: {
      clock: "sla", created: ticket.created_at, due: due, answered: ticket.first_response_at || "",
      closed: ticket.resolved_at || "", breached: ticket.sla_breached ? "1" : "",
    } });
  }

  /** Whether the customer waits for a later reply (not the first): the API's ``waiting_since``. */
  function laterWait(ticket) {
    return Boolean(ticket.first_response_at && ticket.waiting_since && ticket.sla_minutes
                   && ticket.state !== "resolved");
  }

  /** Whether a ticket is past its target for the reply the customer waits for, now. */
  function overdue(ticket) {
    if (laterWait(ticket)) {
      return Boolean(ticket.waiting_breached) || now() > ticket.waiting_since + ticket.sla_minutes * 60;
    }
    if (ticket.first_response_at || ticket.state === "resolved") return false;
    return Boolean(ticket.sla_breached) || now() > ticket.first_response_due_at;
  }

  function tickWait(node, at) {
    const d = node.dataset;
    const end = d.answered ? +d.answered : d.closed ? +d.closed : at;
    node.textContent = duration(end - +d.created);
  }

  function tickSla(node, at) {
    const d = node.dataset, due = +d.due;
    let text, kind;
    if (d.answered) {
      const late = +d.answered > due;
      text = t(late ? "slaAnsweredLate" : "slaAnswered", duration(+d.answered - +d.created));
      kind = late ? "late" : "ok";
    } else if (d.closed) {
      text = t("slaClosed");
      kind = "none";
    } else if (d.breached || at > due) {
      text = t("slaOverdue", duration(at - due));
      kind = "late";
    } else {
      text = t("slaLeft", duration(due - at));
      kind = due - at < SLA_WARN_SECONDS ? "warn" : "ok";
    }
    if (node.textContent !== text) node.textContent = text;
    node.className = "vc-clock vc-sla vc-sla-" + kind;
  }

  function tick() {
    const at = now();
    for (const node of document.querySelectorAll("[data-clock]")) {
      if (node.dataset.clock === "wait") tickWait(node, at);
      else if (node.dataset.clock === "sla") tickSla(node, at);
    }
  }

  // -- the API -----------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  /** Call the JSON API; resolves to the parsed body, rejects with an ApiError carrying the server's message. */
  async function api(method, path, body) {
    const headers = { Accept: "application/json" };
    if (method !== "GET" && me) headers["X-CSRF-Token"] = me.csrf_token;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(path, {
        method, headers, credentials: "same-origin", cache: "no-store",
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new ApiError(0, t("networkError"));
    }
    if (response.status === 401) {
      location.assign("/login");
      throw new ApiError(401, t("networkError"));
    }
    const raw = await response.text();
    let data = null;
    try {
      data = raw ? JSON.parse(raw) : null;
    } catch (e) {
      data = null;
    }
    if (!response.ok) {
      const message = data && typeof data.error === "string" ? data.error : t("serverError", response.status);
      throw new ApiError(response.status, message);
    }
    return data;
  }

  function ticketPath(id, action) {
    return "/api/tickets/" + encodeURIComponent(id) + (action ? "/" + action : "");
  }

  function ticketUrl(id) {
    return "/tickets/" + encodeURIComponent(id);
  }

  /** A function that runs load(), never twice at once; calls while it runs make one more run after it. */
  function refresher(load) {
    let running = null, again = false;
    const refresh = function () {
      if (running) {
        again = true;
        return running;
      }
      running = Promise.resolve().then(load).catch(showApiError).finally(() => {
        running = null;
        if (again) {
          again = false;
          refresh();
        }
      });
      return running;
    };
    return refresh;
  }

  // -- notices -----------------------------------------------------------------------------

  function notices() {
    let box = document.getElementById("vc-notices");
    if (!box) {
      box = el("div", { id: "vc-notices", class: "vc-notices" }, [
        el("div", { id: "vc-alert", class: "vc-alert", role: "alert" }),
        el("div", { id: "vc-notice", class: "vc-notice", role: "status" }),
      ]);
      const header = document.getElementById("vc-header");
      header.after(box);
    }
    return box;
  }

  function fill(id, message) {
    notices();
    const box = document.getElementById(id);
    if (!message) {
      box.replaceChildren();
      return;
    }
    const close = el("button", { type: "button", class: "vc-btn vc-btn-quiet vc-btn-small", "aria-label": t("close"),
                                 text: "×", onclick: () => box.replaceChildren() });
    box.replaceChildren(el("p", { text: message }), close);
  }

  /** A problem the moderator must see; stays until closed or replaced. */
  function showError(message) {
    fill("vc-notice", "");
    fill("vc-alert", message);
  }

  function showApiError(error) {
    if (error && error.status === 401) return;
    showError(error && error.message ? error.message : String(error));
  }

  /** A short confirmation that something worked; goes away by itself. */
  function notify(message) {
    fill("vc-alert", "");
    fill("vc-notice", message);
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(() => fill("vc-notice", ""), NOTICE_MS);
  }

  // -- the page frame ----------------------------------------------------------------------

  function translateStatic() {
    document.documentElement.lang = lang;
    for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
    for (const node of document.querySelectorAll("[data-i18n-attr]")) {
      for (const pair of node.dataset.i18nAttr.split(";")) {
        const [attr, key] = pair.split(":");
        node.setAttribute(attr.trim(), t(key.trim()));
      }
    }
  }

  function navLink(href, name, key) {
    const current = document.body.dataset.page === name;
    return el("a", { href, "aria-current": current ? "page" : null, text: t(key) });
  }

  function renderHeader() {
    const header = document.getElementById("vc-header");
    const who = me ? [t("signedInAs") + " ", el("strong", { text: me.display_name }),
      me.role === "admin" ? " (" + t("admin") + ")" : null] : [];
    header.replaceChildren(
      el("a", { class: "vc-skip", href: "#main", text: t("skip") }),
      el("a", { class: "vc-brand", href: "/" }, ["Volta ", el("span", { text: t("appName") })]),
      el("nav", { "aria-label": t("navLabel") }, [
        navLink("/", "queue", "navQueue"), navLink("/handover", "handover", "navHandover"),
        navLink("/stats", "stats", "navStats"),
        me && me.role === "admin" ? navLink("/admin", "admin", "navAdmin") : null, // the page is the admin's only
      ]),
      el("span", { id: "vc-live", class: "vc-live" }),
      el("span", { class: "vc-spacer" }),
      el("span", { class: "vc-me" }, who),
      el("button", { type: "button", class: "vc-btn vc-btn-quiet vc-btn-small", lang: t("otherLangCode"),
                     "aria-label": t("otherLangLabel"), text: t("otherLang"), onclick: toggleLang }),
      el("button", { type: "button", id: "vc-logout", class: "vc-btn vc-btn-quiet vc-btn-small", text: t("logout"),
                     onclick: logout }),
    );
    renderLive();
  }

  function renderLive() {
    const node = document.getElementById("vc-live");
    if (!node) return;
    const key = { on: "liveOn", off: "liveOff", connecting: "liveConnecting" }[liveState];
    node.textContent = t(key);
    node.className = "vc-live is-" + liveState;
  }

  function setLang(next) {
    lang = next === "en" ? "en" : "pl";
    try {
      localStorage.setItem(LANG_KEY, lang);
    } catch (e) {
      // private mode: the choice lasts for this page only
    }
    translateStatic();
    renderHeader();
    for (const id of ["vc-alert", "vc-notice"]) fill(id, "");
    if (page && page.render) page.render();
    tick();
  }

  function toggleLang() {
    setLang(lang === "pl" ? "en" : "pl");
  }

  async function logout() {
    try {
      await fetch("/logout", { method: "POST", credentials: "same-origin",
                               headers: { "X-CSRF-Token": me ? me.csrf_token : "" } });
    } finally {
      location.assign("/login");
    }
  }

  /**
   * Follow /api/live; EventSource reconnects by itself after network errors, we do after it gives up.
   * Whenever the stream opens, the first time too, the page re-reads its data: what was published before
   * the subscription is in it. The feed starts before the page's first load (start() calls loading() and
   * loaded() around it); news during that load only marks it stale, for one refresh after it.
   */
  function follow(onEvent) {
    let stage = "waiting"; // then "loading", then "loaded"
    let stale = false;
    let settle = null;
    const settled = new Promise((resolve) => { settle = resolve; }); // the first open or error
    const deliver = (event) => {
      if (stage === "loaded") onEvent(event);
      else if (stage === "loading") stale = true; // the load may have read the data before this
    }; // still waiting: the load reads everything after this anyway
    const connect = function () {
      const source = new EventSource("/api/live");
      source.onopen = () => {
        liveState = "on";
        renderLive();
        settle();
        deliver(null); // subscribed now: what came before (or while away) is only in the data
      };
      source.onmessage = (message) => {
        let data;
        try {
          data = JSON.parse(message.data);
        } catch (e) {
          return;
        }
        if (data && typeof data === "object") deliver(data);
      };
      source.onerror = () => {
        liveState = "off";
        renderLive();
        settle();
        if (source.readyState === EventSource.CLOSED) {
          source.close();
          // A 401 (signed out elsewhere) ends at /login through api(); anything else: try again later.
          setTimeout(() => api("GET", "/api/me").then(connect, () => setTimeout(connect, LIVE_RETRY_MS)),
                     LIVE_RETRY_MS);
        }
      };
    };
    connect();
    setInterval(() => deliver(null), FALLBACK_POLL_MS);
    return {
      settled,
      loading() {
        stage = "loading";
      },
      loaded() {
        stage = "loaded";
        if (stale) onEvent(null);
      },
    };
  }

  /** Start a signed-in page: who is signed in, the frame, the page's data, live updates, clocks. */
  async function start(spec) {
    page = spec;
    translateStatic();
    renderHeader();
    notices();
    try {
      me = await api("GET", "/api/me");
    } catch (error) {
      showApiError(error);
      return;
    }
    renderHeader();
    // Subscribed before the first load, so nothing can arrive unseen between the two.
    const live = page.onEvent ? follow(page.onEvent) : null;
    if (live) {
      await Promise.race([live.settled, new Promise((resolve) => setTimeout(resolve, LIVE_WAIT_MS))]);
      live.loading();
    }
    try {
      await (page.load ? page.load() : null);
    } finally {
      if (live) live.loaded();
    }
    tick();
    setInterval(tick, 1000);
  }

  window.VC = {
    t, el, api, ApiError, start, refresher, notify, showError, showApiError, reasonLabel, duration, now,
    setServerNow, timeEl, clockTime, waitClock, slaClock, laterWait, overdue, tick, ticketPath, ticketUrl, locale,
    STRONG_REASONS,
    get me() { return me; },
    get lang() { return lang; },
  };
})();
