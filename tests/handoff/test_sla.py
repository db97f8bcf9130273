"""SLA targets and the breach rule: plain functions with fixed times, and settings that fail naming the variable."""

from zoneinfo import ZoneInfo

import pytest

from bot.core.settings import SettingsError
from handoff.models import Ticket, TicketState
from handoff.reports import ReportRules, summary
from handoff.settings import Settings
from handoff.sla import SlaTargets, Targets, check_minutes, clock, late, parse_by_channel, targets_for

T0 = 1_700_000_000.0
DEFAULTS = SlaTargets(first_minutes=30, reply_minutes=20, resolution_minutes=600, by_channel={"comment": 15})
ENV = {"RASA_TOKEN": "r" * 20, "HANDOFF_SERVICE_TOKEN": "s" * 20}


def ticket(**fields: object) -> Ticket:
    values: dict[str, object] = {"id": "T1", "conversation_id": "c1", "channel": "webchat", "lang": "pl",
                                 "customer_name": "", "reasons": [], "evidence": [], "state": TicketState.ASSIGNED,
                                 "created_at": T0}
    return Ticket(**{**values, **fields})  # type: ignore[arg-type]


def test_a_team_wins_over_its_channel_and_a_channel_over_the_default() -> None:
    assert targets_for(DEFAULTS, None, "webchat") == Targets(30, 20, 600)
    assert targets_for(DEFAULTS, None, "comment") == Targets(15, 15, 600)
    team = {"sla_minutes": 5, "reply_sla_minutes": None, "resolution_sla_minutes": 60}
    assert targets_for(DEFAULTS, team, "comment") == Targets(5, 15, 60)
    assert targets_for(DEFAULTS, team, "messenger") == Targets(5, 20, 60)


def test_a_reply_is_late_only_past_its_target() -> None:
    assert not late(T0, T0 + 20 * 60, 20)  # on the minute: in time
    assert late(T0, T0 + 20 * 60 + 1, 20)
    assert not late(None, T0 + 10_000, 20)  # nobody waits


def test_the_clock_runs_from_the_handoff_then_from_the_customers_next_message() -> None:
    targets = Targets(30, 20, 600)
    first = clock(ticket(), targets, T0 + 31 * 60)
    assert (first["sla_minutes"], first["waiting_since"], first["waiting_breached"]) == (30, T0, True)
    answered = clock(ticket(first_response_at=T0 + 60), targets, T0 + 3600)
    assert (answered["waiting_since"], answered["waiting_breached"]) == (None, False)
    again = clock(ticket(first_response_at=T0 + 60, waiting_since=T0 + 120), targets, T0 + 120 + 21 * 60)
    assert (again["sla_minutes"], again["waiting_since"], again["waiting_breached"]) == (20, T0 + 120, True)


def test_reports_count_late_replies_open_spells_and_slow_resolutions() -> None:
    rules = ReportRules(1800.0, ZoneInfo("Europe/Warsaw"), T0 + 3 * 3600, lambda t: Targets(30, 20, 120))
    tickets = [ticket(id="T1", first_response_at=T0 + 60, reply_breaches=2),
               ticket(id="T2", first_response_at=T0 + 60, waiting_since=T0 + 3 * 3600 - 21 * 60),  # open, past
               ticket(id="T3", first_response_at=T0 + 60, waiting_since=T0 + 3 * 3600 - 60,  # open, in time
                      state=TicketState.RESOLVED, resolved_at=T0 + 100 * 60)]
    out = summary(tickets, rules)
    assert (out["reply_breaches"], out["resolution_breaches"]) == (3, 2)  # T1, T2 open past 120 minutes


def test_settings_default_the_reply_target_to_the_first_and_read_the_channels() -> None:
    sla = Settings.from_env({**ENV, "HANDOFF_SLA_MINUTES": "12",
                             "HANDOFF_SLA_MINUTES_BY_CHANNEL": "comment=15, messenger=30"}).sla
    assert (sla.first_minutes, sla.reply_minutes, sla.resolution_minutes) == (12, 12, 1440)
    assert dict(sla.by_channel) == {"comment": 15, "messenger": 30}


@pytest.mark.parametrize(("env", "named"), [
    ({"HANDOFF_REPLY_SLA_MINUTES": "0"}, "HANDOFF_REPLY_SLA_MINUTES"),
    ({"HANDOFF_RESOLUTION_SLA_MINUTES": "a day"}, "HANDOFF_RESOLUTION_SLA_MINUTES"),
    ({"HANDOFF_SLA_MINUTES_BY_CHANNEL": "fax=10"}, "HANDOFF_SLA_MINUTES_BY_CHANNEL"),
    ({"HANDOFF_SLA_MINUTES_BY_CHANNEL": "comment=0"}, "HANDOFF_SLA_MINUTES_BY_CHANNEL"),
    ({"HANDOFF_SLA_MINUTES_BY_CHANNEL": "comment"}, "HANDOFF_SLA_MINUTES_BY_CHANNEL"),
])
def test_bad_settings_fail_naming_the_variable(env: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        Settings.from_env({**ENV, **env})


def test_a_teams_target_is_whole_minutes_or_null() -> None:
    assert check_minutes(None, "sla_minutes") is None and check_minutes(10080, "sla_minutes") == 10080
    for bad in (0, 10081, 1.5, True, "10"):
        with pytest.raises(ValueError, match="reply_sla_minutes"):
            check_minutes(bad, "reply_sla_minutes")
    assert parse_by_channel("") == {}
