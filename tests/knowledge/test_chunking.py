import itertools

from knowledge.chunking import chunk_markdown, split_blocks


def words(texts: list[str]) -> list[int]:
    return [len(t.split()) for t in texts]


def test_heading_path_follows_nesting() -> None:
    md = "# Fire\nA.\n## Exits\nB.\n### Doors\nC.\n## Alarms\nD.\n# Spills\nE."
    assert [b.heading for b in split_blocks(md)] == [
        "Fire", "Fire > Exits", "Fire > Exits > Doors", "Fire > Alarms", "Spills",
    ]


def test_pdf_pages_and_slides_are_kept() -> None:
    pdf = "Page one text.\fPage two text.\n\nMore on two.\fPage three."
    assert [b.page for b in split_blocks(pdf)] == [1, 2, 2, 3]
    slides = ("<!-- Slide number: 1 -->\n# Labels\nRead them.\n"
              "<!-- Slide number: 2 -->\n# Storage\nLock it.")
    assert [(b.page, b.heading) for b in split_blocks(slides)] == [(1, "Labels"), (2, "Storage")]
    assert split_blocks("No pages here.")[0].page is None


def test_chunks_respect_the_token_limit_including_heading() -> None:
    paragraph = " ".join(f"Sentence number {i} is here." for i in range(40))
    chunks = chunk_markdown(f"# Long section\n{paragraph}", words, max_tokens=30, overlap_tokens=6)
    assert len(chunks) > 5
    assert all(len(c.embedding_text().split()) <= 30 for c in chunks)
    # Overlap: each chunk starts with the last sentence of the one before.
    for previous, current in itertools.pairwise(chunks):
        assert current.text.split(". ")[0] in previous.text


def test_chunks_never_span_sections_and_words_split_when_needed() -> None:
    md = "# A\nshort.\n# B\n" + "word " * 100
    chunks = chunk_markdown(md, words, max_tokens=20, overlap_tokens=0)
    assert chunks[0].text == "short." and chunks[0].heading == "A"
    assert all(c.heading == "B" for c in chunks[1:])
    assert sum(len(c.text.split()) for c in chunks[1:]) == 100


def test_code_blocks_are_not_read_as_headings() -> None:
    md = "# Real\n```\n# not a heading\n```\nAfter."
    assert {b.heading for b in split_blocks(md)} == {"Real"}


def test_a_lead_in_moves_to_the_chunk_of_the_list_it_introduces() -> None:
    md = ("# Checks\nDrive slowly. Sound the horn at corners.\n\n"
          "Before each shift check the following:\n\n- Tyres for cuts\n- Forks for cracks")
    chunks = chunk_markdown(md, words, max_tokens=16, overlap_tokens=4)
    assert [c.text for c in chunks] == [
        "Drive slowly. Sound the horn at corners.",
        "Before each shift check the following:\n\n- Tyres for cuts\n- Forks for cracks",
    ]
