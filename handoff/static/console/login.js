/*
 * The sign-in page: a plain form POSTed to /login (it works without this script). The script
 * shows the server's verdict (/login?error=1), keeps the language choice shared with the
 * console (localStorage) and stops a double submit.
 */
(function () {
  "use strict";

  const LANG_KEY = "voltaConsole.lang";
  const LOGIN_KEY = "voltaConsole.login";
  const TEXT = {
    pl: {
      title: "Logowanie — konsola konsultantów",
      heading: "konsola konsultantów",
      login: "Login",
      password: "Hasło",
      submit: "Zaloguj się",
      error: "Nieprawidłowy login lub hasło",
      wait: (seconds) => `Za dużo nieudanych prób. Spróbuj ponownie za ${seconds} s.`,
      other: "English",
      otherCode: "en",
      otherLabel: "Switch to English",
    },
    en: {
      title: "Sign in — moderator console",
      heading: "moderator console",
      login: "Login",
      password: "Password",
      submit: "Sign in",
      error: "Wrong login or password",
      wait: (seconds) => `Too many failed attempts. Try again in ${seconds} s.`,
      other: "Polski",
      otherCode: "pl",
      otherLabel: "Przełącz na polski",
    },
  };

  let lang = "pl";
  try {
    lang = localStorage.getItem(LANG_KEY) === "en" ? "en" : "pl";
  } catch (e) {
    // no storage: Polish
  }
  const query = new URLSearchParams(location.search);
  const failed = query.has("error");
  const wait = /^[0-9]{1,6}$/.test(query.get("wait") || "") ? Number(query.get("wait")) : 0;

  function render() {
    const text = TEXT[lang];
    document.documentElement.lang = lang;
    for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = text[node.dataset.i18n];
    document.getElementById("vl-error").textContent = wait ? text.wait(wait) : failed ? text.error : "";
    const toggle = document.getElementById("vl-lang");
    toggle.textContent = text.other;
    toggle.lang = text.otherCode;
    toggle.setAttribute("aria-label", text.otherLabel);
  }

  document.getElementById("vl-lang").addEventListener("click", () => {
    lang = lang === "pl" ? "en" : "pl";
    try {
      localStorage.setItem(LANG_KEY, lang);
    } catch (e) {
      // the choice lasts for this page only
    }
    render();
  });
  const form = document.getElementById("vl-form"), loginField = document.getElementById("vl-login");
  form.addEventListener("submit", () => {
    document.getElementById("vl-submit").disabled = true;
    try {
      sessionStorage.setItem(LOGIN_KEY, loginField.value); // to fill it in again after a failure
    } catch (e) {
      // fine: the moderator types it again
    }
  });
  window.addEventListener("pageshow", () => {
    document.getElementById("vl-submit").disabled = false; // back from the browser's page cache
  });
  if (failed) {
    try {
      loginField.value = sessionStorage.getItem(LOGIN_KEY) || "";
    } catch (e) {
      loginField.value = "";
    }
    (loginField.value ? document.getElementById("vl-password") : loginField).focus();
  }
  render();
})();
