"""The real CLI, as a user runs it: real embedding model, real packaged LLM, offline."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from knowledge.embedder import PACKAGED_EMBEDDER
from tests.conftest import DATA, SAMPLE_COURSE
from tests.postgres import free_port

pytestmark = pytest.mark.e2e
TUTORBOT = str(Path(sys.executable).with_name("tutorbot"))
COURSE = "workplace-safety"


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    data = tmp_path_factory.mktemp("e2e-data")
    variables = {k: v for k, v in os.environ.items() if not k.startswith("TUTORBOT_")}
    return {**variables, "TUTORBOT_DATA_DIR": str(data), "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1", "COLUMNS": "200",
            "TUTORBOT_ASK_SERVER_IDLE_MINUTES": "0"}  # one test below turns it on


def tutorbot(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([TUTORBOT, *args], env=env, input=stdin, capture_output=True,
                          text=True, timeout=900, check=False)


def wait_for_line(process: subprocess.Popen, start: str, timeout_s: float) -> str:
    """The first line of the process's output containing `start`."""
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout],  # type: ignore[union-attr]
                     daemon=True).start()
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=1)
        except queue.Empty:
            assert process.poll() is None, f"exited {process.returncode}"
            continue
        if start in line:
            return line
    raise AssertionError(f"no line with {start!r} within {timeout_s} s")


def wait_for_health(port: int, timeout_s: float = 30) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as reply:
                return reply.status == 200
        except OSError:
            time.sleep(0.3)
    return False


def json_of(result: subprocess.CompletedProcess) -> dict:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def ingested(env: dict[str, str]) -> dict:
    return json_of(tutorbot(env, "ingest", str(SAMPLE_COURSE), "--course", COURSE, "--json"))


def test_sample_course_ingests_then_reingest_is_a_no_op(env: dict[str, str],
                                                        ingested: dict) -> None:
    assert len(ingested["added"]) == 8 and not ingested["failed"]
    again = json_of(tutorbot(env, "ingest", str(SAMPLE_COURSE), "--course", COURSE, "--json"))
    assert len(again["unchanged"]) == 8 and again["chunks_added"] == 0


def test_skills_lists_the_sections_of_each_document_in_order(env: dict[str, str],
                                                            ingested: dict) -> None:
    skills = json_of(tutorbot(env, "skills", "--course", COURSE, "--json"))
    assert ingested["skills"] == len(skills) and not ingested["skill_problems"]
    assert all(set(row) == {"skill", "prerequisites", "passages", "questions"} for row in skills)
    assert sum(row["questions"] for row in skills) == ingested["questions_added"] > 0
    by_name = {row["skill"]: row for row in skills}
    assert by_name["Fire extinguisher types"]["prerequisites"] == [
        "Why fire safety matters in a warehouse"]
    assert by_name["Daily pre-use checks"]["prerequisites"] == [  # "2. " is not the name
        "Authorisation and licence to operate"]
    assert sum(row["passages"] for row in skills) == ingested["chunks_added"]
    unknown = tutorbot(env, "skills", "--course", "nope")
    assert unknown.returncode == 1 and "no course named 'nope'" in unknown.stderr


def test_the_question_bank_is_built_at_ingest_and_listed(env: dict[str, str],
                                                         ingested: dict) -> None:
    questions = json_of(tutorbot(env, "quiz", "list", "--course", COURSE, "--json"))
    assert len(questions) == ingested["questions_added"]
    keys = {"id", "skill", "type", "question", "options", "answer", "status", "source"}
    assert all(set(q) == keys and set(q["source"]) == {"document", "section", "text"}
               for q in questions)
    choice = next(q for q in questions if q["type"] == "choice")
    assert len(choice["options"]) == 4 and choice["answer"] in choice["options"]
    assert choice["answer"] in choice["source"]["text"]
    assert json_of(tutorbot(env, "quiz", "generate", "--course", COURSE, "--json")) == []


def test_retrieval_quality_on_the_sample_questions(env: dict[str, str], ingested: dict) -> None:
    result = json_of(tutorbot(env, "eval", "retrieval", str(DATA / "sample_qa.jsonl"),
                              "--course", COURSE, "--json"))
    assert result["n"] == 40
    assert result["hit@5"] >= 0.9 and result["mrr"] >= 0.8


