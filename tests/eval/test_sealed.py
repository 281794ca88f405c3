"""The sealed split (eval/questions/sealed/, issue 18) stays held out: large enough, every class
present, gold as the oracle computes it, reported apart — and no word of it leaks into the rules.

A leak is a term that occurs in sealed questions and nowhere a rule could honestly have taken it
from: no dev or test question, no plan text in corpus/, no file of indexer/data, nor the words the
issue's classes name or need (SPEC_VOCABULARY). Terms are single words longer than 4 characters and
phrases of 2–3 words, compared folded («bao nhiu») and accented («chủ chì»). For precision a
phrase counts only when it holds a word seen nowhere else: a phrase of everyday words the rules
share with a sealed question («số điện thoại») is language, not a leak; typos, chat spellings and
unusual words are what leaked before (issue 18: «chủ chì», «hạn trót», «ngân sác», «bao nhiu»).
The rules are assistant/data/phrases.toml and the string literals and comments of every .py file
under assistant/ (identifiers are code, not vocabulary)."""

from __future__ import annotations

import io
import json
import re
import tokenize
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from indexer.vntext import fold

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = ROOT / "eval" / "questions"
SEALED = QUESTIONS / "sealed"
SPECS = ROOT / "eval" / "oracle-specs" / "sealed.jsonl"
PHRASES = ROOT / "assistant" / "data" / "phrases.toml"
MIN_WORD = 5  # a single word is a term when longer than 4 characters
PHRASE_SIZES = (2, 3)
# a regex escape between words («quy\s+ba») is a space for this comparison
_REGEX_GAP = re.compile(r"\\[sbwdSBWD][+*?]?|[()\[\]|?+*^$]")

MIN_QUESTIONS = 110
MIN_DECLINES = 12
MIN_UNUSUAL = 8  # answerable questions that look unusual (a rare word or a foreign term in a plan)
CLASS_TAGS = {
    "number_word_period": 3, "q_notation": 2, "relative_year": 3, "politeness": 5, "role_only_coordinating": 4,
    "co_lead": 3, "section_count": 6, "exclusion": 3, "literal_deadline": 5, "window": 6, "superlative": 5,
    "reporting_duty": 5, "based_on": 4, "comparison": 5, "yes_no": 6, "ordinal_ref": 2, "multi_turn": 8,
    "unaccented": 4, "abbreviation": 10, "typo": 3,
}
PLANS = {"namdinh2022", "soctrang2021", "hatinh2022", "khanhhoa2022", "hungyen2022"}


