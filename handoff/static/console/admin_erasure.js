/*
 * The admin page's erasure panel: a customer's conversation id, a confirmation in a <dialog>, then
 * POST /api/admin/erasure, which removes the conversation everywhere (handoff/erasure.py). The
 * answer's counts per place are shown; nothing of the conversation is.
 */
(function () {
  "use strict";

  const VC = window.VC;
  const t = VC.t;
  const $ = (id) => document.getElementById(id);

  const form = $("erasure-form"), input = $("erasure-id"), dialog = $("erasure-confirm");
  const result = $("erasure-result");
  let busy = false;

  function confirmed(id) {
    return new Promise((resolve) => {
      $("erasure-confirm-text").textContent = t("erasureConfirm", id);
      dialog.returnValue = "";
      dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
      dialog.showModal();
      $("erasure-cancel").focus();
    });
  }

  function summary(erased) {
    const places = Object.entries(erased || {}).filter(([, n]) => n > 0);
    const total = places.reduce((sum, [, n]) => sum + n, 0);
    return total ? t("erasureDone", places.map(([place, n]) => place + " " + n).join(", ")) : t("erasureNothing");
  }

  async function erase(event) {
    event.preventDefault();
    const id = input.value.trim();
    if (!id || busy) return;
    if (!(await confirmed(id))) {
      input.focus();
      return;
    }
    busy = true;
    input.removeAttribute("aria-invalid");
    try {
      const data = await VC.api("POST", "/api/admin/erasure", { conversation_id: id });
      result.textContent = summary(data && data.erased);
      VC.notify(t("erasureNotice", id));
      input.value = "";
    } catch (error) {
      if (error.status === 401) return;
      input.setAttribute("aria-invalid", "true");
      VC.showError(t("erasureFailed") + error.message);
      input.focus();
    } finally {
      busy = false;
    }
  }

  form.addEventListener("submit", erase);
})();
