"""The answer contract shared by `cchc ask --json`, the web API, the Telegram bot and the evaluation.

Keep it stable: fields may be added, never renamed or removed.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

from assistant.answerability import Assessment
from indexer.records import PlanDocument, ProseSection, RowRecord


class Intent(str, Enum):
    LISTING = "listing"  # what an agency must do (in a period)
    LOOKUP = "lookup"  # who leads / when / budget / product of a named task
    SEARCH = "search"  # facts in the plan bodies (targets, figures, signer, document number)
    DECLINE = "decline"  # outside the plans: other province or year, off-topic, injection, personal data
    COUNT = "count"  # how many tasks an agency has, by role
    SUM = "sum"  # total budget of a section or of an agency's tasks
    META = "meta"  # which plans the assistant holds


class PeriodKindAsked(str, Enum):
    """A question about the kind of deadline rather than a date ("việc nào làm thường xuyên")."""

    RECURRING = "recurring"
    CONTINUES = "continues"
    OVERDUE = "overdue"  # a dated deadline already past on the day asked


class Role(str, Enum):
    LEAD = "lead"
    COORDINATING = "coordinating"
    ANY = "any"


class SpanRole(str, Enum):
    """What a word of the question was read as (assistant.reading)."""

    AGENCY = "agency"
    PLACE = "place"
    PERIOD = "period"
    SECTION = "section"
    DOCUMENT = "document"
    ROLE = "role"
    FIELD = "field"
    INTENT = "intent"
    FACT = "fact"
    REFERENCE = "reference"
    CHAT = "chat"  # greetings, politeness, pronouns and particles around the question
    FUNCTION = "function"  # grammar words: they never say what a question is about
    NUMBER = "number"
    UNCLAIMED = "unclaimed"  # nothing claimed it: it may say what the question is about


class ReadSpan(BaseModel):
    start: int
    end: int
    text: str
    role: SpanRole
    value: str = ""


class AskedPeriod(BaseModel):
    start: dt.date
    end: dt.date
    quarters: list[int]
    label: str  # Vietnamese, e.g. "quý IV/2026"
    falls_due: bool = Field(False, description="a window from today («30 ngày tới»): only deadlines ending inside it count")


class AgencyMention(BaseModel):
    id: str
    name: str


class Profile(BaseModel):
    """«Đơn vị của tôi»: who asks, as the channel knows it (web picker, Telegram /donvi, CLI options)."""

    agency: AgencyMention | None = None
    province: str | None = Field(None, max_length=100)


class ClarifyKind(str, Enum):
    """Why the assistant asks back instead of answering."""

    WHICH_PROVINCE = "which_province"  # an agency found in several provinces' plans, none known
    CHOOSE_PROFILE = "choose_profile"  # «đơn vị tôi» with no profile
    NO_PREVIOUS = "no_previous"  # a reference or follow-up with no earlier answer in this conversation
    CONTEXT_LOST = "context_lost"  # the conversation had answers, but they expired or the server restarted
    BEYOND_LAST = "beyond_last"  # «việc thứ 7» when the last answer showed fewer items
    WHICH_ITEM = "which_item"  # «việc đó» after an answer that showed several items


class Clarification(BaseModel):
    kind: ClarifyKind
    text: str = Field(description="Vietnamese, shown instead of an answer")
    choices: list[str] = Field(default_factory=list, description="full questions, one tap each")


class Query(BaseModel):
    """What was understood from the question (and inherited from the session)."""

    question: str
    today: dt.date
    intent: Intent
    lookup: str | None = Field(None, description="the first field asked: lead, coordinating, deadline, budget, product")
    fields: list[str] = Field(default_factory=list, description="every field a lookup asked, in the question's order")
    provinces: list[str] = Field(default_factory=list)
    unknown_province: str | None = None
    year: int | None = None
    agency: AgencyMention | None = None
    agencies: list[AgencyMention] = Field(default_factory=list, description="every agency asked about; agency is the first")
    unknown_agency: str | None = None
    suggestions: list[str] = Field(default_factory=list, description="known agencies closest to an unknown one")
    role: Role = Role.ANY
    period: AskedPeriod | None = None
    period_kind: PeriodKindAsked | None = None
    recurring_month: int | None = Field(None, description='"tháng 12 hằng năm"')
    deadline_phrases: list[str] = Field(default_factory=list, description='deadline words quoted as printed ("ghi là hàng năm")')
    section: str | None = Field(None, description='a section named for a sum, e.g. "VII.A"')
    excluded_kinds: list[str] = Field(default_factory=list, description='deadline kinds left out on request ("trừ việc thường xuyên"): recurring, whole_year')
    yes_no: bool = Field(False, description="«Sở X có phải chủ trì việc Y không?»: answered yes or no, with the row")
    appendix_only: bool = Field(False, description="«trong phụ lục»: the task table only, not duties written in the plan's prose")
    topic: str = ""
    topic_terms: list[str] = Field(default_factory=list, description="folded words of what is asked about")
    listing_topic: list[str] = Field(default_factory=list, description="a listing's own topic («… những việc gì về "
                                     "chuyển đổi số»): only the rows covering it are listed, if any do")
    notes: list[str] = Field(default_factory=list, description="what the answer must tell first (merged provinces, districts)")
    rule: str = Field("", description="the rule that decided the intent, to explain a wrong reading")
    decline_reason: str | None = None
    inherited: list[str] = Field(default_factory=list, description="fields taken from the previous question")
    focus: str | None = Field(None, description="the record a lookup answered, which a follow-up lookup is about")
    needs_context: bool = Field(False, description="the question leans on a previous turn («còn quý 1?», «việc đó»)")
    from_profile: list[str] = Field(default_factory=list, description="slots filled from the asker's profile: agency, province")
    clarify: Clarification | None = Field(None, description="what the assistant asks back instead of answering")
    assessment: Assessment | None = Field(None, description="why the question was answered or declined, and the evidence")
    reading: list[ReadSpan] = Field(default_factory=list, description="every word of the question with the role it was read as")


class Citation(BaseModel):
    id: str
    label: str
    province: str
    year: int
    section: str
    row: str
    text: str
    lead: list[str] = Field(default_factory=list)
    coordinating: list[str] = Field(default_factory=list)
    period: str = ""
    budget: str | None = None

    @classmethod
    def of(cls, record: RowRecord | ProseSection) -> "Citation":
        if isinstance(record, ProseSection):
            return cls(
                id=record.id, label=record.label, province=record.province, year=record.year,
                section=record.section, row="", text=record.text,
            )
        return cls(
            id=record.id,
            label=record.label,
            province=record.province,
            year=record.year,
            section=record.section,
            row=record.row,
            text=record.text,
            lead=[agency.name for agency in record.lead],
            coordinating=[agency.name for agency in record.coordinating],
            period=record.period.text,
            budget=record.budget.text if record.budget else None,
        )


# -- answer blocks: what front-ends render (built by assistant.blocks) -------------------------
class GroupKind(str, Enum):
    DUE = "due"  # due in the asked period
    OVERDUE = "overdue"  # dated before today, in the plan year we are in
    LEAD = "lead"  # led by the agency (no period asked)
    ONGOING = "ongoing"  # recurring or whole-year, inside the period
    GUIDANCE = "guidance"  # by guidance, plan, or when it arises
    COLLECTIVE = "collective"  # given to a collective that includes the agency
    COORDINATION = "coordination"
    TEXT = "text"  # duties written in the plan's prose ("Tổ chức thực hiện")
    OTHER = "other"


class DeadlineStatus(str, Enum):
    """Where a task's deadline stands against the day asked (a badge's colour)."""

    DUE = "due"  # a dated deadline still ahead (or due in the asked period)
    OVERDUE = "overdue"  # a dated deadline before today, in the current plan year
    RECURRING = "recurring"  # regular, periodic or whole-year work
    EVENT = "event"  # by guidance, by plan, or when something happens


class Severity(str, Enum):
    INFO = "info"
    CAVEAT = "caveat"
    WARNING = "warning"


class Item(BaseModel):
    """One cited record, with the fields a person reads and an export writes."""

    id: str
    label: str
    task: str = ""
    activity: str = ""
    product: str = ""
    lead: str = ""
    coordinating: str = ""
    deadline: str = ""
    deadline_start: dt.date | None = None
    deadline_end: dt.date | None = None
    deadline_kind: str = ""
    budget: str = ""
    plan: str = Field(description="the plan's citation name")
    section: str = ""
    row: str = ""
    deadline_label: str = Field("", description='the deadline normalised ("Quý IV/2022"); `deadline` keeps the original')
    status: DeadlineStatus | None = None
    role: str = Field("", description='what the asked agency does on this row ("Chủ trì", "Phối hợp", "Giao chung: …")')

    @classmethod
    def of(cls, record: RowRecord | ProseSection, plan: PlanDocument | None) -> Item:
        name = plan.short_title if plan else record.document
        if isinstance(record, ProseSection):
            return cls(id=record.id, label=record.label, task=record.text, plan=name, section=record.section)
        return cls(
            id=record.id, label=record.label, task=record.task, activity=record.activity, product=record.product,
            lead=record.lead_text, coordinating=record.coordinating_text, deadline=record.period.text,
            deadline_start=record.period.start, deadline_end=record.period.end, deadline_kind=record.period.kind.value,
            budget=record.budget.text if record.budget else "", plan=name, section=record.section, row=record.row,
        )


class HeadingBlock(BaseModel):
    type: Literal["heading"] = "heading"
    text: str


class GroupBlock(BaseModel):
    type: Literal["group"] = "group"
    kind: GroupKind
    title: str
    count: int
    items: list[Item]


class SummaryCount(BaseModel):
    kind: GroupKind
    label: str
    count: int


class SummaryBlock(BaseModel):
    """One line over a plan's listing: «Đến hạn trong quý IV/2022: 4 · Quá hạn: 2 · …»."""

    type: Literal["summary"] = "summary"
    text: str
    counts: list[SummaryCount] = Field(default_factory=list)


