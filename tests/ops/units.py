"""An install directory for the systemd units' tests: the repository's files (symbolic links) with a
``var/`` of its own, the shipped units rendered for it, and their environment file."""

from __future__ import annotations

from pathlib import Path

from ops import units
from ops.env_file import parse
from ops.processes import REPO, copy_index, free_ports
from ops.unit_env import line, unit_env

SETTINGS_EXAMPLE = units.UNIT_DIR / "settings.env.example"


def install_dir(root: Path) -> Path:
    """``root``/opt: every top-level entry of the repository but ``var/``, and an empty ``var/``."""
    opt = root / "opt"
    opt.mkdir()
    for entry in REPO.iterdir():
        if entry.name != "var":
            (opt / entry.name).symlink_to(entry)
    (opt / "var" / "home").mkdir(parents=True)
    return opt


def with_index(opt: Path) -> Path:
    """The live index of ``make index`` copied into the install's ``var/index``."""
    (opt / "var" / "index").mkdir()
    copy_index(REPO / "var" / "index", opt / "var" / "index")
    return opt


def rendered(root: Path, opt: Path) -> dict[str, Path]:
    """The shipped units rendered for ``opt`` and ``root``/etc, written to ``root``/units."""
    out = root / "units"
    out.mkdir()
    paths = {}
    for name in (*[f"{s}.service" for s in units.SERVICES], units.TARGET):
        paths[name] = out / name
        paths[name].write_text(units.render(units.unit_text(name), opt, root / "etc"))
    return paths


def env_text(redis_url: str, **changes: str) -> str:
    """The environment file ``python -m ops.unit_env`` writes from the example settings, with
    ``redis_url``, free ports and ``changes``."""
    settings = parse(SETTINGS_EXAMPLE.read_text(encoding="utf-8"))
    rasa, actions, handoff = free_ports(3)
    settings.update(REDIS_URL=redis_url, RASA_PORT=str(rasa), ACTION_PORT=str(actions), HANDOFF_PORT=str(handoff),
                    **changes)
    return "".join(f"{line(name, value)}\n" for name, value in unit_env(settings, {}).items())
