"""The answer chain: understand -> retrieve -> generate -> finalize, as LangChain runnables.

Each step receives the accumulated inputs and returns only what it adds; the wiring is at the
bottom of this file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, Protocol

from langchain_core.runnables import Runnable, RunnableLambda, RunnablePassthrough

from assistant.blocks import build_blocks
from assistant.compose import Draft, answered
from assistant.contract import AgencyMention, Answer, Citation, Intent, Query
from assistant.retrieval import PlanSearch, Retrieval
from assistant.retriever import PlanRetriever, from_documents
from assistant.session import Sessions
from assistant.understand import QuestionParser


class Generator(Protocol):
    name: str

    def stream(
        self, query: Query, retrieval: Retrieval, flags: list[str] | None = None
    ) -> Iterator[tuple[str, list[str]]]: ...

    def generate(self, query: Query, retrieval: Retrieval) -> Draft: ...


class Assistant:
    def __init__(self, search: PlanSearch, parser: QuestionParser, sessions: Sessions, generator: Generator):
        self.search = search
        self.parser = parser
        self.sessions = sessions
        self.generator = generator
        self.retriever = PlanRetriever(search=search)
        self.answer_chain = build_answer_chain(self)
        self.chain = RunnablePassthrough.assign(query=RunnableLambda(self.understand, name="understand")) | self.answer_chain

    # -- steps ------------------------------------------------------------------------------
    def understand(self, inputs: dict[str, Any]) -> Query:
        query = self.parser.parse(
            inputs["question"],
            today=inputs.get("today") or dt.date.today(),
            previous=self.sessions.get(inputs.get("session")),
            profile_agency=inputs.get("profile_agency"),
        )
        # Decided from evidence: what the question is about must be stated by some row or passage.
        if query.intent not in (Intent.DECLINE, Intent.META) and not query.focus and not self.search.covers(query):
            query.intent, query.decline_reason = Intent.DECLINE, "not_covered"
            query.rule = f"topic not in the plans: {' '.join(t for t in query.topic_terms if t != '|')}"
        return query

    def retrieve(self, inputs: dict[str, Any]) -> Retrieval:
        query: Query = inputs["query"]
        documents = self.retriever.invoke(query.question, understood=query)
        return from_documents(query.intent, documents, self.search)

    def generate(self, inputs: dict[str, Any]) -> Draft:
        return self.generator.generate(inputs["query"], inputs["retrieval"])

    def finalize(self, inputs: dict[str, Any]) -> Answer:
        query: Query = inputs["query"]
        draft: Draft = inputs["draft"]
        if query.intent is Intent.LOOKUP and draft.cited:
            query = query.model_copy(update={"focus": draft.cited[0]})
        self.sessions.put(inputs.get("session"), query)
        citations = [Citation.of(self.search.record(record_id)) for record_id in draft.cited]
        broad = bool(getattr(inputs.get("retrieval"), "broad", False))
        found = draft.found and query.intent is not Intent.DECLINE and answered(query, draft.cited, broad)
        chunks = draft.chunks or [(draft.text, draft.cited)]
        blocks = build_blocks(query, inputs.get("retrieval"), chunks, self.search.index.records,
                              {p.id: p for p in self.search.plans})
        return Answer(answer=draft.text, found=found, citations=citations if found else [], query=query,
                      flags=draft.flags, blocks=blocks)

    # -- entry points -------------------------------------------------------------------------
    def ask(self, question: str, today: dt.date | None = None, session: str | None = None,
            profile_agency: AgencyMention | None = None) -> Answer:
        return self.chain.invoke(
            {"question": question, "today": today, "session": session, "profile_agency": profile_agency}
        )

    def answer(self, query: Query, session: str | None = None) -> Answer:
        """Answer a query a front-end built itself (service.app.PlanService.duties), not parsed from text."""
        return self.answer_chain.invoke({"question": query.question, "today": query.today, "session": session, "query": query})

    def stream(self, question: str, today: dt.date | None = None, session: str | None = None,
               profile_agency: AgencyMention | None = None) -> Iterator[tuple[str, Any]]:
        """("query", Query), then ("citation", Citation) and ("delta", text) as they are known,
        then ("done", Answer) — the same answer `ask` returns."""
        inputs: dict[str, Any] = {"question": question, "today": today, "session": session, "profile_agency": profile_agency}
        inputs["query"] = self.understand(inputs)
        yield "query", inputs["query"]
        inputs["retrieval"] = self.retrieve(inputs)
        lines, cited, flags, chunks = [], [], [], []
        for chunk, ids in self.generator.stream(inputs["query"], inputs["retrieval"], flags):
            for record_id in ids:
                if record_id not in cited:
                    cited.append(record_id)
                    yield "citation", Citation.of(self.search.record(record_id))
            lines.append(chunk)
            chunks.append((chunk, ids))
            yield "delta", chunk + "\n"
        inputs["draft"] = Draft(text="\n".join(lines).strip(), cited=cited,
                                found=answered(inputs["query"], cited, inputs["retrieval"].broad),
                                flags=flags, chunks=chunks)
        yield "done", self.finalize(inputs)


def build_answer_chain(assistant: Assistant) -> Runnable:
    """retrieve -> generate -> finalize, from an understood query."""
    return (
        RunnablePassthrough.assign(retrieval=RunnableLambda(assistant.retrieve, name="retrieve"))
        | RunnablePassthrough.assign(draft=RunnableLambda(assistant.generate, name="generate"))
        | RunnableLambda(assistant.finalize, name="finalize")
    )
