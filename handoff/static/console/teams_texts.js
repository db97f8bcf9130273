/*
 * Texts of teams, statuses and automatic assignment (teams.js, admin_teams.js), merged into
 * texts.js's before console.js reads them.
 */
(function () {
  "use strict";

  const { TEXT } = window.VC_TEXTS;
  Object.assign(TEXT.pl, {
    statusLabel: "Mój status",
    status: { available: "dostępny", busy: "zajęty", away: "nieobecny" },
    statusFailed: "Nie udało się zmienić statusu: ",
    teamFilterLabel: "Pokaż",
    teamFilter: { mine: "mój zespół", all: "wszystkie" },
    teamNone: "bez zespołu",
    teamLoadsTitle: "Zespoły",
    teamLoadsEmpty: "Nie ma zespołów: zgłoszenia czekają na przejęcie.",
    memberLoad: (login, load, capacity, status) => login + ": " + load + "/" + capacity + " (" + status + ")",
    waitingForTeam: "czeka na zespół",
    teamsTitle: "Zespoły i przydzielanie",
    teamsHint: "Nowe zgłoszenie trafia do pierwszego zespołu, który obejmuje jego temat lub kanał, inaczej do zespołu domyślnego; dostaje je najmniej obciążona dostępna osoba.",
    teamName: "Nazwa",
    teamMembers: "Członkowie (loginy, po przecinku)",
    teamTopics: "Tematy FAQ (po przecinku)",
    teamChannels: "Kanały (webchat, messenger, comment)",
    teamFallback: "zespół domyślny",
    teamSave: "Zapisz zespół",
    teamRemove: (name) => "Usuń zespół " + name,
    teamSaved: (name) => "Zapisano zespół " + name,
    capacityLabel: "Pojemność (login i liczba)",
    capacitySave: "Ustaw pojemność",
    capacitySaved: (login, n) => "Pojemność " + login + ": " + n,
  });
  Object.assign(TEXT.en, {
    statusLabel: "My status",
    status: { available: "available", busy: "busy", away: "away" },
    statusFailed: "Could not change the status: ",
    teamFilterLabel: "Show",
    teamFilter: { mine: "my team", all: "all" },
    teamNone: "no team",
    teamLoadsTitle: "Teams",
    teamLoadsEmpty: "No teams: tickets wait to be claimed.",
    memberLoad: (login, load, capacity, status) => login + ": " + load + "/" + capacity + " (" + status + ")",
    waitingForTeam: "waiting for the team",
    teamsTitle: "Teams and assignment",
    teamsHint: "A new ticket goes to the first team covering its topic or channel, else to the fallback team; the least-loaded available member gets it.",
    teamName: "Name",
    teamMembers: "Members (logins, comma-separated)",
    teamTopics: "FAQ topics (comma-separated)",
    teamChannels: "Channels (webchat, messenger, comment)",
    teamFallback: "fallback team",
    teamSave: "Save team",
    teamRemove: (name) => "Remove team " + name,
    teamSaved: (name) => "Team " + name + " saved",
    capacityLabel: "Capacity (login and number)",
    capacitySave: "Set capacity",
    capacitySaved: (login, n) => "Capacity of " + login + ": " + n,
  });
})();
