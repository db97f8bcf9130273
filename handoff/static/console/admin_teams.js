/*
 * The admin page's teams panel: the teams (first match first) with a remove button each, a form that
 * makes or replaces a team (PUT /api/admin/teams/{name}), and a moderator's capacity
 * (PUT /api/admin/moderators/{login}/capacity). Errors come back naming the field (handoff/teams.py).
 */
(function () {
  "use strict";

  const VC = window.VC;
  const t = VC.t, el = VC.el;
  const $ = (id) => document.getElementById(id);
  const list = $("teams-list"), result = $("teams-result");
  if (!list) return;

  const split = (text) => text.split(",").map((s) => s.trim()).filter(Boolean);

  async function load() {
    const data = await VC.api("GET", "/api/admin/teams");
    list.replaceChildren(...data.teams.map((team) => el("li", { dataset: { team: team.name } }, [
      el("strong", { text: team.name }), team.fallback ? " (" + t("teamFallback") + ")" : "", ": ",
      [team.members.join(", "), team.topics.length ? " · " + team.topics.join(", ") : "",
       team.channels.length ? " · " + team.channels.join(", ") : ""].join(""), " ",
      el("button", { type: "button", class: "vc-btn vc-btn-quiet vc-btn-small", text: "×",
                     "aria-label": t("teamRemove", team.name), onclick: () => remove(team.name) }),
    ])));
  }

  async function run(action, done) {
    try {
      await action();
      result.textContent = done;
      await load();
    } catch (error) {
      result.textContent = "";
      VC.showApiError(error);
    }
  }

  function remove(name) {
    return run(() => VC.api("DELETE", "/api/admin/teams/" + encodeURIComponent(name)), "");
  }

  $("team-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const name = $("team-name").value.trim();
    const body = { members: split($("team-members").value), topics: split($("team-topics").value),
                   channels: split($("team-channels").value), fallback: $("team-fallback").checked };
    run(() => VC.api("PUT", "/api/admin/teams/" + encodeURIComponent(name), body), t("teamSaved", name));
  });

  $("capacity-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const login = $("capacity-login").value.trim(), raw = $("capacity-value").value.trim();
    const capacity = /^\d+$/.test(raw) ? Number(raw) : raw; // the server names a bad value
    run(() => VC.api("PUT", "/api/admin/moderators/" + encodeURIComponent(login) + "/capacity", { capacity }),
        t("capacitySaved", login, raw));
  });

  load().catch(VC.showApiError);
})();
