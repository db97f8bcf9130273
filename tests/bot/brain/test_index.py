import json
from pathlib import Path

import faiss
import numpy as np
import pytest

from bot.brain import index as index_module
from bot.brain.build_index import build, is_up_to_date, main
from bot.brain.embeddings import HashingEmbedder
from bot.brain.index import IndexNotFound, Row, VectorIndex, current_version, load_current

FIXTURES = Path(__file__).parents[2] / "fixtures" / "faq"


def _rows_and_vectors() -> tuple[list[Row], np.ndarray]:
    rows = [Row("a", "pl", "jak zwrócić produkt"), Row("b", "pl", "ile kosztuje dostawa")]
    return rows, HashingEmbedder().encode_documents([r.text for r in rows])


def test_search_finds_the_nearest_row() -> None:
    rows, vectors = _rows_and_vectors()
    index = VectorIndex.build(rows, vectors, {"embedder": "hashing"})
    hits = index.search(HashingEmbedder().encode_queries(["jak zwrocic produkt?"])[0], k=2)
    assert hits[0].row.faq_id == "a"
    assert hits[0].score > hits[1].score
    assert index.meta["kind"] == "flat"


def test_large_corpora_get_hnsw_and_the_largest_an_inverted_file() -> None:
    rows, vectors = _rows_and_vectors()
    hnsw = VectorIndex.build(rows, vectors, {}, approx_from=2)
    assert hnsw.meta["kind"] == "hnsw" and hnsw._index.hnsw.efSearch == index_module.ef_search(len(rows))
    assert hnsw.search(vectors[1], k=1)[0].row.faq_id == "b"
    ivf = VectorIndex.build(rows, vectors, {}, approx_from=2, ivf_from=2)
    assert ivf.meta["kind"] == index_module.IVF_KIND
    assert ivf.search(vectors[1], k=1)[0].row.faq_id == "b"


