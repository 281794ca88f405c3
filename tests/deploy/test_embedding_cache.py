"""An unchanged text is embedded once per model, wherever the build runs; misses are embedded in
parallel processes, with the same vectors as in one process."""

from __future__ import annotations

import numpy as np
from pydantic import SecretStr

from cchc.settings import get_settings
from indexer.embed_cache import CacheStats, EmbeddingCache, EmbedPlan, cache_key, embed_texts, embed_with_cache
from service.database import connect_engine
from service.wiring import build, open_index
from tests.corpus_subset import seed_subset
from tests.fake_embedding import SETTINGS as FAKE_MODEL, FakeEmbedding
from tests.servers import fresh_database


def test_a_build_on_another_machine_embeds_nothing_already_embedded(tmp_path, chroma_server, postgres_server) -> None:
    corpus = seed_subset(tmp_path / "corpus", ["hatinh2022", "namdinh2022"])
    database = fresh_database(postgres_server)  # the cache starts empty, whatever other tests built
    shared = {"chroma_url": chroma_server.url, "database_url": SecretStr(database), **FAKE_MODEL}
    first = build(get_settings(corpus_dir=corpus, data_dir=tmp_path / "machine-1", **shared))
    elsewhere = get_settings(corpus_dir=corpus, data_dir=tmp_path / "machine-2", **shared)
    second = build(elsewhere)

    records = sum(d.rows + d.sections for d in first.documents)
    assert first.embedded > 0 and first.embedded + first.cache_hits == records
    assert (second.embedded, second.cache_hits) == (0, records)
    with open_index(elsewhere) as index:  # a build of its own, on the server, searchable
        assert index.collection.count() == records
        assert index.dense_search("rà soát văn bản quy phạm pháp luật", k=3)


def test_the_default_cache_is_a_file_in_the_data_folder(tmp_path) -> None:
    corpus = seed_subset(tmp_path / "corpus", ["hungyen2022"])
    settings = get_settings(corpus_dir=corpus, data_dir=tmp_path / "data", **FAKE_MODEL)
    first = build(settings)
    for build_dir in settings.index_dir.glob("build-*"):  # the index lost, the cache kept
        build_dir.rename(tmp_path / build_dir.name)
    (settings.index_dir / "current").unlink()
    again = build(settings)

    assert (tmp_path / "data" / "embedding-cache.sqlite3").exists()
    assert first.embedded > 0 and again.embedded == 0 and again.cache_hits == first.embedded + first.cache_hits


def test_parallel_processes_give_the_vectors_of_one_process(tmp_path) -> None:
    texts = [f"Nhiệm vụ số {i}: rà soát thủ tục hành chính của Sở Nội vụ, quý {i % 4 + 1}/2022" for i in range(40)]
    model = FakeEmbedding()
    alone = embed_texts(texts, model, EmbedPlan(processes=1, batch=7))
    plan = EmbedPlan(processes=2, batch=7, model=FAKE_MODEL["embedding_model"], plugins=tuple(FAKE_MODEL["plugins"]),
                     min_parallel=1)
    done: list[int] = []
    together = embed_texts(texts, model, plan, progress=done.append)
    assert np.allclose(np.stack(alone), np.stack(together))
    assert done[-1] == len(texts) and done == sorted(done)

    cache = EmbeddingCache(connect_engine(f"sqlite:///{tmp_path / 'cache.sqlite3'}"))
    stats = CacheStats()
    first = embed_with_cache(texts + texts[:5], "fake", model, EmbedPlan(), cache, stats)  # repeats embedded once
    assert np.allclose(np.stack(first[:40]), np.stack(alone)) and len(first) == 45
    assert (stats.embedded, stats.hits) == (40, 5)
    assert len(cache.lookup([cache_key("fake", text) for text in texts])) == 40


def test_an_embedded_build_after_a_server_client_stays_on_disk(tmp_path, chroma_server) -> None:
    from indexer.vectors import Vectors

    Vectors(chroma_server.url).client(tmp_path).close()  # a server client made first, in this process
    corpus = seed_subset(tmp_path / "corpus", ["hungyen2022"])
    report = build(get_settings(corpus_dir=corpus, data_dir=tmp_path / "data", **FAKE_MODEL))
    assert (report.build / "chroma" / "chroma.sqlite3").exists()
