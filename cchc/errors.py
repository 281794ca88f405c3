"""Domain errors. Messages are Vietnamese: they reach users at the edges (CLI, HTTP, Telegram)."""


class CchcError(Exception):
    """Base class for every error this project raises on purpose."""


class CorpusError(CchcError):
    """The corpus or its manifest is missing or malformed."""


class DocumentError(CchcError):
    """One plan document cannot be read or parsed; the others are still indexed."""

    def __init__(self, document: str, message: str, line: int | None = None):
        where = f"{document}, dòng {line}" if line else document
        super().__init__(f"{where}: {message}")
        self.document = document
        self.line = line


class IndexMismatchError(CchcError):
    """The index on disk was built with another format or embedding model."""


class IndexNotReadyError(CchcError):
    """No index has been built yet."""


class QuestionError(CchcError):
    """The question cannot be answered as asked (empty, too long, …)."""


class UnknownRecordError(CchcError):
    """A row or section id that the index does not hold."""


class FeedbackRejectedError(CchcError):
    """Feedback that does not describe an answer the assistant really gave."""


class FeedbackFullError(CchcError):
    """The feedback database has reached its size cap."""


class FeedbackQuotaError(CchcError):
    """One client already holds its share of the feedback database."""


class SharedStoreError(CchcError):
    """A shared server of the deployment mode (Redis, PostgreSQL, Chroma) cannot be reached now."""


class FileLimitError(CchcError):
    """An uploaded or checked file exceeds a parsing limit (size, pages, memory, time); the message
    names the setting."""


class ParserBusyError(CchcError):
    """The parsing worker cannot take a file now (still reading others, or it failed to start)."""
