/*
 * Texts of pending tickets and consulting an expert (pending.js, queue.js, ticket.js), added to
 * texts.js's before console.js reads them.
 */
(function () {
  "use strict";

  const { TEXT } = window.VC_TEXTS;
  Object.assign(TEXT.pl, {
    pendingTitle: "Wrócę później",
    pendingUntil: (time) => "oczekuje do " + time,
    pendingDue: "termin minął",
    pendingWhen: "Wrócę do klienta do",
    pendingMessage: "Wiadomość do klienta",
    pendingSet: "Oznacz jako oczekujące",
    pendingResume: "Wznów",
    pendingDone: "Zgłoszenie oczekuje; klient dostał wiadomość.",
    pendingResumed: "Wznowiono zgłoszenie.",
    consultTitle: "Zapytaj eksperta (e-mail)",
    consultExpert: "Ekspert",
    consultChoose: "— wpisz adres —",
    consultTo: "Adres e-mail",
    consultQuestion: "Pytanie",
    consultSend: "Wyślij pytanie",
    consultSent: (to) => "Wysłano pytanie do " + to + ". Odpowiedź pojawi się w notatkach.",
    noteExpert: "ekspert",
    noteConsultTo: (to) => "pytanie do " + to,
  });
  Object.assign(TEXT.en, {
    pendingTitle: "Get back later",
    pendingUntil: (time) => "pending until " + time,
    pendingDue: "due now",
    pendingWhen: "Get back to the customer by",
    pendingMessage: "Message to the customer",
    pendingSet: "Mark pending",
    pendingResume: "Resume",
    pendingDone: "The ticket is pending; the customer got the message.",
    pendingResumed: "The ticket is resumed.",
    consultTitle: "Ask an expert (e-mail)",
    consultExpert: "Expert",
    consultChoose: "— type an address —",
    consultTo: "E-mail address",
    consultQuestion: "Question",
    consultSend: "Send the question",
    consultSent: (to) => "The question went to " + to + ". The answer will appear in the notes.",
    noteExpert: "expert",
    noteConsultTo: (to) => "asked " + to,
  });
})();
