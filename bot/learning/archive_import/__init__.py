"""Import archived chats from another system into the archive (``faq_corpus/archive/FORMAT.md``).

One module per step: ``sources`` reads JSON Lines or CSV, ``validation`` checks and normalises
each record, ``records`` redacts and renumbers them, ``output`` appends them to the archive file
in one step, and ``cli`` (``python -m bot.archive_import``) ties them together.
"""

from bot.learning.archive_import.cli import EXIT_BAD_INPUT, main, run, summary
from bot.learning.archive_import.output import append_atomically, highest_id
from bot.learning.archive_import.records import Imported, build, redact_record, short_display_name
from bot.learning.archive_import.sources import CSV_COLUMNS, handoff_time, read_csv, read_input, read_jsonl
from bot.learning.archive_import.validation import InputError, check_record, format_time, parse_time

__all__ = [
    "CSV_COLUMNS",
    "EXIT_BAD_INPUT",
    "Imported",
    "InputError",
    "append_atomically",
    "build",
    "check_record",
    "format_time",
    "handoff_time",
    "highest_id",
    "main",
    "parse_time",
    "read_csv",
    "read_input",
    "read_jsonl",
    "redact_record",
    "run",
    "short_display_name",
    "summary",
]
