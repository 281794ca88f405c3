"""A bigger corpus made from the real one, for scaling benchmarks.

Scale N keeps the seed plans and adds N-1 rewritten copies of each: another province (from
assistant/data/provinces.txt) and another year, with province-bearing agency names made
neutral ("Báo Khánh Hòa" -> "Báo tỉnh", which the agency table knows), local place names, running
numbers, document numbers, dates/years and the signer rewritten. The text stays that of real rows
and prose in the seed's own layout, so every copy goes through the real parsers.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import shutil
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from indexer.agencies import AgencyTable
from indexer.manifest import MANIFEST_NAME, load_manifest
from indexer.records import Layout, PlanDocument
from indexer.vntext import fold

# Local place names of the seed plans (districts, towns) and made-up neutral replacements.
SEED_PLACES = ("Ninh Hòa", "Vạn Ninh", "Diên Khánh", "Khánh Vĩnh", "Cam Ranh", "Nha Trang", "Cam Lâm", "Khánh Sơn")
PLACE_POOL = ("Tân Phú", "Đông Sơn", "Phú Lộc", "Yên Thành", "Hòa An", "Long Điền", "Bình Sơn", "Thạch An",
              "Vĩnh Lộc", "Quảng Hòa", "Hải Lăng", "An Lão")
SIGNERS = ("Nguyễn Văn An", "Trần Thị Bình", "Lê Minh Cường", "Phạm Quốc Dũng", "Hoàng Thị Hà", "Võ Thanh Hải",
           "Đặng Văn Khoa", "Bùi Thị Lan", "Đỗ Quang Minh", "Ngô Văn Nam", "Dương Thị Oanh", "Lý Văn Phúc")

_YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20[0-4]\d)(?!\d)")
# A running number in prose ("347 trường hợp", "nhóm 20 địa phương"): not a cell of its own (tabs),
# not a day, month or document number, not an ordinal written with a leading zero.
_NUMBER = re.compile(
    r"(?<=[ (])(?<!ngày )(?<!tháng )(?<!Tháng )(?<!số )(?<!số: )(?<!Quý )(?<!quý )"
    r"([1-9]\d{1,2}(?:\.\d{3})*)(?= +(?!tháng|năm|hàng|ngày)[^\W\d_])"
)


@dataclass(frozen=True)
class Rewrite:
    """How one copy differs from its seed."""

    province_from: tuple[str, ...]  # the seed province and its aliases
    province_to: str
    year_offset: int
    number_factor: float
    neutral_agencies: tuple[tuple[str, str], ...] = ()  # (alias naming the seed province, neutral name)
    places: tuple[tuple[str, str], ...] = ()
    signer_from: str | None = None
    signer_to: str | None = None
    doc_number_from: str | None = None
    doc_number_to: str | None = None


@dataclass
class SynthCorpus:
    folder: Path
    scale: int
    seeds: list[PlanDocument]
    plans: list[PlanDocument] = field(default_factory=list)

    @property
    def synthetic(self) -> list[PlanDocument]:
        seed_ids = {p.id for p in self.seeds}
        return [p for p in self.plans if p.id not in seed_ids]


# -- pure text rewriting ---------------------------------------------------------------------------
def shift_years(text: str, offset: int) -> str:
    return _YEAR.sub(lambda m: str(int(m.group(1)) + offset), text) if offset else text


def scale_number(text: str, factor: float) -> str:
    """"347" * 1.3 -> "451"; round numbers stay round; "1.500" keeps its thousands dots."""
    value = int(text.replace(".", ""))
    scaled = max(1, round(value * factor))
    if value % 10 == 0 and scaled >= 10:
        scaled = max(10, round(scaled / 10) * 10)
    return f"{scaled:,}".replace(",", ".") if "." in text else str(scaled)


def scale_numbers(text: str, factor: float) -> str:
    return _NUMBER.sub(lambda m: scale_number(m.group(1), factor), text)


def _replace_all(text: str, old: str, new: str) -> str:
    """Replace a name as written, in capitals and case-insensitively, on word boundaries."""
    for form_old, form_new in ((old, new), (old.upper(), new.upper())):
        text = re.sub(rf"(?<!\w){re.escape(form_old)}(?!\w)", form_new, text)
    return re.sub(rf"(?<!\w){re.escape(old)}(?!\w)", new, text, flags=re.IGNORECASE)


def _doc_number_parts(doc_number: str) -> tuple[str, str]:
    match = re.match(r"\s*(\d+)\s*(.*)", doc_number)
    return (match.group(1), match.group(2).strip()) if match else ("", doc_number)


def rewrite_doc_number(text: str, old: str, new: str) -> str:
    """The seed's document number where the text cites it: "196 /KH-UBND", "số: 520"."""
    old_n, suffix = _doc_number_parts(old)
    new_n, _ = _doc_number_parts(new)
    if not old_n:
        return text
    if suffix:
        return re.sub(rf"(?<!\d){old_n}(\s*{re.escape(suffix)})", rf"{new_n}\1", text)
    return re.sub(rf"(số:?\s*){old_n}(?!\d)", rf"\g<1>{new_n}", text)


