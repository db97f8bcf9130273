"""Run by the Rasa venv's Python (see test_patches.py): checks bot.rasa_side.patches against Rasa 3.6."""

import asyncio
import json
import sys

from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import EndpointConfig

from bot.rasa_side import patches
from bot.rasa_side.patches.prefetch import prefetch_url

original = {cls.type_name: Event.resolve_by_type(cls.type_name) for cls in all_subclasses(Event)}
patches.install()
patches.install()  # idempotent
action = RemoteAction("action_answer", None)
results = {
    "valid_passes": action._validate_action_result({"events": [], "responses": [{"text": "hi"}]}),
    "same_event_classes": all(Event.resolve_by_type(name) is cls for name, cls in original.items()),
    "unknown_event_default": Event.resolve_by_type("no-such-event", default=Event) is Event,
}
try:
    action._validate_action_result({"events": "not a list"})
    results["invalid_rejected"] = False
except ValidationError as e:
    results["invalid_rejected"] = "Failed to validate Action server response" in e.message
try:
    Event.resolve_by_type("no-such-event")
    results["unknown_event_raises"] = False
except ValueError:
    results["unknown_event_raises"] = True



class Posted:
    """What ``validate_events_in_request_body`` reads of a request: its JSON body."""

    def __init__(self, json_body: object) -> None:
        self.json = json_body


validation_patch = sys.modules["bot.rasa_side.patches.validation"]
validation_patch._validate_events_in_request_body(Posted([{"event": "bot", "text": "hi", "timestamp": 1.0}]))
results["events_valid_pass"] = True
try:
    validation_patch._validate_events_in_request_body(Posted([{"event": "bot", "timestamp": "yesterday"}]))
    results["events_invalid_rejected"] = False
except Exception as e:  # Rasa's ErrorResponse: a 400 naming the format
    results["events_invalid_rejected"] = e.status == 400 and "events format" in e.error_info["message"]


async def sessions() -> dict[str, bool]:
    """Two requests through one endpoint share a session; other headers get their own."""
    endpoint, other = EndpointConfig("http://127.0.0.1:9/x"), EndpointConfig("http://127.0.0.1:9/x", headers={"a": "b"})
    async with endpoint.session() as first:
        pass
    async with endpoint.session() as second:
        pass
    async with other.session() as third:
        pass
    return {"session_reused": first is second and not first.closed, "session_per_headers": third is not first}


results.update(asyncio.run(sessions()))
results["prefetch_url"] = (prefetch_url("http://127.0.0.1:5055/webhook") == "http://127.0.0.1:5055/prefetch"
                           and prefetch_url("http://a/") == "http://a/prefetch")


def every_patch_is_in_place() -> bool:
    """What ``install`` promises in its docstring: each listed patch replaced Rasa's own."""
    import rasa.core.run
    import rasa.server
    from rasa.core.agent import Agent
    from rasa.core.tracker_store import FailSafeTrackerStore
    from rasa.engine.runner.dask import DaskGraphRunner

    from bot.rasa_side.patches import (
        api_token,
        fair_share,
        graph,
        logs,
        metrics,
        prefetch,
        readiness,
        sessions,
        tracker_store,
        validation,
    )

    return (RemoteAction._validate_action_result is validation._validate_action_result
            and FailSafeTrackerStore.save is tracker_store._save_or_fail
            and EndpointConfig.session is sessions._shared_session
            and DaskGraphRunner.run is graph._run_graph and Agent.handle_message is logs._handle_message
            and logs._original_handle is metrics._handle_message
            and metrics._original_handle is fair_share._handle_message
            and fair_share._original_handle_message is prefetch._handle_message
            and rasa.server.requires_auth is api_token.requires_auth
            and rasa.server.validate_events_in_request_body is validation._validate_events_in_request_body
            and rasa.core.run.configure_app is metrics._configure_app
            and metrics._original_configure is readiness._configure_app
            and len(patches.PATCHES) == 11)


results["every_patch_in_place"] = every_patch_is_in_place()
json.dump(results, sys.stdout)