def read_questions(folder: Path) -> list[dict]:
    return [json.loads(line) for path in sorted(folder.glob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def sealed() -> list[dict]:
    found = read_questions(SEALED)
    assert found, f"no sealed questions in {SEALED}"
    return found


# ---------------------------------------------------------------------------- leak detection


def folded(text: str) -> str:
    return fold(text)


def accented(text: str) -> str:
    return unicodedata.normalize("NFC", text.lower())


# Two views of every text: folded finds «bao nhiu» written without accents, accented finds «chủ chì»
# (folded, it would read as the everyday «chu chi»).
VIEWS = (folded, accented)


def words(text: str, view=folded) -> list[str]:
    return re.findall(r"\w+", view(_REGEX_GAP.sub(" ", text)))


def grams(tokens: list[str]) -> set[tuple[str, ...]]:
    """Every word and every 2–3 word phrase of a token sequence."""
    found = {(w,) for w in tokens}
    for size in PHRASE_SIZES:
        found |= {tuple(tokens[i:i + size]) for i in range(len(tokens) - size + 1)}
    return found


class Vocabulary:
    """What the rules may honestly contain, in one view: every word and 2–3 word phrase of dev and
    test questions, plan texts and indexer/data."""

    def __init__(self, texts: list[str], view) -> None:
        self.view = view
        self.grams: set[tuple[str, ...]] = set()
        for text in texts:
            self.grams |= grams(words(text, view))

    def novel(self, term: tuple[str, ...]) -> bool:
        """A term only sealed questions could have given: unseen, and holding an unseen word —
        a single one longer than 4 characters, or one inside a phrase. A phrase of everyday words
        («số điện thoại») is language, not a leak."""
        if term in self.grams:
            return False
        # In the accented view only accented words count: plain ones are the folded view's.
        unseen = [w for w in term if (w,) not in self.grams and (self.view is folded or fold(w) != w)]
        return bool(unseen) and (len(term) > 1 or len(term[0]) >= MIN_WORD)


def sealed_only(sealed_texts: list[str], background: list[str]) -> dict[object, set[tuple[str, ...]]]:
    """Per view, the terms of the sealed questions that no background text could have given."""
    out = {}
    for view in VIEWS:
        known = Vocabulary(background, view)
        out[view] = {t for text in sealed_texts for t in grams(words(text, view)) if known.novel(t)}
    return out


def rule_text(path: Path) -> str:
    """What a rule file says in words: all of a data file, the strings and comments of Python."""
    source = path.read_text(encoding="utf-8")
    if path.suffix != ".py":
        return source
    kept = [tok.string for tok in tokenize.generate_tokens(io.StringIO(source).readline)
            if tok.type in (tokenize.STRING, tokenize.COMMENT)]
    return "\n".join(kept)


def leaks(rule_files: list[Path], terms: dict[object, set[tuple[str, ...]]]) -> dict[str, list[str]]:
    """Rule file -> the sealed-only terms it contains, in any view."""
    found: dict[str, set[str]] = {}
    for path in rule_files:
        for line in rule_text(path).splitlines():
            for view, wanted in terms.items():
                hits = grams(words(line, view)) & wanted
                if hits:
                    name = path.relative_to(path.parents[1]).as_posix()
                    found.setdefault(name, set()).update(" ".join(t) for t in hits)
    return {name: sorted(hits) for name, hits in found.items()}


# Words the classes name or need, so rules may hold them whatever the sealed questions say:
# the issue's own examples, chat particles and greetings, number words, relative periods and
# windows, superlatives, comparisons, yes/no, exclusions, hedges, reporting and citing.
SPEC_VOCABULARY = """
ghi đứng tên đều tính nhưng năm ngoái năm nay quý ba tháng mười KH phụ lục cho em hỏi cùng chủ trì
đồng chủ trì mục VII.A việc thứ 3 việc đầu tiên việc cuối việc đó đơn vị tôi tỉnh nào còn quý 1
Q3/2022 q4/2021 về chuyển đổi số về ISO cảm ơn blockchain hộ chiếu Đã hiểu Đơn vị của tôi em mới về Sở
dạ ạ ơi nhé nhỉ nha với vậy thế giúp xin chào anh chị em bạn mình tôi bác cô chú bot
một hai ba bốn tư năm sáu bảy tám chín mười mười một mười hai đầu cuối nửa
tháng này tháng sau tháng tới tháng trước quý này quý sau quý tới quý trước năm sau năm trước
quá hạn trễ hạn sắp đến hạn hết hạn 30 ngày tới hôm nay bây giờ tới giờ
cao nhất thấp nhất nhiều nhất ít nhất mạnh nhất tăng giảm so sánh so với hơn bên nào
có không phải không chưa đúng không
bỏ qua trừ ngoài không tính loại ra hình như không biết không chắc chắc lắm
báo cáo gửi qua về đâu căn cứ dựa trên dựa vào cột ô thời hạn in
chỉ chứ mà là rồi nữa khoảng ko k hok
"""


def background_texts() -> list[str]:
    texts = [SPEC_VOCABULARY]
    texts += [q["question"] for split in ("dev", "test") for q in read_questions(QUESTIONS / split)]
    texts += [p.read_text(encoding="utf-8", errors="ignore") for p in sorted((ROOT / "corpus").iterdir())
              if p.is_file() and p.suffix in (".txt", ".toml", ".md", ".tsv", ".csv")]
    texts += [p.read_text(encoding="utf-8") for p in sorted((ROOT / "indexer" / "data").rglob("*")) if p.is_file()]
    return texts


def rule_files() -> list[Path]:
    return [PHRASES, *sorted((ROOT / "assistant").rglob("*.py"))]


def test_no_word_of_the_sealed_split_is_in_the_rules(sealed):
    terms = sealed_only([q["question"] for q in sealed], background_texts())
    assert any(terms.values()), "every sealed term also occurs elsewhere: the leak check would check nothing"
    leaked = leaks([p for p in rule_files() if p.exists()], terms)
    assert not leaked, ("words found only in sealed questions are in the rules (never tune on the sealed "
                        f"split; take the word from dev, the plans or indexer/data instead): {leaked}")


def test_the_leak_check_catches_a_phrase_copied_into_a_rule(tmp_path, sealed):
    terms = sealed_only([q["question"] for q in sealed], background_texts())
    rule = tmp_path / "assistant" / "understand.py"
    rule.parent.mkdir()
    # A phrase written as a regex, its words apart: still the same phrase.
    term = sorted(t for found in terms.values() for t in found if len(t) == 2)[0]
    rule.write_text(f'TYPO = re.compile(r"\\b{term[0]}\\s+{term[1]}\\b")  # a chat spelling\n', encoding="utf-8")
    assert leaks([rule], terms) == {"assistant/understand.py": [" ".join(term)]}
    clean = tmp_path / "assistant" / "clean.py"
    clean.write_text("so_noi_vu = 'Sở Nội vụ chủ trì'  # words of the plans\n", encoding="utf-8")
    assert leaks([clean], terms) == {}


# ---------------------------------------------------------------------------- the split itself


def test_the_sealed_split_is_large_and_covers_every_class(sealed):
    tags = Counter(tag for q in sealed for tag in q["tags"])
    assert len(sealed) >= MIN_QUESTIONS, f"{len(sealed)} sealed questions"
    assert sum(q["kind"] == "decline" for q in sealed) >= MIN_DECLINES
    assert sum("rare_term" in q["tags"] and q["kind"] != "decline" for q in sealed) >= MIN_UNUSUAL
    short = {tag: tags[tag] for tag, minimum in CLASS_TAGS.items() if tags[tag] < minimum}
    assert not short, f"classes with too few sealed questions: {short}"
    plans = {rid.split("_", 1)[0] for q in sealed for rid in q["gold_rows"]}
    assert plans == PLANS


def test_the_loader_marks_sealed_questions_as_their_own_split():
    from eval.questions import SPLITS, load_questions

    assert "sealed" in SPLITS
    loaded = load_questions(QUESTIONS)
    sealed_ids = {q["id"] for q in read_questions(SEALED)}
    marked = {q.id for q in loaded if "sealed" in q.tags}
    assert marked == sealed_ids
    assert not any({"dev", "test"} & set(q.tags) for q in loaded if q.id in sealed_ids)


@pytest.mark.slow
def test_rule_following_gold_is_what_the_oracle_computes(sealed, index):
    """Gold of every question with a spec is recomputed from the records; a parser change that
    moves a row shows here first."""
    from eval.oracle import apply_specs
    from indexer.agencies import AgencyTable
    from indexer.records import RowRecord

    specs = {}
    for line in SPECS.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            specs[item["id"]] = item["oracle"]
    assert set(specs) <= {q["id"] for q in sealed}, "specs for questions that do not exist"
    copies = [dict(q) for q in sealed]
    rows = [r for r in index.records.values() if isinstance(r, RowRecord)]
    changed = apply_specs(copies, specs, rows, AgencyTable.load())
    assert not changed, f"gold differs from the oracle (re-run python -m eval.oracle): {changed}"


def test_the_report_shows_each_split_apart():
    import datetime as dt

    from eval.harness import EvalRun, SystemInfo
    from eval.metrics import QuestionScore, summarize
    from eval.report import split_table

    passed, failed = QuestionScore(passed=True), QuestionScore(passed=False, decline_correct=False)
    now = dt.datetime.now(dt.timezone.utc)
    run = EvalRun(run_id="x", started_at=now, finished_at=now, questions=5,
                  systems=[SystemInfo(name="full", description="")], results=[],
                  summaries={"full": {"tag:dev": summarize([passed, passed], [0.1, 0.1]),
                                      "tag:sealed": summarize([passed, failed, failed], [0.1] * 3)}})
    text = split_table(run)
    assert "| dev | 2 | 100.0% / 100.0% |" in text
    assert "| sealed | 3 | 33.3% / 33.3% |" in text
    assert "| test |" not in text  # a split without questions is left out
