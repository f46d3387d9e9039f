"""A language model served over the OpenAI chat-completions API: vLLM for large
deployments (continuous batching, paged attention, tensor parallel), and equally
TGI, llama.cpp's server or Ollama. The same `Generator` protocol as the model in
this process, so the answer check applies unchanged; embedding stays in-process.

Each request streams on its own connection, from its own worker thread
(tutor/runtime.py), so none waits for another's long answer: the server batches.
A server that is down, too slow or breaks off mid-answer fails only the requests
it failed, as `ModelUnavailable`: their learners get the material's own words
with a notice (tutor/answers/answering.py), and what was already checked and
shown stays.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from tutor.errors import ModelUnavailable
from tutor.llm import AnswerAbandoned, GenerationConfig, GenerationRequest

log = logging.getLogger(__name__)
CHARS_PER_TOKEN = 4  # a served model's tokenizer is not here: a rough count for benches


class OpenAIGenerator:
    def __init__(self, base_url: str, model: str | None, config: GenerationConfig, *,
                 api_key: str | None = None, timeout_s: float = 60.0) -> None:
        from openai import OpenAI

        self.base_url = base_url
        self.config = config
        self.timeout_s = timeout_s
        # No retries: a learner waits through each, and the quote already stands in.
        self.client = OpenAI(base_url=base_url, api_key=api_key or "not-needed",
                             timeout=timeout_s, max_retries=0)
        self._model = model

    @property
    def name(self) -> str:
        """The served model: as configured, else the one the server lists first."""
        if self._model is None:
            try:
                self._model = self.client.models.list().data[0].id
            except Exception as error:
                raise self._unavailable(error) from error
        return self._model

    def generate(self, requests: Sequence[GenerationRequest]) -> list[str | Exception]:
        """Every request streamed at once; a failed one's place holds its error."""
        model = self.name
        if len(requests) == 1:  # the tutor's way: each request on its own worker thread
            return [self._stream(model, requests[0])]
        with ThreadPoolExecutor(max_workers=len(requests)) as pool:
            return list(pool.map(lambda request: self._stream(model, request), requests))

    def _stream(self, model: str, request: GenerationRequest) -> str | Exception:
        parts: list[str] = []
        # The client's timeout is per read: a server trickling tokens would never trip
        # it. The whole answer gets `timeout_s`.
        deadline = time.monotonic() + self.timeout_s
        try:
            stream = self.client.chat.completions.create(
                model=model, messages=list(request.messages),  # type: ignore[arg-type]
                max_tokens=self.config.max_new_tokens, temperature=0.0, stream=True)
            # Closing the connection on leaving (the end, a timeout, an abandoned
            # answer) is how the server hears to stop decoding it.
            with stream:
                for chunk in stream:
                    delta = chunk.choices[0].delta if chunk.choices else None
                    piece = getattr(delta, "content", None)  # role-only or null deltas
                    if piece:
                        parts.append(piece)
                        request.on_text(piece)
                    if time.monotonic() > deadline:
                        raise TimeoutError("the whole answer took too long")
        except AnswerAbandoned as abandoned:
            log.debug("an answer was abandoned after %d pieces", len(parts))
            return abandoned
        except Exception as error:
            log.warning("the model server failed a request after %d pieces: %s",
                        len(parts), error)
            return self._unavailable(error)
        return "".join(parts)

    def _unavailable(self, error: Exception) -> ModelUnavailable:
        import openai

        if isinstance(error, openai.APITimeoutError | TimeoutError):
            why = f"did not answer within {self.timeout_s:g} s"
        elif isinstance(error, openai.APIConnectionError):
            why = "is not reachable"
        elif isinstance(error, openai.APIStatusError):
            why = f"answered HTTP {error.status_code}"
        else:
            why = f"broke off: {type(error).__name__}"
        return ModelUnavailable(f"The language model server at {self.base_url} {why}.")

    def count_tokens(self, text: str) -> int:
        return max(1, len(text) // CHARS_PER_TOKEN)
