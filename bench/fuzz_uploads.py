"""Fuzzing the conversion and chunking boundary with hypothesis: the sample course's
PDF, Word, PowerPoint, HTML and Markdown files, mutated (bytes flipped, cut,
repeated or inserted; inside a Word or PowerPoint file, its XML parts mutated and
zipped again; markup spliced into the text ones). Every input must end in chunks or
in one ConversionError: any other exception, a hang past the conversion limit or a
dead process is a failure that hypothesis shrinks and prints.

`make test` runs a bounded number of examples (tests/knowledge/test_fuzz_uploads.py);
this runs longer:

    python -m bench.fuzz_uploads [--examples 2000]
"""

from __future__ import annotations

import argparse
import io
import json
import tempfile
import time
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knowledge.convert import ConversionError, to_markdown
from knowledge.ingest import chunk_document
from knowledge.isolated import ConversionLimits
from knowledge.normalize import source_kind

SAMPLE = Path(__file__).resolve().parents[1] / "knowledge" / "sample_course"
FILES = {path.suffix: path.read_bytes() for path in sorted(SAMPLE.iterdir())
         if path.suffix in (".pdf", ".docx", ".pptx", ".html", ".md")}
RESULTS = Path(__file__).resolve().parent / "results" / "fuzz-uploads.json"
LIMITS = ConversionLimits(timeout_s=30, memory_mb=1024)
MAX_BYTES = 25_000_000
SPLICES = [b"<table><tr><td>", b"```", b"\n# ", b"<!--", b"\x00", b"\xff\xfe", b"</div>" * 50,
           "\u202e\u00e9\U0001f525".encode(), b"<script>alert(1)</script>", b"\r\n\r\n",
           b"| a | b |\n|---|---|\n", b"%PDF-1.7\n", b"endstream", b"<w:p>", b"]]>"]


class TokenCounter:
    """What chunking needs of an embedder: whitespace tokens stand in for a model's."""

    max_tokens = 256

    @staticmethod
    def count_tokens(texts: list[str]) -> list[int]:
        return [len(text.split()) for text in texts]


def mutated(data: bytes, edits: list[tuple[int, int, int, bytes]]) -> bytes:
    """`data` after each edit (kind, position, length, bytes): 0 flips bytes, 1 cuts,
    2 repeats a stretch, 3 inserts, 4 truncates."""
    out = bytearray(data)
    for kind, at, length, extra in edits:
        if not out:
            break
        at %= len(out)
        if kind == 0:
            for offset in range(at, min(at + length, len(out))):
                out[offset] ^= 0xFF
        elif kind == 1:
            del out[at:at + length]
        elif kind == 2:
            out[at:at] = out[at:at + length] * 3
        elif kind == 3:
            out[at:at] = extra
        else:
            del out[at:]
    return bytes(out)


def mutated_archive(data: bytes, edits: list[tuple[int, int, int, bytes]], part: int) -> bytes:
    """A Word or PowerPoint file with one of its XML parts mutated, zipped again."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = [(item.filename, archive.read(item)) for item in archive.infolist()]
    xml = [number for number, (name, _) in enumerate(parts) if name.endswith(".xml")]
    chosen = xml[part % len(xml)]
    parts[chosen] = (parts[chosen][0], mutated(parts[chosen][1], edits))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in parts:
            archive.writestr(name, body)
    return out.getvalue()


edits_strategy = st.lists(st.tuples(
    st.integers(0, 4), st.integers(0, 10**7), st.integers(1, 4096),
    st.one_of(st.sampled_from(SPLICES), st.binary(min_size=1, max_size=64))),
    min_size=1, max_size=6)
inputs = st.tuples(st.sampled_from(sorted(FILES)), edits_strategy, st.booleans(),
                   st.integers(0, 50))


def outcome(suffix: str, edits: list, inside: bool, part: int, folder: Path) -> str:
    """"chunks" or "refused"; anything else raises, which is the failure."""
    original = FILES[suffix]
    data = (mutated_archive(original, edits, part) if inside and suffix in (".docx", ".pptx")
            else mutated(original, edits))
    path = folder / f"fuzzed{suffix}"
    path.write_bytes(data)
    try:
        text = to_markdown(path, max_bytes=MAX_BYTES, limits=LIMITS)
    except ConversionError as error:
        assert str(error).strip() and "\n" not in str(error), repr(str(error))
        return "refused"
    chunk_document(text, source_kind(suffix), path.name, TokenCounter())  # type: ignore[arg-type]
    return "chunks"


def fuzz(examples: int, *, derandomize: bool) -> dict[str, int]:
    """Run `examples` mutated files through (the same ones each run when
    `derandomize`); the count of each format's outcomes."""
    counts: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="tutorbot-fuzz-") as folder:

        @settings(max_examples=examples, deadline=None, derandomize=derandomize,
                  suppress_health_check=list(HealthCheck), database=None)
        @given(inputs)
        def run(example: tuple) -> None:
            suffix, edits, inside, part = example
            result = outcome(suffix, edits, inside, part, Path(folder))
            counts[f"{suffix} {result}"] = counts.get(f"{suffix} {result}", 0) + 1

        run()
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--examples", type=int, default=2000)
    args = parser.parse_args()
    start = time.perf_counter()
    counts = fuzz(args.examples, derandomize=False)  # new inputs each run
    seconds = time.perf_counter() - start
    result = {"examples": args.examples, "seconds": round(seconds, 1),
              "outcomes": dict(sorted(counts.items())), "failures": 0}
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
