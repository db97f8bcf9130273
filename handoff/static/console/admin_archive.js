/*
 * The admin page's list of conversations the archiver set aside after failing to archive them
 * (GET /api/admin/archive/failed), each with a button that puts it back for the archiver's next
 * pass (POST .../{id}/retry). Their events stay in Redis: nothing is lost, but nothing reaches the
 * archive (and retraining) until they are retried. admin.js loads and redraws it with the page.
 */
(function () {
  "use strict";

  const VC = window.VC;
  const t = VC.t, el = VC.el;

  const list = document.getElementById("archive-failed");
  let conversations = null;
  const busy = new Set(); // conversation ids with a retry on its way

  async function load() {
    const data = await VC.api("GET", "/api/admin/archive/failed");
    conversations = Array.isArray(data && data.conversations) ? data.conversations : [];
    render();
  }

  const refresh = VC.refresher(load);

  function item(c) {
    const id = String(c.conversation_id);
    return el("li", { class: "vc-archive-item", dataset: { conversation: id } }, [
      el("code", { text: id }),
      el("p", { class: "vc-meta vc-muted" }, [
        c.at ? VC.timeEl(c.at) : null, " ",
        t("archiveFailedFacts", c.attempts == null ? "?" : c.attempts, c.error || "?"),
      ]),
      el("button", { type: "button", class: "vc-btn vc-btn-small", "aria-label": t("archiveRetryLabel", id),
                     text: t("archiveRetry"), onclick: () => retry(id) }),
    ]);
  }

  function render() {
    if (!conversations) return;
    list.replaceChildren(...(conversations.length ? conversations.map(item)
      : [el("li", { class: "vc-empty vc-muted", text: t("archiveFailedEmpty") })]));
  }

  async function retry(id) {
    if (busy.has(id)) return;
    busy.add(id);
    try {
      await VC.api("POST", "/api/admin/archive/failed/" + encodeURIComponent(id) + "/retry");
      VC.notify(t("archiveRetried", id));
    } catch (error) {
      if (error.status === 401) return;
      VC.showError(t("archiveRetryFailed", id) + error.message);
    } finally {
      busy.delete(id);
      refresh(); // retried here or elsewhere: show what is true now
    }
  }

  window.VCArchiveFailed = { refresh, render };
})();
