/*
 * The admin page's canned answers (handoff/canned_api.py): the list, and one form that adds an
 * answer or, after "Edit", replaces it (the shortcut is then fixed: delete and add to rename).
 * Every text goes into the page as text only. An error from the API names the field first
 * ("title is longer than 80 characters"); that field is marked invalid and focused.
 * admin.js loads and redraws it with the page.
 */
(function () {
  "use strict";

  const VC = window.VC;
  const t = VC.t, el = VC.el;
  const $ = (id) => document.getElementById(id);
  const VARIANTS = ["pl_ty", "pl_pan", "en"];
  const FIELDS = { shortcut: "canned-shortcut", title: "canned-name", topic: "canned-topic",
                   "text.pl_ty": "canned-pl_ty", "text.pl_pan": "canned-pl_pan", "text.en": "canned-en" };

  const list = $("canned-admin-list"), form = $("canned-form"), dialog = $("canned-confirm");
  let answers = null;
  let editing = null; // the shortcut being edited, or null when adding
  let busy = false;

  async function load() {
    const data = await VC.api("GET", "/api/canned");
    answers = Array.isArray(data && data.canned) ? data.canned : [];
    render();
  }

  const refresh = VC.refresher(load);

  function item(c) {
    return el("li", { class: "vc-canned-item", dataset: { shortcut: c.shortcut } }, [
      el("p", {}, [el("code", { text: "/" + c.shortcut }), " ", el("strong", { text: c.title }),
                   c.topic ? el("span", { class: "vc-chip", text: c.topic }) : null,
                   " ", el("span", { class: "vc-muted", text: VARIANTS.filter((v) => c.text[v]).join(", ") })]),
      el("p", { class: "vc-canned-preview", text: c.text.pl_ty || c.text.pl_pan || c.text.en || "" }),
      el("div", { class: "vc-actions" }, [
        el("button", { type: "button", class: "vc-btn vc-btn-quiet vc-btn-small", text: t("cannedEdit"),
                       "aria-label": t("cannedEditLabel", c.shortcut), onclick: () => edit(c) }),
        el("button", { type: "button", class: "vc-btn vc-btn-danger vc-btn-small", text: t("cannedDelete"),
                       "aria-label": t("cannedDeleteLabel", c.shortcut), onclick: () => remove(c.shortcut) }),
      ]),
    ]);
  }

  function render() {
    if (!answers) return;
    list.replaceChildren(...(answers.length ? answers.map(item)
      : [el("li", { class: "vc-empty vc-muted", text: t("cannedEmpty") })]));
    $("canned-save").textContent = t(editing ? "cannedSave" : "cannedAdd");
    $("canned-cancel").hidden = !editing;
    $("canned-shortcut").readOnly = Boolean(editing);
  }

  function clearInvalid() {
    for (const id of Object.values(FIELDS)) $(id).removeAttribute("aria-invalid");
  }

  function edit(c) {
    editing = c.shortcut;
    $("canned-shortcut").value = c.shortcut;
    $("canned-name").value = c.title;
    $("canned-topic").value = c.topic || "";
    for (const v of VARIANTS) $("canned-" + v).value = c.text[v] || "";
    clearInvalid();
    render();
    $("canned-name").focus();
  }

  function reset() {
    editing = null;
    form.reset();
    clearInvalid();
    render();
  }

  function body() {
    const text = {};
    for (const v of VARIANTS) {
      const value = $("canned-" + v).value;
      if (value.trim()) text[v] = value;
    }
    return { shortcut: $("canned-shortcut").value.trim(), title: $("canned-name").value,
             topic: $("canned-topic").value.trim(), text };
  }

  function markInvalid(message) {
    const field = Object.keys(FIELDS).find((name) => message.startsWith(name + " ") || message.startsWith(name + ":"))
      || (message.startsWith("text") ? "text.pl_ty" : null);
    if (!field) return;
    $(FIELDS[field]).setAttribute("aria-invalid", "true");
    $(FIELDS[field]).focus();
  }

  async function save(event) {
    event.preventDefault();
    if (busy) return;
    busy = true;
    clearInvalid();
    const data = body();
    try {
      if (editing) await VC.api("PUT", "/api/admin/canned/" + encodeURIComponent(editing), data);
      else await VC.api("POST", "/api/admin/canned", data);
      VC.notify(t("cannedSaved", data.shortcut.replace(/^\//, "")));
      reset();
    } catch (error) {
      if (error.status === 401) return;
      VC.showError(t("cannedFailed") + error.message);
      markInvalid(String(error.message || ""));
    } finally {
      busy = false;
      refresh();
    }
  }

  function confirmed(shortcut) {
    return new Promise((resolve) => {
      $("canned-confirm-text").textContent = t("cannedConfirmDelete", shortcut);
      dialog.returnValue = "";
      dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
      dialog.showModal();
      $("canned-confirm-cancel").focus();
    });
  }

  async function remove(shortcut) {
    if (busy || !(await confirmed(shortcut))) return;
    busy = true;
    try {
      await VC.api("DELETE", "/api/admin/canned/" + encodeURIComponent(shortcut));
      VC.notify(t("cannedDeleted", shortcut));
      if (editing === shortcut) reset();
    } catch (error) {
      if (error.status !== 401) VC.showError(t("cannedFailed") + error.message);
    } finally {
      busy = false;
      refresh();
    }
  }

  form.addEventListener("submit", save);
  $("canned-cancel").addEventListener("click", reset);

  window.VCCanned = { refresh, render };
})();
