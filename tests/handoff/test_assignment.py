"""The assignment decisions: who gets a waiting ticket, when an unanswered one goes back."""

import pytest

from handoff.assignment import Member, choose, parse_capacity, timed_out


def member(login: str, load: int = 0, capacity: int = 5, available: bool = True, last: float = 0.0) -> Member:
    return Member(login, available, load, capacity, last)


def test_the_least_loaded_available_member_gets_it() -> None:
    assert choose([member("anna", load=3), member("piotr", load=1), member("ewa", load=2)]) == "piotr"


def test_busy_and_away_members_get_nothing() -> None:
    assert choose([member("anna", available=False), member("piotr", load=4)]) == "piotr"


def test_capacity_zero_takes_no_automatic_tickets() -> None:
    assert choose([member("anna", capacity=0)]) is None
    assert choose([member("anna", capacity=0), member("piotr", load=2)]) == "piotr"


def test_a_full_member_gets_nothing_more() -> None:
    assert choose([member("anna", load=3, capacity=3)]) is None


def test_nobody_available_leaves_it_queued() -> None:
    assert choose([]) is None
    assert choose([member("anna", available=False), member("piotr", available=False)]) is None


def test_a_tie_goes_to_who_waited_longest_since_their_last_assignment() -> None:
    assert choose([member("anna", last=200.0), member("piotr", last=100.0), member("ewa", last=300.0)]) == "piotr"
    assert choose([member("piotr", last=100.0), member("anna", last=0.0)]) == "anna"  # never assigned: first
    assert choose([member("piotr"), member("anna")]) == "anna"  # then a stable order


def test_a_ticket_taken_back_goes_to_someone_else_first() -> None:
    members = [member("anna"), member("piotr", load=2)]
    assert choose(members, passed_over={"anna"}) == "piotr"
    assert choose([member("anna")], passed_over={"anna"}) == "anna"  # nobody else has room: back to anna


def test_an_unanswered_assignment_times_out() -> None:
    assert not timed_out(1000.0, False, 1000.0 + 599, 600)
    assert timed_out(1000.0, False, 1000.0 + 600, 600)
    assert not timed_out(1000.0, True, 1000.0 + 6000, 600)


@pytest.mark.parametrize("value", [-1, 101, "3", 2.5, None, True])
def test_a_capacity_is_a_whole_number_in_range(value: object) -> None:
    with pytest.raises(ValueError, match="capacity"):
        parse_capacity(value)


def test_capacity_bounds_are_accepted() -> None:
    assert (parse_capacity(0), parse_capacity(100)) == (0, 100)
