"""Two web workers as two machines would run them: each its own data folder and process, sharing
the published builds (a shared folder), a Chroma server, Redis and PostgreSQL — all real."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from bots.feedback import FeedbackStore
from tests.servers import free_port, stop, wait_until

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
CCHC = str(Path(sys.executable).with_name("cchc"))
ADMIN = "an-admin-token-that-is-long-enough-0123456789"
QUESTION = "Sở Nội vụ tỉnh Hà Tĩnh chủ trì những việc gì trong quý này?"
TODAY = "2022-11-01"
LIMIT = 6  # questions per client per minute, counted across both workers


@dataclass
class Worker:
    name: str
    url: str
    process: subprocess.Popen

    def client(self, source: str = "127.0.0.1") -> httpx.Client:
        """A client from its own loopback address: the rate limit counts per address."""
        return httpx.Client(base_url=self.url, timeout=60, transport=httpx.HTTPTransport(local_address=source))


@dataclass
class Cluster:
    shared: Path
    env: dict[str, str]
    a: Worker
    b: Worker
    database_url: str

    def records_of(self, build: str) -> set[str]:
        path = self.shared / "index" / build / "records.jsonl"
        return {json.loads(line)["id"] for line in path.read_text(encoding="utf-8").splitlines()}


def _environment(shared: Path, redis_url: str, chroma_url: str, database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "CCHC_PLUGINS": "tests.fake_embedding",
        "CCHC_EMBEDDING_MODEL": "fake",
        "CCHC_CORPUS_DIR": str(shared / "corpus"),
        "CCHC_SHARED_DIR": str(shared),
        "CCHC_REDIS_URL": redis_url,
        "CCHC_CHROMA_URL": chroma_url,
        "CCHC_DATABASE_URL": database_url,
        "CCHC_SECRET_KEY": "the-deployment-wide-answer-id-key",
        "CCHC_ADMIN_TOKEN": ADMIN,
        "CCHC_RATE_LIMIT": f"{LIMIT}/minute",
        "CCHC_BUILD_POLL_SECONDS": "0.5",
    }


def _start(name: str, env: dict[str, str], data_dir: Path) -> Worker:
    port = free_port()
    log = data_dir.parent / f"{name}.log"
    with log.open("w") as out:
        process = subprocess.Popen([CCHC, "serve", "--port", str(port)], cwd=REPO,
                                   env={**env, "CCHC_DATA_DIR": str(data_dir)}, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    with httpx.Client(timeout=2) as probe:  # one client: a new one per poll builds a TLS context (CPU the server needs)
        wait_until(lambda: probe.get(f"{url}/api/health").json()["loaded"], f"worker {name}", process, log)
    return Worker(name, url, process)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, corpus_dir, redis_server, chroma_server, postgres_server) -> Iterator[Cluster]:
    import redis

    shared = tmp_path_factory.mktemp("shared")
    shutil.copytree(corpus_dir, shared / "corpus")
    redis_url = redis_server.url.rsplit("/", 1)[0] + "/3"  # a database of its own
    redis.Redis.from_url(redis_url).flushdb()
    env = _environment(shared, redis_url, chroma_server.url, postgres_server.url)
    subprocess.run([CCHC, "index"], cwd=REPO, check=True, capture_output=True,
                   env={**env, "CCHC_DATA_DIR": str(shared / "builder")})
    a = _start("a", env, tmp_path_factory.mktemp("machine-a") / "data")
    b = _start("b", env, tmp_path_factory.mktemp("machine-b") / "data")
    try:
        yield Cluster(shared, env, a, b, postgres_server.url)
    finally:
        stop(a.process)
        stop(b.process)


def ask(client: httpx.Client, question: str, session: str | None = None) -> httpx.Response:
    return client.post("/api/ask", json={"question": question, "today": TODAY, "session": session})


def test_a_follow_up_on_worker_b_inherits_the_question_asked_on_worker_a(cluster) -> None:
    with cluster.a.client("127.0.0.2") as a, cluster.b.client("127.0.0.2") as b:
        shift, other = (a.post("/api/session").json()["session"] for _ in range(2))  # issued by one worker
        first = ask(a, QUESTION, session=shift).json()
        follow_up = ask(b, "Còn Sở Tư pháp thì sao?", session=shift).json()  # accepted by the other
        alone = ask(b, "Còn Sở Tư pháp thì sao?", session=other).json()

    assert first["query"]["agency"]["id"] == "so-noi-vu"
    assert follow_up["query"]["agency"]["id"] == "so-tu-phap"
    assert follow_up["query"]["provinces"] == ["Hà Tĩnh"] and follow_up["query"]["period"]["label"] == "quý IV/2022"
    assert follow_up["found"] and follow_up["answer"].startswith("Sở Tư pháp, quý IV/2022")
    assert alone["query"].get("period") is None  # a fresh session has nothing to inherit


def test_the_question_rate_limit_is_shared_by_the_workers(cluster) -> None:
    with cluster.a.client("127.0.0.3") as a, cluster.b.client("127.0.0.3") as b:
        statuses = [ask(client, "Ai chủ trì cải cách thủ tục hành chính?").status_code
                    for client in [a, b] * (LIMIT // 2)]
        over_a, over_b = ask(a, QUESTION), ask(b, QUESTION)
    with cluster.b.client("127.0.0.4") as other:
        someone_else = ask(other, QUESTION)

    assert statuses == [200] * LIMIT
    assert over_a.status_code == over_b.status_code == 429
    assert "Retry-After" in over_b.headers and over_b.json()["detail"]
    assert someone_else.status_code == 200


def test_feedback_from_both_workers_lands_in_postgresql(cluster) -> None:
    ids = []
    with cluster.a.client("127.0.0.5") as a, cluster.b.client("127.0.0.5") as b:
        asked = [(a, b, "up", QUESTION), (b, a, "down", "Sở Tư pháp tỉnh Hà Tĩnh chủ trì những việc gì trong quý này?")]
        for asked_on, rated_on, rating, question in asked:  # rated on the other worker
            answer = ask(asked_on, question).json()
            body = {"answer_id": answer["answer_id"], "rating": rating, "question": question, "today": TODAY,
                    "answer": answer["answer"], "citations": [c["id"] for c in answer["citations"]]}
            stored = rated_on.post("/api/feedback", json=body)
            assert stored.status_code == 201, stored.text
            ids.append(stored.json()["id"])
        forged = b.post("/api/feedback", json={**body, "answer_id": body["answer_id"][:-3] + "AAA"})

    rows = {f.id: f for f in FeedbackStore(cluster.database_url).all()}
    assert [rows[i].rating for i in ids] == ["up", "down"]
    assert all(rows[i].channel == "web" and rows[i].citations for i in ids)
    assert forged.status_code == 403


def test_a_reindex_through_worker_a_is_served_by_worker_b_and_no_answer_mixes_builds(cluster) -> None:
    with cluster.b.client("127.0.0.6") as b:
        before = ask(b, QUESTION).headers["X-Cchc-Build"]
    manifest = cluster.shared / "corpus" / "manifest.toml"
    plans = manifest.read_text(encoding="utf-8").split("[[plan]]")
    manifest.write_text("[[plan]]".join(plans[:-1]), encoding="utf-8")  # the last plan is withdrawn
    answers: list[httpx.Response] = []
    done = threading.Event()

    def keep_asking() -> None:  # on worker B, while worker A rebuilds and publishes
        with cluster.b.client("127.0.0.7") as client:
            while not done.is_set() and len(answers) < LIMIT - 1:
                answers.append(ask(client, QUESTION))
                time.sleep(0.3)

    asker = threading.Thread(target=keep_asking)
    with cluster.a.client() as a, cluster.b.client() as b:
        asker.start()
        started = a.post("/api/admin/reindex", headers={"Authorization": f"Bearer {ADMIN}"})
        assert started.status_code == 202, started.text
        wait_until(lambda: a.get("/api/admin/reindex", headers={"Authorization": f"Bearer {ADMIN}"})
                   .json()["state"] == "succeeded", "the reindex on worker A")
        built = time.monotonic()
        wait_until(lambda: len(b.get("/api/plans").json()) == len(plans) - 2, "worker B on the new build")
        switch_seconds = time.monotonic() - built
        done.set()
        asker.join()
        after = ask(b, QUESTION)

    assert after.headers["X-Cchc-Build"] != before
    print(f"[deploy] worker B served the new build {switch_seconds:.1f} s after worker A finished it")
    assert switch_seconds < 15  # "within seconds", with room for a loaded CI machine
    for response in [*answers, after]:
        build = response.headers["X-Cchc-Build"]
        assert {c["id"] for c in response.json()["citations"]} <= cluster.records_of(build)
    builds = {r.headers["X-Cchc-Build"] for r in answers}
    assert builds <= {before, after.headers["X-Cchc-Build"]}