def test_ask_answers_a_burning_computer_with_co2(env: dict[str, str], ingested: dict) -> None:
    answer = json_of(tutorbot(env, "ask", "Which extinguisher do I use on a burning computer?",
                              "--course", COURSE, "--json"))
    assert answer["covered"] is True
    assert answer["quote"].startswith("> ") and "CO2" in answer["quote"]
    assert answer["answer"].startswith(answer["quote"])
    assert "water" not in " ".join(answer["kept_sentences"]).lower()  # never "use water"
    assert answer["sources"][0]["document"] == "fire-safety.md"
    assert set(answer["sources"][0]) >= {"document", "section", "score", "text"}
    # The packaged model on this CPU: the quote alone, at once, and the JSON says why.
    assert answer["explained"] is False and "on a CPU" in answer["explain_skipped"]
    assert answer["kept_sentences"] == [] and "first_token_ms" not in answer["timings"]


def test_ask_with_the_explanation_asked_for_runs_the_model(env: dict[str, str],
                                                           ingested: dict) -> None:
    answer = json_of(tutorbot({**env, "TUTORBOT_EXPLAIN": "always"}, "ask",
                              "Which extinguisher do I use on a burning computer?",
                              "--course", COURSE, "--json"))
    assert answer["explained"] is True and answer["explain_skipped"] is None
    assert answer["quote"].startswith("> ") and "CO2" in answer["quote"]
    assert "water" not in " ".join(answer["kept_sentences"]).lower()  # never "use water"
    assert answer["timings"]["first_token_ms"] > 0


def test_check_removes_a_reversed_rule_and_says_why(env: dict[str, str],
                                                    ingested: dict) -> None:
    result = json_of(tutorbot(
        env, "check", "Can I use water on an electrical fire?", "--course", COURSE, "--json",
        "--answer", "Always use water on electrical equipment. Never use water on electrical "
                    "equipment or burning liquids."))
    wrong, right = result["sentences"]
    assert not wrong["kept"] and wrong["reason"].startswith("contradicted (negation)")
    assert wrong["support"]["document"] == "fire-safety.md"
    assert wrong["support"]["text"] == "Never use water on electrical equipment or burning liquids."
    assert right["kept"] and right["reason"].startswith("supported")


def test_off_topic_question_is_declined(env: dict[str, str], ingested: dict) -> None:
    answer = json_of(tutorbot(env, "ask", "How do I cook fresh pasta?", "--course", COURSE,
                              "--json"))
    assert answer["covered"] is False and answer["sources"] == []
    assert "does not cover" in answer["answer"]


def test_console_chat_streams_an_answer_with_sources(env: dict[str, str],
                                                     ingested: dict) -> None:
    result = tutorbot(env, "chat", stdin="How long should a burn be cooled?\n/help\n/quit\n")
    assert result.returncode == 0, result.stderr
    assert "Sources" in result.stdout and "first-aid.html" in result.stdout
    assert "20 minutes" in result.stdout  # the quoted answer, from the material
    assert "/forget" in result.stdout  # the help text


def test_corrupt_upload_is_reported_and_the_rest_ingested(env: dict[str, str], ingested: dict,
                                                          tmp_path: Path) -> None:
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.7 truncated")
    (tmp_path / "huge.md").write_bytes(b"x " * 13_000_000)
    (tmp_path / "visitors.md").write_text("# Visitors\nVisitors sign in at the gatehouse.")
    result = tutorbot(env, "ingest", str(tmp_path), "--course", COURSE)
    assert result.returncode == 0
    assert "broken.pdf: could not be read as PDF" in result.stderr
    assert "huge.md: the file is 26.0 MB, over the 25 MB limit" in result.stderr
    assert "1 added" in result.stdout
    courses = json_of(tutorbot(env, "courses", "--json"))
    assert courses[0]["documents"] == 9


