"""Settings of the handoff service, from the environment; failures name the variable."""

from __future__ import annotations

import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.core import settings as env
from bot.core.keys import TRACKER_PREFIX, TrackerKeys
from bot.core.redis_config import RedisConfig
from bot.core.settings import SettingsError
from bot.learning.paths import Paths
from handoff.admission import TicketCaps
from handoff.assignment import AssignmentLimits
from handoff.clock import Clock
from handoff.crisis import CrisisSettings
from handoff.handover import SHIFT_HOURS
from handoff.hours import OpeningHours
from handoff.mail import MailSettings
from handoff.pending import PendingLimits
from handoff.ratings import DEFAULT_COMMENT_MINUTES
from handoff.reopen import REOPEN_MINUTES
from handoff.retention import RetentionLimits
from handoff.sign_in_limits import SignInLimits
from handoff.sla import SlaTargets
from handoff.wait_estimate import WaitSettings

__all__ = ["DEFAULT_PUBLIC_RASA_URL", "DEFAULT_REDIS_URL", "Settings", "SettingsError"]

DEFAULT_REDIS_URL = "redis://127.0.0.1:6390/0"
DEFAULT_PUBLIC_RASA_URL = "http://127.0.0.1:5005"
DEFAULT_HOURS = "08:00-22:00"
DEFAULT_ZONE = "Europe/Warsaw"


