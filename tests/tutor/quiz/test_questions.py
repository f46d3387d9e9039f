"""Questions from the text itself, and the checks that keep a wrong one from any
learner: worked examples of each way a question can be wrong."""

from tutor.quiz.generate import SourcePassage, generate
from tutor.quiz.validate import option_key, shared_pairs, validate

PASSAGES = [
    SourcePassage(1, "Eyes", "Flush the eye with clean water for at least 15 minutes. "
                  "Then remove any contact lenses."),
    SourcePassage(2, "Reports", "Submit the incident report within 24 hours of the event. "
                  "A 24-hour deadline also applies to near misses."),
    SourcePassage(3, "Burns", "Cool the burn under running water for 20 minutes. "
                  "Cover it loosely with cling film for 10 minutes of transport."),
    SourcePassage(4, "Signs", "A red tag on the steering wheel means the truck must not be used. "
                  "A green light at the dock means the trailer restraint is locked."),
]


def kept() -> list:
    questions, _ = validate(generate(PASSAGES), {p.chunk_id: p.text for p in PASSAGES})
    return questions


def test_every_question_tests_a_fact_its_sentence_states() -> None:
    questions = kept()
    assert questions
    for question in questions:
        source = next(p.text for p in PASSAGES if p.chunk_id == question.chunk_id)
        assert question.sentence in source and question.fact in question.sentence
        if question.kind == "choice":
            assert question.answer in question.options and len(set(question.options)) == 4


def test_no_wrong_option_says_what_the_material_says() -> None:
    for question in kept():
        assert all(option_key(w) != option_key(question.fact) for w in question.wrong)
        assert not (question.fact == "24 hours" and "24-hour" in question.wrong)


def test_a_wrong_quantity_that_satisfies_the_bound_never_reaches_learners() -> None:
    for question in kept():
        if "at least 15 minutes" in question.sentence:
            assert "20 minutes" not in question.wrong


def test_a_sentence_that_leans_on_the_one_before_is_no_question() -> None:
    assert not [q for q in kept() if q.sentence.startswith("Then")]



ROLES = [
    SourcePassage(11, "Reporting", "Report every near miss to your Team Leader at once. "
                  "Spills are reported to the Shift Manager on duty today."),
    SourcePassage(12, "Investigations", "Serious events are investigated by the Health and "
                  "Safety Adviser within two days. The Fire Warden checks every exit weekly."),
    SourcePassage(13, "Out of hours", "At night, report every near miss to the Shift Manager "
                  "at once."),
]


def test_roles_are_facts_and_no_wrong_role_is_true_elsewhere_in_the_course() -> None:
    drafts = generate(ROLES)
    questions, _ = validate(drafts, {p.chunk_id: p.text for p in ROLES})
    about_team_leader = [q for q in drafts if q.fact == "Team Leader"]
    assert about_team_leader
    for question in about_team_leader:
        # Another page says near misses go to the Shift Manager at night: never a wrong option.
        assert "Shift Manager" not in question.wrong
    adviser = [q for q in questions if q.fact == "Health and Safety Adviser"]
    assert adviser and all("Team Leader" in q.wrong or q.kind != "choice" for q in adviser)
    for question in questions:
        assert question.answer in question.options or question.kind == "short"


def test_near_duplicates_read_words_as_the_word_regex_does() -> None:
    """The shares of word pairs, tokenised fast, are those of `re.findall(r"\\w+")`
    on every kind of text a stem may hold: punctuation glued to words, blanks, other
    scripts, digits of other systems, odd spaces and separators."""
    import itertools
    import re

    from tutor.quiz.generate import BLANK

    def pairs(text: str) -> set[tuple[str, str]]:
        return set(itertools.pairwise(re.findall(r"\w+", text.lower().replace(BLANK, " "))))

    stems = ["Cool a burn for _____ under water.", "Cool a BURN for 20 minutes!",
             "", "a_____b c", "a______b c", "x_y z x_y z", "Ça va? ÇA VA!", "İstanbul is big",
             "ΣΑΣ σας", "①② and ٣٤ and 12", "a\u00a0b\u2028c\x00d", "tab\tand\nnew line",
             "word—word\u2013word", "don't can't", "e.g. i.e. etc.", "日本語 の 文", "a-b a-b a-b"]
    for stem in stems:
        mine = pairs(stem)
        expected = [len(mine & pairs(other)) / max(1, len(mine)) for other in stems]
        assert shared_pairs(stem, stems) == expected, stem