def rewrite_text(text: str, rewrite: Rewrite) -> str:
    """One seed text as the copy's: agencies first (so their names stay known), then places,
    the province, the signer, the document number, years, and running numbers."""
    for alias, neutral in sorted(rewrite.neutral_agencies, key=lambda pair: -len(pair[0])):
        text = re.sub(rf"(?<!\w){re.escape(alias)}(?!\w)", neutral, text, flags=re.IGNORECASE)
    for old, new in rewrite.places:
        text = _replace_all(text, old, new)
    for name in sorted(rewrite.province_from, key=len, reverse=True):
        text = _replace_all(text, name, rewrite.province_to)
    if rewrite.signer_from and rewrite.signer_to:
        text = _replace_all(text, rewrite.signer_from, rewrite.signer_to)
    if rewrite.doc_number_from and rewrite.doc_number_to:
        text = rewrite_doc_number(text, rewrite.doc_number_from, rewrite.doc_number_to)
    text = shift_years(text, rewrite.year_offset)
    return scale_numbers(text, rewrite.number_factor)


# -- provinces and agencies ----------------------------------------------------------------------------
def load_provinces() -> dict[str, list[str]]:
    """Canonical province name -> its aliases, from assistant/data/provinces.txt."""
    text = resources.files("assistant").joinpath("data/provinces.txt").read_text(encoding="utf-8")
    provinces: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            canonical, *aliases = [part.strip() for part in line.split("|")]
            provinces[canonical] = aliases
    return provinces


def neutral_agency_names(agencies: AgencyTable, province_names: list[str]) -> list[tuple[str, str]]:
    """(alias, neutral name) for agency aliases that name one of these provinces, e.g.
    ("Đài PT-TH Khánh Hòa", "Đài Phát thanh và Truyền hình tỉnh")."""
    folded = [fold(name) for name in province_names]
    pairs = []
    for agency in agencies.all():
        if any(f in fold(agency.name) for f in folded):
            continue  # no neutral name to fall back on
        for alias in agency.aliases:
            if any(f in fold(alias) for f in folded):
                pairs.append((alias, agency.name))
    return pairs


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", fold(name))