@pytest.mark.parametrize(("args", "extra_env", "message"), [
    (["ask", "What is PPE?", "--course", "cooking"], {}, "no course named 'cooking'"),
    (["ask", "  ", "--course", COURSE], {}, "the question is empty"),
    (["ask", "What is PPE?", "--course", COURSE], {"TUTORBOT_LLM_MODEL": "/no/such/model"},
     "Could not load the language model '/no/such/model'"),
    (["eval", "retrieval", "/no/such.jsonl", "--course", COURSE], {}, "No such file"),
])
def test_bad_input_gets_one_clear_line(env: dict[str, str], ingested: dict, args: list[str],
                                       extra_env: dict[str, str], message: str) -> None:
    result = tutorbot({**env, **extra_env}, *args)
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_second_ask_is_answered_by_the_warm_server(env: dict[str, str], ingested: dict) -> None:
    warm = {**env, "TUTORBOT_ASK_SERVER_IDLE_MINUTES": "5"}
    sock = Path(env["TUTORBOT_DATA_DIR"]) / "ask.sock"
    question = "How long should a burn be cooled?"
    try:
        first = json_of(tutorbot(warm, "ask", question, "--course", COURSE, "--json"))
        assert first["answered_by"] == "this process"
        deadline = time.monotonic() + 120
        while not sock.exists() and time.monotonic() < deadline:  # the server loads its models
            time.sleep(0.5)
        second = json_of(tutorbot(warm, "ask", question, "--course", COURSE, "--json"))
        assert second["answered_by"] == "ask server"
        assert second["answer"] == first["answer"]  # greedy decoding: the same answer
        unknown = tutorbot(warm, "ask", question, "--course", "nope")
        assert unknown.returncode == 1 and "no course named 'nope'" in unknown.stderr
        # Other settings: the server must not answer for them.
        other = json_of(tutorbot({**warm, "TUTORBOT_PASSAGES_PER_ANSWER": "2"}, "ask", question,
                                 "--course", COURSE, "--json"))
        assert other["answered_by"] == "this process"
    finally:
        tutorbot(warm, "serve-ask", "--stop")


def test_learner_simulate_then_evaluate(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "learners.csv.gz"
    made = tutorbot(env, "learner", "simulate", "--learners", "40", "--skills", "3",
                    "--out", str(path))
    assert made.returncode == 0 and "2400 interactions" in made.stdout, made.stderr
    result = json_of(tutorbot(env, "learner", "evaluate", str(path), "--json"))
    assert result["n_train"] + result["n_test"] == 2400
    assert set(result["models"]) == {"mlp", "logistic", "item_difficulty", "bkt"}
    assert all(set(m) == {"auc", "accuracy", "log_loss"} for m in result["models"].values())
    bad = tmp_path / "bad.csv"
    bad.write_text("learner_id,item_id,correct\n")
    refused = tutorbot(env, "learner", "evaluate", str(bad))
    assert refused.returncode == 1 and "missing column(s) skill_id, timestamp" in refused.stderr


def test_run_without_a_terminal_serves_the_console_and_names_what_each_platform_lacks(
        env: dict[str, str], ingested: dict) -> None:
    """`docker compose up` with a half-set .env: no terminal chat that nobody sees, but
    the trainers' console, with its one-time link; SIGINT ends it cleanly."""
    port = free_port()
    process = subprocess.Popen(
        [TUTORBOT, "run"], env={**env, "TUTORBOT_SLACK_BOT_TOKEN": "xoxb-1",
                                "TUTORBOT_WEB_PORT": str(port)},
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        link = wait_for_line(process, "Trainers' console:", timeout_s=300)
        assert f"http://127.0.0.1:{port}/sign-in/link?token=" in link
        assert wait_for_health(port)
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    shown = " ".join(stderr.split())
    assert process.returncode == 0, stderr
    assert "Not serving slack: it also needs TUTORBOT_SLACK_SIGNING_SECRET" in shown
    assert "serving the trainers' console alone" in shown and "Traceback" not in shown


def test_settings_print_with_secrets_masked(env: dict[str, str]) -> None:
    secrets = {"TUTORBOT_TELEGRAM_TOKEN": "77:AAsecretsecret", "TUTORBOT_LLM_API_KEY": "sk-abc123",
               "TUTORBOT_DATABASE_URL": "postgresql+psycopg://tutor:pa55word@db/tutorbot"}
    result = tutorbot({**env, **secrets}, "settings", "--json")
    shown = json_of(result)
    assert shown["telegram_token"] == "***" and shown["llm_api_key"] == "***"
    assert shown["database_url"] == "postgresql+psycopg://tutor:***@db/tutorbot"
    assert not any(secret in result.stdout for secret in ("AAsecretsecret", "sk-abc123",
                                                            "pa55word"))
    assert "TUTORBOT_SLACK_PORT" in tutorbot(env, "settings").stdout


def test_a_changed_embedding_model_is_caught_before_answering(env: dict[str, str],
                                                              ingested: dict) -> None:
    other = {**env, "TUTORBOT_EMBEDDING_MODEL": "sentence-transformers/all-mpnet-base-v2"}
    result = tutorbot(other, "ask", "What is PPE?", "--course", COURSE)
    shown = " ".join(result.stderr.split())
    assert result.returncode == 1 and "Traceback" not in shown
    assert f"documents were embedded with '{PACKAGED_EMBEDDER}' in {COURSE}" in shown
    assert "Run `tutorbot reindex`" in shown
