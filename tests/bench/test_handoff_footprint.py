"""The footprint bench's pure pieces: /proc parsing, the heavy-import check, the load line, the report."""

import pytest

from bench.handoff_footprint import describe_load, heavy_imports, kib_to_mb, proc_value, render

STATUS = "Name:\tpython\nVmPeak:\t  612340 kB\nVmRSS:\t   50212 kB\nThreads:\t3\n"


def test_vmrss_is_read_from_proc_status_in_mib() -> None:
    assert proc_value(STATUS, "VmRSS") == "50212 kB"
    assert kib_to_mb(proc_value(STATUS, "VmRSS")) == 49.0
    assert proc_value("model name\t: AMD EPYC 7B13\n", "model name") == "AMD EPYC 7B13"


def test_a_missing_key_or_a_size_not_in_kb_is_an_error() -> None:
    with pytest.raises(KeyError, match="VmSwap"):
        proc_value(STATUS, "VmSwap")
    with pytest.raises(ValueError, match="kB"):
        kib_to_mb("50 MB")


def test_heavy_imports_match_packages_and_their_modules_not_lookalike_names() -> None:
    modules = ["numpy.core", "bot.brain.index", "bot.brainstorm", "scipyish", "torchvision", "bot.core.keys"]
    assert heavy_imports(modules) == ["numpy", "bot.brain"]
    assert heavy_imports(["aiohttp", "redis", "bot.rasa_side"]) == ["bot.rasa_side"]
    assert heavy_imports([]) == []


def test_the_machine_is_quiet_only_when_load_and_cpu_are_both_low() -> None:
    assert describe_load(0.1, 3.0).startswith("quiet machine")
    assert describe_load(2.4, 3.0).startswith("other work running")
    assert "CPU 80% busy" in describe_load(0.1, 80.0)


def test_the_report_has_a_row_per_label_with_its_figures() -> None:
    entry = {"commit": "5ae07fc", "start_median_ms": 812.5, "start_max_ms": 900.1, "rss_median_mb": 61.2,
             "modules": 701, "heavy": ["numpy", "bot.brain"], "runs": 5, "measured_at": "2026-12-06 16:00 UTC",
             "machine": "2 CPUs (AMD EPYC), 23.5 GiB RAM", "load": "quiet machine", "repo": "/tmp/before"}
    report = render({"before": entry, "after": {**entry, "commit": "ad0db86", "heavy": []}})
    assert "| before | 5ae07fc | 812.5 | 900.1 | 61.2 | 701 | numpy, bot.brain |" in report
    assert "| after | ad0db86 | 812.5 | 900.1 | 61.2 | 701 | none |" in report
    assert "- before: 5 runs, 2026-12-06 16:00 UTC, 2 CPUs (AMD EPYC), 23.5 GiB RAM; quiet machine" in report
