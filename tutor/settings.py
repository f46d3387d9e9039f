"""Every deployment setting in one place, read once at start (env prefix TUTORBOT_, .env)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from knowledge.embedder import PACKAGED_EMBEDDER
from knowledge.isolated import ConversionLimits
from tutor.llm import PACKAGED_LLM


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TUTORBOT_", env_file=".env", env_file_encoding="utf-8", extra="ignore",
        env_ignore_empty=True,  # `TUTORBOT_TELEGRAM_TOKEN=` in .env means "not set"
    )

    data_dir: Path = Field(Path("data"), description="Database, index and model cache.")
    database_url: str | None = Field(
        None, description="Any SQLAlchemy URL; defaults to SQLite in the data dir."
    )
    llm_model: str = Field(
        PACKAGED_LLM,
        description="The packaged SmolLM2, a local model directory, or a cached model id.",
    )
    llm_backend: Literal["transformers", "openai"] = Field(
        "transformers", description="transformers: the model runs in this process. openai: "
        "an OpenAI-compatible server at TUTORBOT_LLM_BASE_URL (vLLM, TGI, llama.cpp, Ollama).")
    llm_base_url: str | None = Field(
        None, description="The server's API root, e.g. http://vllm:8000/v1 (openai backend).")
    llm_api_key: SecretStr | None = None
    llm_timeout_s: float = Field(60.0, gt=0, description="How long a served answer may take.")
    llm_device: Literal["auto", "cpu", "cuda"] = "auto"
    llm_dtype: Literal["auto", "float32", "bfloat16", "float16"] = Field(
        "auto", description="auto: bfloat16 on CUDA, float32 on CPU."
    )
    llm_int8: Literal["auto", "on", "off"] = Field(
        "auto", description="int8 weights and activations for the model's layers on CPU "
        "(PyTorch's dynamic quantization). auto: on for a float32 model on CPU.")
    max_new_tokens: int = Field(160, ge=16, le=2048)
    explain: Literal["auto", "always", "never"] = Field(
        "auto", description="Whether answers add the model's explanation after the quote. "
        "auto: not with the packaged 135M model on a CPU (the check removed every sentence "
        "it wrote on both public sets, bench.answer_length); with any other model or on "
        "a GPU, yes.")
    embedding_model: str = PACKAGED_EMBEDDER
    default_course: str = "workplace-safety"
    max_upload_mb: float = Field(25.0, gt=0, description="Largest file ingest accepts.")
    conversion_timeout_s: float = Field(
        180.0, gt=0, description="Longest a PDF, Word, PowerPoint or HTML file may take to "
        "convert; a longer one is stopped and refused, the rest of the batch goes in.")
    conversion_memory_mb: int = Field(
        2048, ge=512, description="Memory ceiling of the process that converts files.")
    passages_per_answer: int = Field(3, ge=1, le=10)
    relevance_threshold: float = Field(
        0.34, description="Best passage score under which the material counts as not covering it."
    )
    support_threshold: float = Field(
        0.45, description="Cosine score an answer sentence needs against its sources."
    )
    quiz_length: int = Field(5, ge=1, le=50, description="Questions in a /quiz.")
    quiz_generator: Literal["auto", "text", "llm", "both"] = Field(
        "auto", description="Who writes the question bank: the text itself, the language "
        "model, or both. auto: both when TUTORBOT_LLM_MODEL is not the packaged 135M model.")
    learner_min_attempts: int = Field(
        1600, ge=1, description="Quiz answers a course needs before the learner model "
        "estimates its learners' mastery (measured by bench.cold_start); until then the "
        "transparent mastery estimate does.")
    learner_retrain_hours: float = Field(
        6.0, ge=0, description="How often a serving tutor retrains the learner model on new "
        "answers (0: only `tutorbot learner train`).")
    history_turns: int = Field(6, ge=0, description="Turns kept per learner for follow-ups.")
    rate_limit: int = Field(
        10, ge=0, description="Questions a learner may ask a minute (0: no limit); commands "
        "and buttons are never limited. Counted per worker process.")
    max_queue: int = Field(
        50, ge=0, description="Questions a worker answers at once (waiting for the model or "
        "with it); one more is told the tutor is busy (0: no limit). bench.telegram_load: "
        "50 at once are all answered within about 90 s on 2 cores.")
    ask_server_idle_minutes: float = Field(
        10.0, ge=0,
        description="How long the model server `tutorbot ask` leaves behind stays up unused "
        "(0: none; every ask then loads the models itself).",
    )

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] | None = Field(
        None, description="tutorbot's log lines from this level (DEBUG: the libraries' "
        "too). Unset: INFO while serving, WARNING for other commands. Secrets are masked.")

    admins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Who may add course material by chat: platform ids, comma-separated "
        "(telegram:12345,slack:U0123) or as a JSON list.",
    )
    stream_edit_interval_s: float = Field(
        1.0, ge=0.2, description="Least time between edits of a message while an answer streams."
    )
    telegram_lease_s: float = Field(
        120.0, ge=5, description="How long a worker holds a Telegram update it took: one still "
        "unanswered after it (the worker died) is handled again; renewed while it answers."
    )

    web_host: str = Field("127.0.0.1", description="Where the trainers' console listens.")
    web_port: int = Field(8765, ge=1, le=65535)
    web_secret: SecretStr | None = Field(
        None, description="Key that signs the console's session cookies; the same on every "
        "worker. Unset: one made at first start and kept in the data dir.")
    web_https: bool = Field(
        False, description="Console cookies only over HTTPS (set it behind a TLS proxy).")
    console_names: Literal["display", "pseudonymous"] = Field(
        "display", description="How the console shows learners: the name their platform "
        "shows, or a stable pseudonym.")
    language: str = Field(
        "en", pattern=r"^[a-z]{2,3}(_[A-Za-z0-9]+)*$",
        description="The language the console speaks: a catalogue in tutor/locales (zh_Hans, "
        "de, …; docs/translating.md). English where there is none.")
    answer_log_days: int = Field(
        180, ge=0, description="Days the console keeps what learners were told, then only "
        "counts per course and day (0: keeps none).")

    telegram_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    telegram_webhook_url: str | None = Field(
        None, description="Public HTTPS address Telegram posts updates to; unset: long polling."
    )
    telegram_webhook_listen: str = "0.0.0.0"
    telegram_webhook_port: int = 8443
    telegram_webhook_secret: SecretStr | None = None

    slack_bot_token: SecretStr | None = None
    slack_app_token: SecretStr | None = Field(
        None, description="xapp- token: Socket Mode. Unset: HTTP mode on slack_port."
    )
    slack_signing_secret: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    slack_listen: str = "0.0.0.0"
    slack_port: int = 3000

    @field_validator("admins", mode="before")
    @classmethod
    def _split_admins(cls, value: object) -> object:
        """Comma-separated, or a JSON list: .env files hold both."""
        if isinstance(value, str) and value.strip().startswith("["):
            try:
                value = json.loads(value)
            except json.JSONDecodeError as error:
                raise ValueError(f"TUTORBOT_ADMINS is not a JSON list: {error}") from error
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    def question_writers(self, choice: str | None = None) -> str:
        """Who writes the question bank, "text", "llm" or "both": `choice` (default: the
        setting), with "auto" read as the model joining only when it is not the
        packaged 135M one, whose questions never pass the checks."""
        choice = choice or self.quiz_generator
        if choice == "auto":
            return "text" if self.llm_model == PACKAGED_LLM else "both"
        return choice

    @property
    def conversion_limits(self) -> ConversionLimits:
        return ConversionLimits(self.conversion_timeout_s, self.conversion_memory_mb)

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1e6)

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'tutorbot.db'}"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def model_cache_dir(self) -> Path:
        return self.data_dir / "models"