def _seeded_families(n: int, queries: int) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors in tight groups sharing a common direction (as e5's do), and held-out members."""
    rng = np.random.default_rng(7)
    centres = 3.0 + rng.normal(size=(n // 20, 64))
    members = centres[rng.integers(0, len(centres), size=n + queries)] + rng.normal(size=(n + queries, 64))
    members /= np.linalg.norm(members, axis=1, keepdims=True)
    return members[:n].astype(np.float32), members[n:].astype(np.float32)


def test_above_the_switch_point_the_approximate_index_finds_the_nearest_neighbours(tmp_path: Path) -> None:
    vectors, queries = _seeded_families(3000, 40)
    rows = [Row(str(i), "pl", f"q{i}") for i in range(len(vectors))]
    exact = faiss.IndexFlatIP(vectors.shape[1])
    exact.add(vectors)
    _, truth = exact.search(queries, 10)
    built = VectorIndex.build(rows, vectors, {}, approx_from=1000, ivf_from=1000)
    built.save(tmp_path, "v1")
    for index in (built, load_current(tmp_path)):
        assert index.meta["kind"] == index_module.IVF_KIND
        found = [[int(hit.row.faq_id) for hit in index.search(q, 10)] for q in queries]
        assert [f[0] for f in found] == truth[:, 0].tolist()  # the best match is always found
        assert np.mean([len(set(f) & set(t)) for f, t in zip(found, truth, strict=True)]) / 10 >= 0.95


def test_the_inverted_file_is_trained_deterministically_and_searches_as_set_at_load(tmp_path: Path) -> None:
    vectors, _ = _seeded_families(3000, 0)
    rows = [Row(str(i), "pl", f"q{i}") for i in range(len(vectors))]
    first, second = (VectorIndex.build(rows, vectors, {}, approx_from=1000, ivf_from=1000) for _ in range(2))
    assert bytes(faiss.serialize_index(first._index)) == bytes(faiss.serialize_index(second._index))
    first.save(tmp_path, "v1")
    loaded = load_current(tmp_path)._index
    ivf = faiss.extract_index_ivf(loaded.base_index)
    assert ivf.nlist == index_module.ivf_lists(3000)
    assert ivf.nprobe == index_module.ivf_probes(3000, ivf.nlist)
    assert loaded.k_factor == index_module.IVF_REFINE_FACTOR


def test_below_the_switch_point_search_stays_exact() -> None:
    vectors, _ = _seeded_families(3000, 0)
    built = VectorIndex.build([Row(str(i), "pl", "") for i in range(len(vectors))], vectors, {})
    assert built.meta["kind"] == "flat"


def _save_as_before(directory: Path, index: faiss.Index, rows: list[Row], kind: str) -> None:
    """The layout the index code wrote before this release, written without it."""
    directory.mkdir(parents=True)
    faiss.write_index(index, str(directory / "index.faiss"))
    (directory / "rows.jsonl").write_text("".join(json.dumps(r.__dict__) + "\n" for r in rows), "utf-8")
    meta = {"embedder": "hashing", "dim": index.d, "size": len(rows), "kind": kind}
    (directory / "meta.json").write_text(json.dumps(meta), "utf-8")


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_an_index_saved_by_the_previous_release_still_loads(tmp_path: Path, kind: str) -> None:
    rows, vectors = _rows_and_vectors()
    old: faiss.Index = faiss.IndexFlatIP(vectors.shape[1])
    if kind == "hnsw":  # the old approximate index: M=32, efConstruction=80, efSearch not stored
        old = faiss.IndexHNSWFlat(vectors.shape[1], 32, faiss.METRIC_INNER_PRODUCT)
        old.hnsw.efConstruction = 80
    old.add(vectors)
    _save_as_before(tmp_path / "old", old, rows, kind)
    loaded = VectorIndex.load(tmp_path / "old")
    assert loaded.meta["kind"] == kind
    assert [h.row.faq_id for h in loaded.search(vectors[1], k=2)] == ["b", "a"]
    if kind == "hnsw":
        assert loaded._index.hnsw.efSearch == index_module.ef_search(2)


def test_save_publishes_a_complete_version(tmp_path: Path) -> None:
    rows, vectors = _rows_and_vectors()
    VectorIndex.build(rows, vectors, {"embedder": "hashing"}).save(tmp_path, "v1", extra={"x.json": [1]})
    assert current_version(tmp_path) == "v1"
    loaded = load_current(tmp_path)
    assert loaded.rows == rows
    assert loaded.meta["size"] == 2
    assert (tmp_path / "v1" / "x.json").read_text() == "[1]"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left behind


def test_an_existing_version_is_never_overwritten(tmp_path: Path) -> None:
    rows, vectors = _rows_and_vectors()
    built = VectorIndex.build(rows, vectors, {})
    built.save(tmp_path, "v1")
    with pytest.raises(FileExistsError):
        built.save(tmp_path, "v1")


def test_missing_index_says_how_to_build_one(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFound, match="make index"):
        load_current(tmp_path)


def test_build_from_faq_and_skip_when_unchanged(tmp_path: Path) -> None:
    out = tmp_path / "index"
    build(FIXTURES, out, "hashing", progress=False)
    assert load_current(out).meta["corpus_hash"]
    assert is_up_to_date(FIXTURES, out, "hashing")
    assert not is_up_to_date(FIXTURES, out, "e5")


def test_cli_reports_bad_input_without_a_trace(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--faq", str(tmp_path), "--out", str(tmp_path / "i"), "--embedder", "hashing", "--quiet"]) == 2
    assert "no FAQ files" in capsys.readouterr().err
    assert not (tmp_path / "i").exists()


def test_approved_pairs_come_from_approved_dir_and_the_old_name_still_works_with_a_warning(
        caplog: pytest.LogCaptureFixture) -> None:
    from bot.brain.build_index import _approved_dir

    assert _approved_dir({"APPROVED_DIR": "/a", "ARCHIVE_DIR": "/live"}) == Path("/a")
    assert _approved_dir({}) == Path("faq_corpus/archive")
    assert not caplog.records
    assert _approved_dir({"ARCHIVE_DIR": "/old"}) == Path("/old")
    assert "deprecated" in caplog.text and "APPROVED_DIR" in caplog.text


def test_larger_indexes_search_wider() -> None:
    assert index_module.ef_search(100_000) == 256
    assert index_module.ef_search(1_000_000) == 1024
    assert (index_module.ivf_lists(100_000), index_module.ivf_lists(1_000_000)) == (1024, 4096)
    assert index_module.ivf_probes(100_000, 1024) == 256
    assert index_module.ivf_probes(1_000_000, 4096) == 768


def test_small_inverted_files_keep_enough_vectors_per_cell() -> None:
    assert index_module.ivf_lists(2) == 1
    assert index_module.ivf_lists(3000) == 3000 // index_module.IVF_MIN_PER_LIST
