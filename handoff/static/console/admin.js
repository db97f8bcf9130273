/*
 * The admin's review page (GET /admin, admin role only): proposals mined from archived chats
 * (`python -m bot.admin mine`), pending ones first, each approved (with the answer edited or
 * another FAQ topic chosen) or rejected; decided ones below, collapsed. The side panel runs the
 * two long jobs, finding proposals and publishing (build, the regression-set gate, switch), and
 * shows their state and output, polled every 2 s while one runs.
 *
 * What the admin types is kept per proposal across redraws; proposals are redrawn only when they
 * changed (a decision, a finished search, another admin's decision on the 30 s poll).
 */
(function () {
  "use strict";

  const VC = window.VC;
  const t = VC.t, el = VC.el;
  const JOB_POLL_MS = 2000;
  const GATE_EXIT_CODE = 3; // bot.admin publish: the candidate index did worse on the regression set
  const KINDS = ["mine", "publish"];
  const MAX_ANSWER = 4000;
  const GATE_LINE = /^(regression set|not published)\b/i;

  const $ = (id) => document.getElementById(id);
  const pendingList = $("pending"), decidedList = $("decided");

  let proposals = null;
  let drawn = ""; // the proposals as last drawn, to redraw only on a change
  const drafts = new Map(); // proposal id -> {answer, topic}: typed, not sent yet
  const opened = new Set(); // decided proposals the admin expanded
  const busy = new Set(); // proposals with a decision on its way

  const jobs = {}; // kind -> the latest job of that kind
  const seen = {}; // kind -> the job as last seen: tells when one ends
  const starting = new Set(); // kinds being started
  let pollTimer = 0;

  // -- data ----------------------------------------------------------------------------------

  async function load() {
    const data = await VC.api("GET", "/api/admin/proposals");
    proposals = Array.isArray(data && data.proposals) ? data.proposals : [];
    renderProposals(false);
    takeJobs(data && data.jobs);
  }

  async function loadJobs() {
    try {
      takeJobs(await VC.api("GET", "/api/admin/jobs"));
    } finally {
      schedulePoll(); // keep polling through a lost request while a job runs
    }
  }

  const refreshProposals = VC.refresher(load);
  const refreshJobs = VC.refresher(loadJobs);

  function running(kind) {
    return Boolean(jobs[kind] && jobs[kind].state === "running");
  }

  function schedulePoll() {
    clearTimeout(pollTimer);
    if (KINDS.some(running)) pollTimer = setTimeout(refreshJobs, JOB_POLL_MS);
  }

  /** Take the jobs the server reports; tell the admin about those seen running that have ended. */
  function takeJobs(list) {
    for (const job of Array.isArray(list) ? list : []) {
      if (!job || !KINDS.includes(job.kind)) continue;
      const known = jobs[job.kind];
      if (known && known.started_at > job.started_at) continue;
      jobs[job.kind] = job;
      const before = seen[job.kind];
      seen[job.kind] = { started_at: job.started_at, state: job.state };
      if (before && before.state === "running" && before.started_at === job.started_at && job.state !== "running") {
        ended(job);
      }
    }
    renderJobs();
    schedulePoll();
  }

  function ended(job) {
    if (job.kind === "mine") {
      if (job.exit_code === 0) VC.notify(t("mineDone"));
      else VC.showError(t("mineFailed", job.exit_code));
      refreshProposals();
    } else if (job.exit_code === 0) {
      VC.notify(t("published"));
    } else if (job.exit_code === GATE_EXIT_CODE) {
      VC.showError([t("gateStopped")].concat(gateLines(job.output)).join("\n"));
    } else {
      VC.showError(t("publishFailed", job.exit_code));
    }
  }

  /** The lines of a publish job's output that say why the gate stopped it. */
  function gateLines(output) {
    const lines = String(output || "").split("\n").map((line) => line.trim()).filter(Boolean);
    const why = lines.filter((line) => GATE_LINE.test(line));
    return why.length ? why : lines.slice(-3);
  }

  // -- proposals -----------------------------------------------------------------------------

  function pending() {
    return (proposals || []).filter((p) => (p.status || "pending") === "pending");
  }

  function decided() {
    const time = (p) => Date.parse(p.decided_at || "") || 0;
    return (proposals || []).filter((p) => (p.status || "pending") !== "pending").sort((a, b) => time(b) - time(a));
  }

  function draft(p) {
    if (!drafts.has(p.id)) drafts.set(p.id, { answer: p.answer || "", topic: p.faq_id || "" });
    return drafts.get(p.id);
  }

  function domId(p, part) {
    return "proposal-" + String(p.id).replace(/[^A-Za-z0-9_-]/g, "_") + (part ? "-" + part : "");
  }

  function chips(p) {
    return el("ul", { class: "vc-chips" }, [
      el("li", { class: "vc-chip is-kind", text: t("kind." + p.kind) }),
      el("li", { class: "vc-chip", text: t("langName." + p.lang) }),
      el("li", { class: "vc-chip", title: t("countLabel", p.count) }, [
        el("span", { "aria-hidden": "true", text: t("count", p.count) }),
        el("span", { class: "vc-sr-only", text: t("countLabel", p.count) }),
      ]),
    ]);
  }

  function topicFact(p) {
    return el("dl", { class: "vc-facts" }, el("div", {}, [
      el("dt", { text: t("factTopic") }),
      el("dd", {}, p.faq_id ? el("code", { text: p.faq_id }) : t("newTopic")),
    ]));
  }

  function questions(p) {
    return [
      el("h4", { text: t("questionsTitle") }),
      el("ul", { class: "vc-questions" }, (p.questions || []).map((q) => el("li", { lang: p.lang, text: q }))),
    ];
  }

  function field(p, name, input, label, hint) {
    const id = domId(p, name);
    input.id = id;
    input.name = name;
    input.dataset.focusKey = name + ":" + p.id;
    if (hint) input.setAttribute("aria-describedby", id + "-hint");
    input.addEventListener("input", () => {
      draft(p)[name] = input.value;
      input.removeAttribute("aria-invalid");
    });
    return el("div", { class: "vc-proposal-field" }, [
      el("label", { for: id, text: label }),
      input,
      hint ? el("p", { id: id + "-hint", class: "vc-muted vc-hint", text: hint }) : null,
    ]);
  }

  function pendingItem(p) {
    const d = draft(p);
    const fields = [];
    if (p.kind === "new_entry") {
      const answer = el("textarea", { rows: 5, maxlength: MAX_ANSWER, lang: p.lang });
      answer.value = d.answer;
      const topic = el("input", { type: "text", autocomplete: "off", spellcheck: "false" });
      topic.value = d.topic;
      fields.push(field(p, "answer", answer, t("answerLabel")),
                  field(p, "topic", topic, t("topicOptionalLabel"), t("topicHint")));
    } else {
      const topic = el("input", { type: "text", autocomplete: "off", spellcheck: "false", required: true });
      topic.value = d.topic;
      fields.push(el("p", { class: "vc-muted", text: t("answerKept") }), field(p, "topic", topic, t("topicLabel")));
    }
    const form = el("form", { class: "vc-proposal-form", novalidate: true }, fields.concat(
      el("div", { class: "vc-actions" }, [
        el("button", { type: "submit", class: "vc-btn", "aria-label": t("approveLabel", p.title),
                       dataset: { focusKey: "approve:" + p.id }, text: t("approve") }),
        el("button", { type: "button", class: "vc-btn vc-btn-danger", "aria-label": t("rejectLabel", p.title),
                       dataset: { focusKey: "reject:" + p.id }, text: t("reject"),
                       onclick: () => decide(p, "reject", undefined) }),
      ])));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      approve(p, form);
    });
    return el("li", {}, el("article", {
      id: domId(p), class: "vc-panel vc-proposal", tabindex: "-1", "aria-labelledby": domId(p, "title"),
      dataset: { proposal: p.id, status: "pending" },
    }, [
      el("div", { class: "vc-proposal-head" }, [el("h3", { id: domId(p, "title"), lang: p.lang, text: p.title }),
                                                 chips(p)]),
      topicFact(p),
      ...questions(p),
      form,
    ]));
  }

  function decidedItem(p) {
    const status = p.status || "pending";
    const when = Date.parse(p.decided_at || "");
    const details = el("details", {
      class: "vc-panel vc-proposal is-decided", open: opened.has(p.id),
      dataset: { proposal: p.id, status: status, focusKey: "decided:" + p.id },
    }, [
      el("summary", { dataset: { focusKey: "summary:" + p.id } }, [
        el("span", { class: "vc-state vc-status-" + status, text: t("proposalStatus." + status) }), " ",
        el("span", { lang: p.lang, text: p.title }), " ",
        el("span", { class: "vc-muted", text: "· " + t("kind." + p.kind) + " · " + t("langName." + p.lang) + " · "
                                               + t("count", p.count) }),
      ]),
      el("p", { class: "vc-meta" }, [
        p.decided_by ? t("decidedBy", p.decided_by) + " " : null,
        isFinite(when) ? VC.timeEl(when / 1000) : null,
      ]),
      topicFact(p),
      ...questions(p),
      p.answer ? el("p", { class: "vc-answer", lang: p.lang, text: p.answer }) : null,
    ]);
    details.addEventListener("toggle", () => {
      if (details.open) opened.add(p.id);
      else opened.delete(p.id);
    });
    return el("li", {}, details);
  }

  /** Redraw the proposals (only when they changed, unless forced), keeping the focus and the caret. */
  function renderProposals(force) {
    if (!proposals) return;
    const state = JSON.stringify(proposals);
    if (!force && state === drawn) return;
    drawn = state;
    const active = document.activeElement;
    const focusKey = active && active.dataset ? active.dataset.focusKey : null;
    const caret = active && typeof active.selectionStart === "number"
      ? [active.selectionStart, active.selectionEnd] : null;
    const waiting = pending(), done = decided();
    pendingList.replaceChildren(...(waiting.length ? waiting.map(pendingItem)
      : [el("li", { class: "vc-empty", text: t("pendingEmpty") })]));
    decidedList.replaceChildren(...(done.length ? done.map(decidedItem)
      : [el("li", { class: "vc-empty", text: t("decidedEmpty") })]));
    $("decided-title").textContent = t("decidedTitle", done.length);
    $("admin-summary").textContent = t("adminSummary", waiting.length, done.length);
    document.title = t("adminDocTitle", waiting.length);
    if (focusKey) {
      const again = document.querySelector('main [data-focus-key="' + CSS.escape(focusKey) + '"]');
      if (again && again !== active) {
        again.focus();
        if (caret && typeof again.setSelectionRange === "function") again.setSelectionRange(caret[0], caret[1]);
      }
    }
  }

  function invalid(input, message) {
    input.setAttribute("aria-invalid", "true");
    VC.showError(message);
    input.focus();
  }

  function approve(p, form) {
    const topicInput = form.elements.namedItem("topic");
    const topic = topicInput.value.trim();
    if (p.kind === "new_entry") {
      const answerInput = form.elements.namedItem("answer");
      const answer = answerInput.value.trim();
      if (!answer && !topic) return invalid(answerInput, t("needAnswer"));
      return decide(p, "approve", { answer: answer, faq_id: topic || null });
    }
    if (!topic) return invalid(topicInput, t("needTopic"));
    return decide(p, "approve", { faq_id: topic });
  }

  async function decide(p, action, body) {
    if (busy.has(p.id)) return;
    busy.add(p.id);
    const place = pending().findIndex((x) => x.id === p.id);
    try {
      const updated = await VC.api("POST", "/api/admin/proposals/" + encodeURIComponent(p.id) + "/" + action, body);
      drafts.delete(p.id);
      if (updated && updated.id === p.id) proposals = proposals.map((x) => (x.id === p.id ? updated : x));
      renderProposals(false);
      VC.notify(t(action === "approve" ? "approvedDone" : "rejectedDone", p.title));
      focusAfterDecision(place);
      refreshProposals();
    } catch (error) {
      if (error.status === 401) return;
      VC.showError(t("decideFailed", p.title) + error.message);
      refreshProposals(); // decided elsewhere, or gone: show what is true now (drafts stay)
    } finally {
      busy.delete(p.id);
    }
  }

  /** After a decision the proposal leaves the list: go on with the one that took its place. */
  function focusAfterDecision(place) {
    const items = pendingList.querySelectorAll("article.vc-proposal");
    const next = items[Math.min(place, items.length - 1)];
    (next || $("pending-title")).focus();
  }

  // -- jobs ----------------------------------------------------------------------------------

  function setText(node, text) {
    if (node.textContent !== text) node.textContent = text;
  }

  function jobBox(kind) {
    let box = $("job-" + kind);
    if (!box) {
      box = el("div", { id: "job-" + kind, class: "vc-job", dataset: { kind: kind }, hidden: true }, [
        el("h3", { class: "vc-job-title" }),
        el("p", { class: "vc-job-state", role: "status" }),
        el("div", { class: "vc-job-result" }),
        el("pre", { class: "vc-job-output", tabindex: "0" }),
      ]);
      $("jobs").append(box);
    }
    return box;
  }

  function jobResult(job) {
    if (job.state === "running") return null;
    if (job.kind === "mine") {
      return job.exit_code === 0 ? null : el("p", { class: "vc-job-failed", text: t("mineFailed", job.exit_code) });
    }
    if (job.exit_code === 0) return el("p", { class: "vc-job-ok", text: t("published") });
    if (job.exit_code === GATE_EXIT_CODE) {
      return el("div", { class: "vc-job-gate" }, [
        el("p", { text: t("gateStopped") }),
        el("ul", {}, gateLines(job.output).map((line) => el("li", { lang: "en", text: line }))),
      ]);
    }
    return el("p", { class: "vc-job-failed", text: t("publishFailed", job.exit_code) });
  }

  function renderJob(kind) {
    const box = jobBox(kind), job = jobs[kind];
    box.hidden = !job;
    if (!job) return;
    const name = t("jobKind." + kind);
    box.className = "vc-job is-" + job.state;
    setText(box.querySelector(".vc-job-title"), name);
    const at = job.finished_at ? VC.clockTime(job.finished_at) : t("none");
    setText(box.querySelector(".vc-job-state"), job.state === "running"
      ? t("jobRunning", name, VC.clockTime(job.started_at))
      : job.state === "done" ? t("jobDone", name, at) : t("jobFailed", name, at, job.exit_code));
    const result = box.querySelector(".vc-job-result");
    const key = [job.started_at, job.state, job.exit_code, VC.lang].join("|");
    if (result.dataset.key !== key) {
      result.dataset.key = key;
      result.replaceChildren(...[jobResult(job)].filter(Boolean));
    }
    const pre = box.querySelector(".vc-job-output");
    pre.setAttribute("aria-label", t("jobOutput", name));
    const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
    const output = job.output || t("jobOutputEmpty");
    if (pre.textContent !== output) {
      pre.textContent = output; // text only, never HTML
      if (atBottom) pre.scrollTop = pre.scrollHeight;
    }
  }

  function renderJobs() {
    for (const kind of KINDS) renderJob(kind);
    $("jobs-none").hidden = KINDS.some((kind) => jobs[kind]);
    for (const kind of KINDS) {
      const button = $("run-" + kind);
      const blocked = running(kind) || starting.has(kind);
      // aria-disabled, not disabled: the button keeps the keyboard focus while the job runs
      if (blocked) button.setAttribute("aria-disabled", "true");
      else button.removeAttribute("aria-disabled");
    }
  }

  async function runJob(kind) {
    const name = t("jobKind." + kind);
    if (starting.has(kind)) return;
    if (running(kind)) {
      VC.showError(t("jobBusy", name));
      return;
    }
    const force = $("publish-force");
    const body = kind === "publish" && force.checked ? { force: true } : undefined;
    starting.add(kind);
    renderJobs();
    try {
      const job = await VC.api("POST", "/api/admin/jobs/" + kind, body);
      if (kind === "publish") force.checked = false; // forcing is a choice for one run
      VC.notify(t("jobStarted", name));
      starting.delete(kind);
      takeJobs([job]);
    } catch (error) {
      if (error.status === 401) return;
      VC.showError(error.status === 409 ? t("jobBusy", name) + error.message : error.message);
      refreshJobs();
    } finally {
      starting.delete(kind);
      renderJobs();
    }
  }

  for (const kind of KINDS) $("run-" + kind).addEventListener("click", () => runJob(kind));

  const archiveFailed = window.VCArchiveFailed; // admin_archive.js: conversations set aside by the archiver
  const answerRatings = window.VCAnswerRatings; // admin_answer_ratings.js: FAQ answers rated not helpful
  const canned = window.VCCanned; // admin_canned.js: canned answers for the reply box

  VC.start({
    load: () => Promise.all([refreshProposals(), archiveFailed.refresh(), answerRatings.refresh(),
                             canned.refresh()]),
    render: () => {
      renderProposals(true);
      renderJobs();
      archiveFailed.render();
      answerRatings.render();
      canned.render();
    },
    // Ticket events do not touch proposals; the fallback poll (null) picks up other admins' decisions.
    onEvent: (event) => {
      if (event) return;
      refreshProposals();
      archiveFailed.refresh();
      answerRatings.refresh();
      canned.refresh();
    },
  });
})();
