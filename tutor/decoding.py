"""Continuous (iteration-level) batching for a local causal LM.

Rows join the running batch at the next decoding step and leave it the step they
finish, so nobody waits for someone else's long answer. The batch shares one
key/value cache, left-padded to its longest row: a newcomer is prefilled on its
own, padded to the batch's length (or the batch to its) and stacked on; a row that
leaves is dropped from every layer, and columns that only pad are cut off.

Decoding is greedy with the same repetition penalty as `generate`'s logits
processor, so one row alone decodes exactly what `model.generate` does.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Collection, Hashable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch
from transformers import DynamicCache
from transformers.cache_utils import DynamicLayer

from tutor.llm import ChatMessages, GenerationConfig, GenerationRequest, TextStream, stop_ids

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase


def supports_continuous_batching(model: PreTrainedModel) -> bool:
    """Whether every layer attends to the whole past (a plain growing cache): sliding
    windows and recurrent layers keep state this decoder does not pad or cut."""
    config = model.config
    layer_types = getattr(config, "layer_types", None)
    if layer_types and any(kind != "full_attention" for kind in layer_types):
        return False
    return not getattr(config, "sliding_window", None) or not getattr(
        config, "use_sliding_window", True)


log = logging.getLogger(__name__)
SPARE_COLUMNS = 64  # room a cache layer keeps to grow into before it is copied


class _GrowingLayer(DynamicLayer):
    """A cache layer whose keys and values sit in a buffer with room to grow: a step
    writes its one column in place. (The stock layer concatenates, copying the whole
    cache every step: at 16 rows of 600 columns, hundreds of MB a step.)"""

    def update(self, key_states: torch.Tensor, value_states: torch.Tensor,
               *args: object, **kwargs: object) -> tuple[torch.Tensor, torch.Tensor]:
        if not self.is_initialized:
            self.lazy_initialization(key_states, value_states)
        if self.keys.numel() == 0:
            self.replace(key_states, value_states)
            return self.keys, self.values
        length, new = self.keys.shape[-2], key_states.shape[-2]
        if length + new > self._key_room.shape[-2]:
            self.replace(self.keys, self.values, spare=max(SPARE_COLUMNS, length))
        self._key_room[..., length:length + new, :] = key_states
        self._value_room[..., length:length + new, :] = value_states
        self.keys = self._key_room[..., :length + new, :]
        self.values = self._value_room[..., :length + new, :]
        return self.keys, self.values

    def replace(self, keys: torch.Tensor, values: torch.Tensor,
                spare: int = SPARE_COLUMNS) -> None:
        """Make `keys` and `values` the layer's contents, copied with `spare` columns
        of room after them."""
        self._key_room, self._value_room = _with_room(keys, spare), _with_room(values, spare)
        self.keys = self._key_room[..., :keys.shape[-2], :]
        self.values = self._value_room[..., :values.shape[-2], :]

    def batch_select_indices(self, indices: torch.Tensor) -> None:
        self.replace(self.keys[indices], self.values[indices])


def _with_room(tensor: torch.Tensor, spare: int) -> torch.Tensor:
    shape = list(tensor.shape)
    shape[-2] += spare
    room = tensor.new_empty(shape)
    room[..., :tensor.shape[-2], :] = tensor
    return room


def _growing_cache(model: PreTrainedModel) -> DynamicCache:
    cache = DynamicCache(config=model.config)
    cache.layers = [_GrowingLayer() for _ in cache.layers]
    return cache


@dataclass
class _Row:
    key: Hashable
    stream: TextStream
    position: int  # the position of the row's next token to feed
    next_token: int = -1
    new_tokens: int = 0
    error: Exception | None = None


class ContinuousDecoder:
    """The running batch. `admit` prefills newcomers (each gets its first token),
    `step` decodes one token for every row and returns the rows that ended, as
    (key, text or exception). Not thread-safe: one worker thread drives it."""

    # Newcomers prefilled at once: a prefill holds every running row's next token
    # (four 500-token prompts: about 2 s on two cores in int8, bench.decoding).
    max_admit = 4

    def __init__(
        self,
        model: PreTrainedModel,
        tokenizer: PreTrainedTokenizerBase,
        config: GenerationConfig,
        prompt_text: Callable[[ChatMessages], str],
    ) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.config = config
        self.prompt_text = prompt_text
        self.stop_ids = stop_ids(tokenizer) | _generation_stops(model)
        self.rows: list[_Row] = []
        self._cache: DynamicCache | None = None  # the keys and values of `rows`
        self._mask = torch.zeros((0, 0), dtype=torch.long)  # [rows, cached columns]
        self._seen = torch.zeros((0, 0), dtype=torch.bool)  # [rows, vocabulary]
        # transformers 5 renamed the cache argument; 4.56 still reads the old name.
        parameters = inspect.signature(model.forward).parameters
        self._cache_argument = "cache" if "cache" in parameters else "past_key_values"

    def __len__(self) -> int:
        return len(self.rows)

    def clear(self) -> None:
        """Drop every row (after a failed step: the cache may be half-updated)."""
        self.rows = []
        self._cache, self._mask, self._seen = None, self._mask[:0, :0], self._seen[:0]

    @torch.inference_mode()
    def admit(self, requests: Sequence[tuple[Hashable, GenerationRequest]]
              ) -> list[tuple[Hashable, str | Exception]]:
        """Prefill `requests` together and add them to the batch; returns any that
        ended already (a stop token first, a listener that failed, or a prefill that
        failed: that fails the newcomers only, the running rows go on)."""
        if not requests:
            return []
        try:
            logits, cache, ids, mask = self._prefill(requests)
        except Exception as error:
            log.warning("prefilling %d new answers failed", len(requests), exc_info=True)
            return [(key, error) for key, _ in requests]
        counts = torch.zeros(logits.shape, dtype=torch.long, device=logits.device)
        seen = counts.scatter_add_(1, ids, mask) > 0  # pads are no one's tokens
        rows = [_Row(key, TextStream(self.tokenizer, request.on_text), int(m.sum()))
                for (key, request), m in zip(requests, mask, strict=True)]
        self._join(rows, cache, mask, seen)
        return self._choose(logits, first=len(self.rows) - len(rows))

    def drop(self, keys: Collection[Hashable]) -> None:
        """Stop decoding these rows (their learners are gone)."""
        for row in self.rows:
            if row.key in keys:
                row.error = row.error or RuntimeError("the answer was abandoned")
        self._leave()

    def _prefill(self, requests: Sequence[tuple[Hashable, GenerationRequest]]
                 ) -> tuple[torch.Tensor, DynamicCache, torch.Tensor, torch.Tensor]:
        device = self.model.device
        prompts = [self.prompt_text(request.messages) for _, request in requests]
        inputs = self.tokenizer(prompts, return_tensors="pt", padding=True,
                                padding_side="left", add_special_tokens=False)
        ids, mask = inputs["input_ids"].to(device), inputs["attention_mask"].to(device)
        positions = (mask.cumsum(-1) - 1).clamp(min=0)
        cache = _growing_cache(self.model)
        logits = self.model(input_ids=ids, attention_mask=mask, position_ids=positions,
                            use_cache=True, logits_to_keep=1,
                            **{self._cache_argument: cache}).logits[:, -1, :]
        return logits.float(), cache, ids, mask

    @torch.inference_mode()
    def step(self) -> list[tuple[Hashable, str | Exception]]:
        """One token for every row; the rows that finished leave the batch."""
        if not self.rows:
            return []
        assert self._cache is not None
        device = self.model.device
        tokens = torch.tensor([[row.next_token] for row in self.rows], device=device)
        positions = torch.tensor([[row.position] for row in self.rows], device=device)
        self._mask = torch.cat([self._mask, self._mask.new_ones((len(self.rows), 1))], 1)
        logits = self.model(input_ids=tokens, attention_mask=self._mask,
                            position_ids=positions, use_cache=True,
                            **{self._cache_argument: self._cache}).logits[:, -1, :].float()
        for row in self.rows:
            row.position += 1
        return self._choose(logits, first=0)

    def _choose(self, logits: torch.Tensor, first: int) -> list[tuple[Hashable, str | Exception]]:
        """Greedy next tokens for rows[first:], which `logits` holds in order."""
        seen = self._seen[first:]
        penalty = self.config.repetition_penalty
        if penalty != 1.0:  # as transformers' RepetitionPenaltyLogitsProcessor
            logits = torch.where(seen, torch.where(logits < 0, logits * penalty,
                                                   logits / penalty), logits)
        chosen = logits.argmax(-1)
        seen.scatter_(1, chosen.unsqueeze(1), True)
        for row, token in zip(self.rows[first:], chosen.tolist(), strict=True):
            row.next_token = token
            if token in self.stop_ids:
                row.next_token = -1
                continue
            row.new_tokens += 1
            try:
                row.stream.push(token)
            except Exception as error:  # this learner's listener alone failed
                row.error = error
        return self._leave()

    def _leave(self) -> list[tuple[Hashable, str | Exception]]:
        ended = [row.error is not None or row.next_token == -1
                 or row.new_tokens >= self.config.max_new_tokens for row in self.rows]
        if not any(ended):
            return []
        results: list[tuple[Hashable, str | Exception]] = []
        for row, done in zip(self.rows, ended, strict=True):
            if done:
                results.append((row.key, row.error or self._finish(row)))
        keep = [i for i, done in enumerate(ended) if not done]
        self.rows = [self.rows[i] for i in keep]
        if not keep:
            self.clear()
            return results
        assert self._cache is not None
        index = torch.tensor(keep, device=self._mask.device)
        self._mask, self._seen = self._mask[index], self._seen[index]
        self._cache.batch_select_indices(index)
        self._cut_padding()
        return results

    def _finish(self, row: _Row) -> str | Exception:
        try:
            row.stream.finish()
        except Exception as error:
            return error
        return row.stream.text()

    def _join(self, rows: list[_Row], cache: DynamicCache, mask: torch.Tensor,
              seen: torch.Tensor) -> None:
        """Stack newly prefilled rows under the running ones, left-padding the shorter
        side's cache so every row's last column lines up."""
        if self._cache is None:
            self._cache, self._mask, self._seen = cache, mask, seen
        else:
            width = max(self._mask.shape[1], mask.shape[1])
            for running, new in zip(_layers(self._cache), _layers(cache),
                                    strict=True):
                running.replace(torch.cat([_pad_left(running.keys, width),
                                           _pad_left(new.keys, width)]),
                                torch.cat([_pad_left(running.values, width),
                                           _pad_left(new.values, width)]))
            self._mask = torch.cat([_pad_left(self._mask, width), _pad_left(mask, width)])
            self._seen = torch.cat([self._seen, seen])
        self.rows.extend(rows)

    def _cut_padding(self) -> None:
        """Drop the leading columns no remaining row attends to."""
        real = self._mask.any(0)
        start = int(real.int().argmax()) if bool(real.any()) else 0
        if start and self._cache is not None:
            self._mask = self._mask[:, start:]
            for layer in _layers(self._cache):
                layer.replace(layer.keys[..., start:, :], layer.values[..., start:, :])



def _generation_stops(model: PreTrainedModel) -> set[int]:
    """The end-of-turn ids the model's generation config names (Phi-3's <|end|>,
    Llama 3.1's <|eom_id|>): `generate` stops on them too."""
    ids = getattr(getattr(model, "generation_config", None), "eos_token_id", None)
    if ids is None:
        return set()
    return {int(i) for i in (ids if isinstance(ids, list | tuple) else [ids])}


def _layers(cache: DynamicCache) -> list[_GrowingLayer]:
    return cache.layers  # type: ignore[return-value]  (made by _growing_cache)


def _pad_left(tensor: torch.Tensor, width: int) -> torch.Tensor:
    """`tensor` with zero columns added on the left of its sequence axis (the last
    but one for a cache's [rows, heads, columns, dims], the last for a mask)."""
    axis = -2 if tensor.dim() == 4 else -1
    missing = width - tensor.shape[axis]
    if missing <= 0:
        return tensor
    shape = list(tensor.shape)
    shape[axis] = missing
    return torch.cat([tensor.new_zeros(shape), tensor], dim=axis)


def decode_all(decoder: ContinuousDecoder, requests: Sequence[GenerationRequest]
               ) -> list[str | Exception]:
    """Run `requests` as one batch to the end: what `Generator.generate` promises.
    Not while a DecodingWorker drives the same decoder: their rows would mix."""
    if len(decoder):
        raise RuntimeError("the decoder is busy: submit through the model's worker")
    results: dict[Hashable, str | Exception] = dict(decoder.admit(list(enumerate(requests))))
    while len(decoder):
        results.update(decoder.step())
    return [results[i] for i in range(len(requests))]