class CardField(BaseModel):
    key: str = Field(description="lead, coordinating, deadline, product, budget")
    label: str
    value: str
    asked: bool = False


class FactCardBlock(BaseModel):
    """A lookup's answer: the task and its labelled fields, the asked ones first, one citation."""

    type: Literal["fact_card"] = "fact_card"
    title: str
    fields: list[CardField]
    citation: str
    source: str = Field("", description="plan › section › row, as cited")


class FactBlock(BaseModel):
    type: Literal["fact"] = "fact"
    text: str
    citation: str | None = Field(None, description="record id the fact comes from")


class NoteBlock(BaseModel):
    type: Literal["note"] = "note"
    text: str
    severity: Severity = Severity.INFO


class FollowUpsBlock(BaseModel):
    type: Literal["follow_ups"] = "follow_ups"
    questions: list[str]


Block = Annotated[HeadingBlock | SummaryBlock | GroupBlock | FactCardBlock | FactBlock | NoteBlock | FollowUpsBlock,
                  Field(discriminator="type")]


class Answer(BaseModel):
    answer: str
    found: bool
    citations: list[Citation] = Field(default_factory=list)
    query: Query
    flags: list[str] = Field(default_factory=list, description='e.g. "citations_removed" from an LLM answer')
    answer_id: str | None = Field(None, description="signed by the channel that sent the answer; feedback must quote it")
    blocks: list[Block] = Field(default_factory=list, description="the answer as typed blocks, for front-ends to render")

    @model_validator(mode="after")
    def _citations_in_listing_order(self) -> Answer:
        """Citations are numbered as the listing shows its items (deadline first), so [1], [2], …
        read down the page and match an export's STT; records no item shows keep their place after."""
        shown = [item.id for block in self.blocks if isinstance(block, GroupBlock) for item in block.items]
        if shown and self.citations:
            rank = {record_id: n for n, record_id in reversed(list(enumerate(shown)))}
            self.citations.sort(key=lambda c: rank.get(c.id, len(rank)))
        return self
