"""The install-time bench's pure pieces: the commands it times check hashes, and the report names its rows."""

from pathlib import Path

from bench.install_time import install_command, render

LOCKS = [Path("/x/app.lock"), Path("/x/dev.lock")]


def test_pip_installs_every_lock_with_hashes_required() -> None:
    command = install_command("pip", Path("/v"), LOCKS, Path("/uv"))
    assert command[:4] == ["/v/bin/python", "-m", "pip", "install"]
    assert "--require-hashes" in command
    assert command[-4:] == ["-r", "/x/app.lock", "-r", "/x/dev.lock"]
    assert install_command("pip-pypi", Path("/v"), LOCKS, Path("/uv")) == command


def test_uv_syncs_the_venv_to_exactly_the_locks_with_hashes_required() -> None:
    command = install_command("uv", Path("/v"), LOCKS, Path("/uv"))
    assert command == ["/uv", "pip", "sync", "--quiet", "--require-hashes", "--python", "/v/bin/python",
                       "/x/app.lock", "/x/dev.lock"]


def test_the_report_has_a_row_per_install_and_names_machine_and_cache() -> None:
    rows = [{"env": "app", "installer": "uv", "cache": state, "seconds": s, "load_at_start": 0.5}
            for state, s in (("cold", 14.2), ("warm", 3.1))]
    text = render({"measured_at": "2026-12-07 07:00 UTC", "machine": "2 CPUs (AMD EPYC), 23.5 GiB RAM",
                   "commit": "abc1234", "uv": "uv 0.13.9", "rows": rows})
    assert "| app | uv | cold | 14.2 | 0.5 |" in text
    assert "| app | uv | warm | 3.1 | 0.5 |" in text
    assert "2 CPUs (AMD EPYC)" in text and "uv 0.13.9" in text
