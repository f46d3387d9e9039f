"""Skill edits as skills-file edits: each edit writes the file that makes the edited
map, a file `parse_spec` reads back to the very same map."""

from __future__ import annotations

import pytest

from knowledge.skill_edits import EditableMap, SkillEditError
from knowledge.skills import SkillDraft, apply_spec, derive_skills, parse_spec

OUTLINE = [("Fire safety", ["Fire safety", "Fire safety > Raising the alarm",
                            "Fire safety > Extinguishers", "Fire safety > Evacuation"]),
           ("First aid", ["First aid > Burns", "First aid > Evacuation", "First aid > Bleeding"])]
DERIVED = derive_skills(OUTLINE)
SPECS = [
    "",
    "skills:\n  - name: Fire response\n    sections: [Raising the alarm, Extinguishers]\n",
    "skills:\n  - name: Burns\n    prerequisites: ['Fire safety: Evacuation']\n"
    "  - name: Ladders\n    sections: [Ladder safety]\n    prerequisites: [Burns]\n",
    '{"skills": [{"name": "Leaving", "sections": ["Fire safety: Evacuation", '
    '"First aid: Evacuation"], "prerequisites": []}]}',
]


def editable(text: str, file: str = "skills.yaml") -> EditableMap:
    return EditableMap.of(DERIVED, parse_spec(text, file) if text else None)


def the_map(m: EditableMap, file: str = "skills.yaml") -> list[tuple[str, tuple[str, ...]]]:
    """The map that the file `m` writes makes, read back as an ingest reads it."""
    skill_map, _ = apply_spec(DERIVED, parse_spec(m.text(file), file))
    return [(s.name, s.prerequisites) for s in skill_map.skills]


def as_listed(m: EditableMap) -> list[tuple[str, tuple[str, ...]]]:
    return [(e.name, e.prerequisites) for e in m.entries]


@pytest.mark.parametrize("text", SPECS)
def test_the_file_written_makes_the_map_it_was_read_from(text: str) -> None:
    file = "skills.json" if text.startswith("{") else "skills.yaml"
    before = editable(text, file)
    skill_map, _ = apply_spec(DERIVED, parse_spec(text, file) if text else None)
    assert as_listed(before) == [(s.name, s.prerequisites) for s in skill_map.skills]
    assert the_map(before, file) == as_listed(before)
    for edited in (before.rename(before.names[0], "First things"),
                   before.merge(before.names[-1], before.names[-2]),
                   before.chain(before.names[-1], [before.names[0]])):
        assert the_map(edited, file) == as_listed(edited)


def test_rename_keeps_sections_and_renames_what_needs_it() -> None:
    edited = editable(SPECS[1]).rename("Fire response", "Responding to fire")
    assert as_listed(edited)[:2] == [("Responding to fire", ()),
                                     ("Fire safety: Evacuation", ("Responding to fire",))]
    assert edited.entry("Responding to fire").sections == ("Raising the alarm", "Extinguishers")
    assert parse_spec(edited.text(), "skills.yaml").entries[0].sections == (
        "Raising the alarm", "Extinguishers")


def test_an_entry_for_absent_material_is_kept_and_follows_a_rename() -> None:
    edited = editable(SPECS[2]).rename("Burns", "Treating burns")
    entries = parse_spec(edited.text(), "skills.yaml").entries
    ladders = next(e for e in entries if e.name == "Ladders")
    assert ladders.sections == ("Ladder safety",) and ladders.prerequisites == ("Treating burns",)
    assert edited.entry("Treating burns").prerequisites == ("Fire safety: Evacuation",)


def test_renaming_back_leaves_nothing_to_say() -> None:
    m = editable("").rename("Burns", "Scalds").rename("Scalds", "Burns")
    assert parse_spec(m.text(), "skills.yaml").entries == []


@pytest.mark.parametrize(("new", "why"), [
    ("  ", "A skill needs a name."),
    ("Bleeding", "There is already a skill named 'Bleeding': merge the two instead"),
    ("Burns", "The skill is already called 'Burns'."),
    ("x" * 121, "at most 120 characters"),
])
def test_a_rename_is_refused_with_its_reason(new: str, why: str) -> None:
    with pytest.raises(SkillEditError, match=why.replace("(", r"\(")):
        editable("").rename("Burns", new)


def test_merge_joins_sections_and_what_needed_either_needs_the_merged_skill() -> None:
    edited = editable("").merge("First aid: Evacuation", "Burns")
    assert edited.entry("Burns").sections == ("Burns", "First aid: Evacuation")
    assert ("Bleeding", ("Burns",)) in as_listed(edited)  # it needed the skill merged
    assert "First aid: Evacuation" not in edited.names
    text = edited.text()
    assert parse_spec(text, "skills.yaml").entries[0].sections == (
        "Burns", "First aid: Evacuation")


def test_a_merge_that_would_make_a_loop_is_refused() -> None:
    # Bleeding needs First aid: Evacuation, which needs Burns: Burns cannot take Bleeding.
    with pytest.raises(SkillEditError, match="'Burns' needs 'First aid: Evacuation', which "
                                             "needs 'Burns'"):
        editable("").merge("Bleeding", "Burns")


def test_chain_sets_prerequisites_in_teaching_order_and_refuses_a_loop() -> None:
    m = editable("").chain("Burns", ["Extinguishers", "Raising the alarm"])
    assert m.entry("Burns").prerequisites == ("Raising the alarm", "Extinguishers")
    with pytest.raises(SkillEditError) as refused:
        m.chain("Raising the alarm", ["Bleeding"])
    assert str(refused.value).startswith(
        "That would make a loop: 'Raising the alarm' needs 'Bleeding', which needs 'First aid: "
        "Evacuation', which needs 'Burns', which needs 'Raising the alarm'.")
    with pytest.raises(SkillEditError, match="cannot need itself"):
        m.chain("Burns", ["Burns"])
    with pytest.raises(SkillEditError, match="no skill named 'Ladders'"):
        m.chain("Burns", ["Ladders"])


def test_the_material_s_order_again() -> None:
    m = editable("").chain("Extinguishers", [])
    assert m.entry("Extinguishers").prerequisites == () and m.entry("Extinguishers").chosen
    again = m.chain("Extinguishers", None)
    assert again.entry("Extinguishers").prerequisites == ("Raising the alarm",)
    assert parse_spec(again.text(), "skills.yaml").entries == []


def test_json_files_stay_json() -> None:
    m = editable(SPECS[3], "skills.json").rename("Burns", "Scalds: first steps")
    assert m.text("skills.json").startswith('{\n  "skills": [')
    assert ("Scalds: first steps", ()) in the_map(m, "skills.json")


def test_a_skill_cannot_merge_into_itself() -> None:
    m = EditableMap.of([SkillDraft("Only")], None)
    with pytest.raises(SkillEditError, match="Choose two different skills"):
        m.merge("Only", "Only")
