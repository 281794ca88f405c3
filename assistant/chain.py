"""The answer chain: understand -> retrieve -> generate -> finalize, as LangChain runnables.

Each step receives the accumulated inputs and returns only what it adds; the wiring is at the
bottom of this file.
"""

from __future__ import annotations

import datetime as dt
import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from langchain_core.runnables import Runnable, RunnableLambda, RunnablePassthrough

from assistant.answerability import AnswerabilityModel, Assessment, Basis, Decision
from assistant.assess import Answerability
from assistant.blocks import build_blocks
from assistant.compose import Draft
from assistant.context import ConversationContext, finish, read_reference, shown_items
from assistant.contract import AgencyMention, Answer, Citation, Intent, Profile, Query
from assistant.retrieval import PlanSearch, Retrieval
from assistant.retriever import PlanRetriever, from_documents
from assistant.session import Sessions, Turn
from assistant.understand import QuestionParser


class Generator(Protocol):
    name: str

    def stream(
        self, query: Query, retrieval: Retrieval, flags: list[str] | None = None
    ) -> Iterator[tuple[str, list[str]]]: ...

    def generate(self, query: Query, retrieval: Retrieval) -> Draft: ...


class Assistant:
    def __init__(self, search: PlanSearch, parser: QuestionParser, sessions: Sessions, generator: Generator,
                 answerability: Answerability | None = None):
        self.search = search
        self.parser = parser
        self.sessions = sessions
        self.generator = generator
        self.answerability = answerability or Answerability(
            AnswerabilityModel.load(search.index.meta.embedding), search.weights, search.keys_of,
            without_dense=AnswerabilityModel.load_without_dense())
        self.retriever = PlanRetriever(search=search)
        self.context = ConversationContext(search.index.rows, search.plans_for, self._province_of, parser.agencies.mentions)
        self.answer_chain = build_answer_chain(self)
        self.chain = RunnablePassthrough.assign(query=RunnableLambda(self.understand, name="understand")) | self.answer_chain

    # -- steps ------------------------------------------------------------------------------
    def understand(self, inputs: dict[str, Any]) -> Query:
        """The question read in its context: the last turn of the conversation (or the answer a
        Telegram reply points at) and the asker's profile (assistant.context)."""
        profile: Profile | None = inputs.get("profile")
        turn: Turn | None = self.sessions.get(inputs.get("session"))
        query = self.parser.parse(
            inputs["question"],
            today=inputs.get("today") or dt.date.today(),
            previous=turn.query if turn else None,
            profile_agency=profile.agency if profile else None,
        )
        query = self.context.apply(query, turn, profile, session=inputs.get("session"),
                                   continued=bool(inputs.get("continued")), shown=inputs.get("shown"))
        if emit := inputs.get("emit"):
            emit("query", query)
        return query

    def retrieve(self, inputs: dict[str, Any]) -> Retrieval:
        query: Query = inputs["query"]
        documents = self.retriever.invoke(query.question, understood=query)
        return from_documents(query.intent, documents, self.search)

    def assess(self, inputs: dict[str, Any]) -> dict[str, Any]:  # the inputs, with the assessment added
        """The one decision to decline (assistant.assess): a declined question keeps nothing it retrieved."""
        query: Query = inputs["query"]
        retrieval: Retrieval = inputs["retrieval"]
        assessment = self.answerability.assess(query, retrieval)
        query = query.model_copy(update={"assessment": assessment})
        if assessment.decision is Decision.DECLINE and query.intent is not Intent.DECLINE:
            query.intent, query.decline_reason, query.rule = Intent.DECLINE, "not_covered", assessment.reason
            retrieval = Retrieval(intent=Intent.DECLINE)
        return {**inputs, "query": query, "retrieval": retrieval, "assessment": assessment}

    def generate(self, inputs: dict[str, Any]) -> Draft:
        query: Query = inputs["query"]
        if query.clarify is not None:  # asked back (assistant.context): no answer to compose
            if emit := inputs.get("emit"):
                emit("delta", query.clarify.text + "\n")
            return Draft(text=query.clarify.text, found=False)
        if emit := inputs.get("emit"):  # Assistant.stream: the same step, its lines sent as written
            return self._streamed(query, inputs["retrieval"], emit)
        return self.generator.generate(query, inputs["retrieval"])

    def finalize(self, inputs: dict[str, Any]) -> Answer:
        query: Query = inputs["query"]
        draft: Draft = inputs["draft"]
        if query.intent is Intent.LOOKUP and draft.cited:
            query = query.model_copy(update={"focus": draft.cited[0]})
        citations = [Citation.of(self.search.record(record_id)) for record_id in draft.cited]
        found = draft.found and query.intent is not Intent.DECLINE and answered(inputs["assessment"], draft.cited)
        chunks = draft.chunks or [(draft.text, draft.cited)]
        blocks = build_blocks(query, inputs.get("retrieval"), chunks, self.search.index.records,
                              {p.id: p for p in self.search.plans})
        answer = Answer(answer=draft.text, found=found, citations=citations if found else [], query=query,
                        flags=draft.flags, blocks=blocks)
        answer = finish(answer, self._label_of(query.focus) if query.focus else None)
        if (emit := inputs.get("emit")) and answer.answer != draft.text:  # the «Đã hiểu» line, streamed too
            emit("delta", "\n" + answer.answer.removeprefix(draft.text).lstrip("\n") + "\n")
        if query.clarify is None:  # a question asked back leaves the conversation where it was
            # «việc thứ 3» answered keeps the list it was picked from, so «việc thứ 4» still works.
            shown = inputs.get("shown") or (self.sessions.get(inputs.get("session")) or Turn(query=query)).shown
            kept = shown if read_reference(query.question) and query.focus else shown_items(answer)
            self.sessions.put(inputs.get("session"), Turn(query=query, shown=kept))
        return answer

    # -- entry points -------------------------------------------------------------------------
    def ask(self, question: str, today: dt.date | None = None, session: str | None = None,
            profile_agency: AgencyMention | None = None, *, profile: Profile | None = None,
            continued: bool = False, shown: list[str] | None = None) -> Answer:
        """`profile`: who asks (agency, province); `continued`: the channel showed answers in this
        conversation before; `shown`: the items of the answer a reply points at."""
        return self.chain.invoke(_inputs(question, today, session, profile_agency, profile, continued, shown))

    def answer(self, query: Query, session: str | None = None) -> Answer:
        """Answer a query a front-end built itself (service.app.PlanService.duties), not parsed from text."""
        return self.answer_chain.invoke({"question": query.question, "today": query.today, "session": session, "query": query})

    def stream(self, question: str, today: dt.date | None = None, session: str | None = None,
               profile_agency: AgencyMention | None = None, *, profile: Profile | None = None,
               continued: bool = False, shown: list[str] | None = None) -> Iterator[tuple[str, Any]]:
        """("query", Query), then ("citation", Citation) and ("delta", text) as they are known,
        then ("done", Answer): the chain `ask` runs, in a worker thread, its steps reporting here."""
        events: queue.Queue[tuple[str, Any]] = queue.Queue()
        inputs = {**_inputs(question, today, session, profile_agency, profile, continued, shown),
                  "emit": lambda stage, payload: events.put((stage, payload))}

        def run() -> None:
            try:
                events.put(("done", self.chain.invoke(inputs)))
            except BaseException as exc:  # handed to the caller, raised there
                events.put(("raise", exc))

        threading.Thread(target=run, name="cchc-answer", daemon=True).start()
        while True:
            stage, payload = events.get()
            if stage == "raise":
                raise payload
            yield stage, payload
            if stage == "done":
                return

    def _streamed(self, query: Query, retrieval: Retrieval, emit: Callable[[str, Any], None]) -> Draft:
        lines, cited, flags, chunks = [], [], [], []
        for chunk, ids in self.generator.stream(query, retrieval, flags):
            for record_id in ids:
                if record_id not in cited:
                    cited.append(record_id)
                    emit("citation", Citation.of(self.search.record(record_id)))
            lines.append(chunk)
            chunks.append((chunk, ids))
            emit("delta", chunk + "\n")
        return Draft(text="\n".join(lines).strip(), cited=cited, flags=flags, chunks=chunks)

    def _province_of(self, record_id: str) -> str | None:
        record = self.search.index.records.get(record_id)
        return record.province if record is not None else None

    def _label_of(self, record_id: str) -> str | None:
        record = self.search.index.records.get(record_id)
        return record.label if record is not None else None


def _inputs(question: str, today: dt.date | None, session: str | None, profile_agency: AgencyMention | None,
            profile: Profile | None, continued: bool, shown: list[str] | None) -> dict[str, Any]:
    if profile is None and profile_agency is not None:  # the older keyword, still accepted
        profile = Profile(agency=profile_agency)
    return {"question": question, "today": today, "session": session, "profile": profile,
            "continued": continued, "shown": shown}


def answered(assessment: Assessment, cited: list[str]) -> bool:
    """Found when the evidence or the slots said to answer and the answer stands on records, or needs
    none: a structured answer may be a grounded «không có» (an agency with no task in the period)."""
    if assessment.decision is Decision.DECLINE:
        return False
    return bool(cited) or assessment.basis is Basis.SLOTS


def build_answer_chain(assistant: Assistant) -> Runnable:
    """retrieve -> generate -> finalize, from an understood query."""
    return (
        RunnablePassthrough.assign(retrieval=RunnableLambda(assistant.retrieve, name="retrieve"))
        | RunnableLambda(assistant.assess, name="assess")
        | RunnablePassthrough.assign(draft=RunnableLambda(assistant.generate, name="generate"))
        | RunnableLambda(assistant.finalize, name="finalize")
    )
