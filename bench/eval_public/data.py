"""BANKING77 and CLINC150 as read from the local copy in ../shared/datasets."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.eval_public.constants import DATA_DIR


@dataclass
class Split:
    texts: list[str]
    labels: list[str]

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, idx: Sequence[int]) -> Split:
        return Split([self.texts[i] for i in idx], [self.labels[i] for i in idx])


@dataclass
class Task:
    """``val`` is None for BANKING77; CLINC150's val and test include their oos items."""

    name: str
    train: Split
    test: Split
    val: Split | None = None
    classes: list[str] = field(default_factory=list)


def load_banking77(data_dir: Path = DATA_DIR) -> Task:
    def read(name: str) -> Split:
        with (data_dir / "banking77" / name).open(newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        return Split([r["text"] for r in rows], [r["category"] for r in rows])

    classes = json.loads((data_dir / "banking77" / "categories.json").read_text(encoding="utf-8"))
    return Task("banking77", read("train.csv"), read("test.csv"), None, sorted(classes))


def load_clinc150(data_dir: Path = DATA_DIR) -> Task:
    """data_full: train is in-scope only (the oos-threshold setting); oos_train is not used."""
    data = json.loads((data_dir / "clinc150" / "data_full.json").read_text(encoding="utf-8"))

    def split(*keys: str) -> Split:
        pairs = [pair for key in keys for pair in data[key]]
        return Split([t for t, _ in pairs], [label for _, label in pairs])

    train = split("train")
    return Task("clinc150", train, split("test", "oos_test"), split("val", "oos_val"), sorted(set(train.labels)))


def task_splits(task: Task) -> dict[str, Split]:
    splits = {"train": task.train, "test": task.test}
    if task.val is not None:
        splits["val"] = task.val
    return splits
