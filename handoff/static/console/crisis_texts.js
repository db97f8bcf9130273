/*
 * Texts of crisis mode (crisis.js's banner, crisis_page.js), added to texts.js's before console.js reads them.
 */
(function () {
  "use strict";

  const { TEXT } = window.VC_TEXTS;
  Object.assign(TEXT.pl, {
    crisisBanner: (topic, count, since) => "Kryzys: " + topic + " – " + count + " rozmów od " + since,
    crisisOpenGroup: "Pokaż grupę",
    crisisTitle: "Kryzys",
    crisisState: { open: "otwarty", closed: "zamknięty" },
    crisisSince: (since) => "od " + since,
    crisisTickets: "Rozmowy w grupie",
    crisisStatement: "Oświadczenie do wszystkich rozmów",
    crisisPl: "Po polsku",
    crisisEn: "Po angielsku",
    crisisPublish: "Wyślij oświadczenie",
    crisisPublished: (c) => "Wysłano: " + c.sent + ", już miały: " + c.already + ", zamknięte: " + c.resolved +
      ", usunięte: " + c.erased + ".",
    crisisPublishedBy: (who, when) => "Wysłał(a) " + who + ", " + when,
    crisisClose: "Zamknij kryzys",
    crisisClosed: "Kryzys zamknięty.",
    crisisAdminOnly: "Oświadczenie wysyła i kryzys zamyka administrator.",
  });
  Object.assign(TEXT.en, {
    crisisBanner: (topic, count, since) => "Crisis: " + topic + " – " + count + " conversations since " + since,
    crisisOpenGroup: "Show the group",
    crisisTitle: "Crisis",
    crisisState: { open: "open", closed: "closed" },
    crisisSince: (since) => "since " + since,
    crisisTickets: "Conversations in the group",
    crisisStatement: "Statement to every conversation",
    crisisPl: "In Polish",
    crisisEn: "In English",
    crisisPublish: "Send the statement",
    crisisPublished: (c) => "Sent: " + c.sent + ", had it already: " + c.already + ", resolved: " + c.resolved +
      ", erased: " + c.erased + ".",
    crisisPublishedBy: (who, when) => "Sent by " + who + ", " + when,
    crisisClose: "Close the crisis",
    crisisClosed: "The crisis is closed.",
    crisisAdminOnly: "An admin sends the statement and closes the crisis.",
  });
})();