@dataclass(frozen=True)
class Settings:
    host: str
    port: int
    redis_url: str = field(repr=False)  # may hold the password
    # Where customers' browsers reach Rasa's socket.io channel (the web widget connects there).
    public_rasa_url: str = DEFAULT_PUBLIC_RASA_URL
    rasa_url: str = "http://127.0.0.1:5005"  # Rasa's HTTP API, for replies and hand-backs
    rasa_token: str = field(default="", repr=False)
    service_token: str = field(default="", repr=False)  # the action server's key to /internal
    action_url: str = "http://127.0.0.1:5055"  # the action server, for suggested answers
    register: str = "ty"
    opening_hours: OpeningHours = field(default_factory=lambda: OpeningHours.parse(DEFAULT_HOURS, DEFAULT_ZONE))
    sla_minutes: int = 30
    cookie_secure: bool = False
    consumer: str = "handoff"
    archive_dir: Path = Path("var/archive")  # finished conversations, redacted (JSON Lines)
    archive_idle_seconds: int = 1800  # a conversation this long without a message has ended
    admin_paths: Paths = field(default_factory=lambda: Paths.from_env({}))  # bot.learning.paths
    # the tracker store's key_prefix in endpoints.yml: where conversations' events are read
    tracker_keys: TrackerKeys = field(default_factory=TrackerKeys)
    jobs_dir: Path = Path("var/jobs")  # output of mining and publishing runs
    sign_in: SignInLimits = field(default_factory=SignInLimits)  # throttling, hashing, session lifetimes
    retention: RetentionLimits = field(default_factory=RetentionLimits)  # handoff.retention
    ticket_caps: TicketCaps = field(default_factory=TicketCaps)  # new tickets a minute, open ones per address
    assignment: AssignmentLimits = field(default_factory=AssignmentLimits)  # capacity, timeout, presence
    wait: WaitSettings = field(default_factory=WaitSettings)  # the expected wait's window (handoff.wait_estimate)
    survey_comment_minutes: int = DEFAULT_COMMENT_MINUTES  # a rating may be changed or commented this long
    reopen_minutes: int = REOPEN_MINUTES  # a handoff this soon after resolution reopens the ticket
    shift_hours: int = SHIFT_HOURS  # the handover view's next shift (promised times due within it)
    # REDIS_URL with the REDIS_TLS_*_FILE variables; None: ``redis_url`` alone (tests build Settings directly)
    redis: RedisConfig | None = None
    pending: PendingLimits = field(default_factory=PendingLimits)  # HANDOFF_MAX_PENDING_DAYS (handoff.pending)
    mail: MailSettings = field(default_factory=MailSettings)  # SMTP_*, HANDOFF_EXPERTS, inbound mail (handoff.mail)
    crisis: CrisisSettings = field(default_factory=CrisisSettings)  # HANDOFF_CRISIS_* (handoff.crisis)
    # HANDOFF_REPLY_SLA_MINUTES, HANDOFF_RESOLUTION_SLA_MINUTES, HANDOFF_SLA_MINUTES_BY_CHANNEL (handoff.sla)
    sla: SlaTargets = field(default_factory=SlaTargets)
    clock: Clock = field(default_factory=Clock)  # HANDOFF_TIME_*: wall time, or a compressed weekend (handoff.clock)

    def redis_config(self) -> RedisConfig:
        """How to reach Redis: address, ACL user, password, TLS."""
        return self.redis or RedisConfig.from_url(self.redis_url)

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        paths = Paths.from_env(environ)
        try:
            hours = OpeningHours.parse(environ.get("HANDOFF_OPENING_HOURS", DEFAULT_HOURS),
                                       environ.get("HANDOFF_TIMEZONE", DEFAULT_ZONE))
        except ValueError as e:
            raise SettingsError(f"HANDOFF_OPENING_HOURS / HANDOFF_TIMEZONE: {e}") from None
        except Exception:  # zoneinfo.ZoneInfoNotFoundError and friends
            raise SettingsError(f"HANDOFF_TIMEZONE must be an IANA zone such as {DEFAULT_ZONE}") from None
        return cls(
            host=environ.get("HANDOFF_HOST", "127.0.0.1"),
            port=env.port(environ, "HANDOFF_PORT", "8008"),
            redis_url=environ.get("REDIS_URL") or DEFAULT_REDIS_URL,
            redis=RedisConfig.from_env(environ, DEFAULT_REDIS_URL),
            public_rasa_url=env.http_url(
                environ.get("PUBLIC_RASA_URL", DEFAULT_PUBLIC_RASA_URL), "PUBLIC_RASA_URL"
            ),
            rasa_url=env.http_url(environ.get("RASA_URL", "http://127.0.0.1:5005"), "RASA_URL"),
            rasa_token=env.secret(environ, "RASA_TOKEN", "to send moderators' replies through Rasa's HTTP API"),
            service_token=env.secret(environ, "HANDOFF_SERVICE_TOKEN", "the action server's key to open tickets"),
            action_url=env.http_url(environ.get("ACTION_URL", "http://127.0.0.1:5055"), "ACTION_URL"),
            register=env.choice(environ, "BRAND_REGISTER", "ty", ("ty", "pan")),
            opening_hours=hours,
            sla_minutes=env.whole_number(environ, "HANDOFF_SLA_MINUTES", "30", 1, 24 * 60, "minutes"),
            cookie_secure=env.choice(environ, "HANDOFF_COOKIE_SECURE", "false", ("true", "false")) == "true",
            consumer=environ.get("HANDOFF_CONSUMER") or socket.gethostname(),
            archive_dir=paths.archive,
            archive_idle_seconds=env.whole_number(environ, "ARCHIVE_IDLE_SECONDS", "1800", 1, 7 * 24 * 3600, "seconds"),
            admin_paths=paths,
            tracker_keys=TrackerKeys(environ.get("TRACKER_KEY_PREFIX") or TRACKER_PREFIX),
            jobs_dir=Path(environ.get("JOBS_DIR", "var/jobs")),
            sign_in=SignInLimits.from_env(environ),
            retention=RetentionLimits.from_env(environ),
            ticket_caps=TicketCaps.from_env(environ),
            pending=PendingLimits.from_env(environ),
            mail=MailSettings.from_env(environ),
            crisis=CrisisSettings.from_env(environ),
            sla=SlaTargets.from_env(environ),
            assignment=AssignmentLimits.from_env(environ),
            wait=WaitSettings.from_env(environ),
            survey_comment_minutes=env.whole_number(environ, "HANDOFF_SURVEY_COMMENT_MINUTES",
                                                    str(DEFAULT_COMMENT_MINUTES), 1, 24 * 60, "minutes"),
            reopen_minutes=env.whole_number(environ, "HANDOFF_REOPEN_MINUTES", str(REOPEN_MINUTES), 0, 7 * 24 * 60,
                                            "minutes"),
            shift_hours=env.whole_number(environ, "HANDOFF_SHIFT_HOURS", str(SHIFT_HOURS), 1, 24, "hours"),
            clock=Clock.from_env(environ),
        )