def _shift_date(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# -- the corpus --------------------------------------------------------------------------------------
def plan_copies(seeds: list[PlanDocument], scale: int, pool: list[str]) -> list[tuple[PlanDocument, str, int, int]]:
    """(seed, province, year offset, copy number) for the scale-1 copies of every seed; every
    (province, year) pair is used once and never a seed province."""
    if scale < 1:
        raise ValueError(f"scale must be at least 1, got {scale}")
    if not pool:
        raise ValueError("no province left to rewrite the seeds into")
    used = {(p.province, p.year) for p in seeds}
    copies = []
    counter = 0
    for copy in range(1, scale):
        for seed in seeds:
            province = pool[counter % len(pool)]
            offset = 1 + counter // len(pool)
            while (province, seed.year + offset) in used:
                offset += 1
            used.add((province, seed.year + offset))
            copies.append((seed, province, offset, copy))
            counter += 1
    return copies


def _toml_value(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(value, ensure_ascii=False)  # strings and lists of strings: JSON is valid TOML here


def manifest_entry(plan: PlanDocument) -> str:
    data = plan.model_dump(mode="python", exclude_none=True)
    data["layout"] = plan.layout.value
    return "[[plan]]\n" + "".join(f"{key} = {_toml_value(value)}\n" for key, value in data.items())


def synthesize(seed_dir: Path, out_dir: Path, scale: int, agencies: AgencyTable | None = None,
               seed: int = 20220101) -> SynthCorpus:
    """Write a corpus `scale` times the seeds (manifest + plan files) into out_dir."""
    if agencies is None:
        from service.wiring import agency_table

        agencies = agency_table()
    seeds, errors = load_manifest(seed_dir)
    if errors:
        raise ValueError(f"seed manifest has errors: {errors}")
    out_dir.mkdir(parents=True, exist_ok=True)
    provinces = load_provinces()
    seed_provinces = {p.province for p in seeds}
    pool = [name for name in provinces if name not in seed_provinces]
    names_of = {p.province: [p.province, *provinces.get(p.province, [])] for p in seeds}
    all_seed_names = [name for names in names_of.values() for name in names]
    neutral = tuple(neutral_agency_names(agencies, all_seed_names))
    rng = random.Random(seed)

    corpus = SynthCorpus(folder=out_dir, scale=scale, seeds=seeds)
    entries = [f"# Synthetic corpus: {scale}x the {len(seeds)} seed plans of {seed_dir} (eval/synth.py).\n"]
    for plan in seeds:
        shutil.copyfile(seed_dir / plan.file, out_dir / plan.file)
        corpus.plans.append(plan)
        entries.append(manifest_entry(plan))
    taken_ids = {p.id for p in seeds}
    texts: dict[str, str] = {}
    for plan, province, offset, copy in plan_copies(seeds, scale, pool):
        year = plan.year + offset
        plan_id = f"{_slug(province)}{year}"
        while plan_id in taken_ids:
            plan_id += "x"
        taken_ids.add(plan_id)
        factor = round(rng.uniform(0.6, 1.6), 2)
        doc_number = None
        if plan.doc_number:
            number, suffix = _doc_number_parts(plan.doc_number)
            doc_number = f"{rng.randint(10, 999)}{'/' + suffix.lstrip('/') if suffix else ''}" if number else plan.doc_number
        signer = SIGNERS[rng.randrange(len(SIGNERS))] if plan.signer else None
        places = tuple(zip(SEED_PLACES, rng.sample(PLACE_POOL, len(SEED_PLACES))))
        rewrite = Rewrite(
            province_from=tuple(names_of[plan.province]), province_to=province, year_offset=offset,
            number_factor=factor, neutral_agencies=neutral, places=places,
            signer_from=plan.signer, signer_to=signer, doc_number_from=plan.doc_number, doc_number_to=doc_number,
        )
        file = f"{_slug(province)}-{year}-{plan.id}{Path(plan.file).suffix}"
        if plan.layout is Layout.DOCX:
            shutil.copyfile(seed_dir / plan.file, out_dir / file)  # Word files are copied, not rewritten
        else:
            if plan.file not in texts:
                texts[plan.file] = (seed_dir / plan.file).read_text(encoding="utf-8-sig")
            (out_dir / file).write_text(rewrite_text(texts[plan.file], rewrite), encoding="utf-8")
        new = plan.model_copy(update={
            "id": plan_id, "file": file, "province": province, "year": year,
            "title": rewrite_text(plan.title, rewrite), "short_title": rewrite_text(plan.short_title, rewrite),
            "doc_number": doc_number,
            "doc_date": _shift_date(plan.doc_date, offset) if plan.doc_date else None,
            "doc_date_text": shift_years(plan.doc_date_text, offset) if plan.doc_date_text else None,
            "signer": signer,
        })
        corpus.plans.append(new)
        entries.append(manifest_entry(new))
    (out_dir / MANIFEST_NAME).write_text("\n".join(entries), encoding="utf-8")
    return corpus
