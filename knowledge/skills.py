"""A course's skill map: what there is to learn, in the order the material teaches it.

Derived from the material's own structure, so a trainer gets one without writing
anything: each document's top sections are its skills (a document without
sections is one skill), and within a document each skill builds on the one
before. A trainer renames, merges and chains skills with a `skills.yaml` (or
`.json`) placed with the material:

    skills:
      - name: Fire extinguishers                    # the skill as learners see it
        sections: [Fire extinguisher types, Using an extinguisher]  # merged into it
        prerequisites: [Raising the alarm]          # replaces the default chain
      - name: Raising the alarm
        prerequisites: []

`sections` names derived skills (as `tutorbot skills` lists them); without it the
entry names one derived skill. Skills the file does not mention keep their
derived name and prerequisites. Skills are a property of the material, so they
live beside it in knowledge/; learners' mastery of them lives in tutor/.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from knowledge.translation import gettext as _

SPEC_NAMES = ("skills.yaml", "skills.yml", "skills.json")


@dataclass(frozen=True)
class SkillDraft:
    name: str
    prerequisites: tuple[str, ...] = ()


@dataclass(frozen=True)
class SkillMap:
    skills: list[SkillDraft]  # in the order the material teaches them
    of_section: dict[str, str]  # derived skill name -> the skill it belongs to


class SpecError(ValueError):
    """A skills file that cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class SpecEntry:
    name: str
    sections: tuple[str, ...]
    prerequisites: tuple[str, ...] | None  # None: keep the default chain
    line: int  # where the entry starts, for messages


@dataclass
class Spec:
    file: str
    entries: list[SpecEntry] = field(default_factory=list)


def section_of(heading: str, title: str) -> str:
    """The top section a chunk sits in: the first part of its heading path under the
    document's title, without a leading section number; "" for text before any
    section.

    >>> section_of("Fire Safety > Exits > Doors", "Fire Safety")
    'Exits'
    >>> section_of("Forklifts > 2. Daily pre-use checks", "Forklifts")
    'Daily pre-use checks'
    >>> section_of("Chapter 3: Choosing a distribution", "Debian faq")
    'Chapter 3: Choosing a distribution'
    >>> section_of("First aid", "First aid")
    ''
    """
    parts = [part.strip() for part in heading.split(" > ") if part.strip()]
    if parts and parts[0] == title:
        parts = parts[1:]
    if not parts:
        return ""
    return re.sub(r"^\d+(?:\.\d+)*\.?\s+(?=\S)", "", parts[0])


def _sections(title: str, headings: Sequence[str]) -> list[str]:
    """Each chunk's section; text before the first section (an introduction) goes
    with the first one, and a document without sections is one, named by its title."""
    found = [section_of(heading, title) for heading in headings]
    first = next((section for section in found if section), title)
    return [section or first for section in found]


def derive_skills(documents: Sequence[tuple[str, Sequence[str]]]) -> list[SkillDraft]:
    """Skills from (document title, its chunks' heading paths in reading order), in
    course order; each skill's prerequisite is the skill before it in its document.
    A section name that two documents share is qualified by the document's title.

    >>> docs = [("Fire", ["Fire", "Fire > Alarm", "Fire > Exits"]),
    ...         ("Aid", ["Aid > Burns", "Aid > Exits"]), ("Ladders", ["", ""])]
    >>> [(s.name, s.prerequisites) for s in derive_skills(docs)]
    [('Alarm', ()), ('Fire: Exits', ('Alarm',)), ('Burns', ()), ('Aid: Exits', ('Burns',)), \
('Ladders', ())]
    """
    skills: list[SkillDraft] = []
    for names in (list(dict.fromkeys(row)) for row in qualified_sections(documents)):
        skills.extend(SkillDraft(name, (names[i - 1],) if i else ())
                      for i, name in enumerate(names))
    return skills


def qualified_sections(documents: Sequence[tuple[str, Sequence[str]]]) -> list[list[str]]:
    """For each document, the skill of each of its chunks: its section, qualified by
    the document's title where another document has a section of that name.

    >>> qualified_sections([("Fire", ["Fire > Exits"]), ("Aid", ["Aid", "Aid > Exits"])])
    [['Fire: Exits'], ['Aid: Exits', 'Aid: Exits']]
    """
    rows = [(title, _sections(title, headings)) for title, headings in documents]
    owners: dict[str, set[str]] = {}
    for title, sections in rows:
        for section in sections:
            owners.setdefault(section, set()).add(title)
    return [[section if len(owners[section]) == 1 or section == title else f"{title}: {section}"
             for section in sections] for title, sections in rows]


def apply_spec(derived: list[SkillDraft], spec: Spec | None) -> tuple[SkillMap, list[str]]:
    """The trainer's renames, merges and prerequisites over the derived skills, and a
    message for each entry that could not be applied (the rest still apply).

    >>> derived = [SkillDraft("Alarm"), SkillDraft("Exits", ("Alarm",)), SkillDraft("Burns")]
    >>> spec = Spec("skills.yaml", [SpecEntry("Leaving", ("Alarm", "Exits"), None, 2),
    ...                             SpecEntry("Burns", (), ("Leaving",), 4)])
    >>> skill_map, problems = apply_spec(derived, spec)
    >>> [(s.name, s.prerequisites) for s in skill_map.skills], problems
    ([('Leaving', ()), ('Burns', ('Leaving',))], [])
    """
    of_section = {skill.name: skill.name for skill in derived}
    prerequisites = {skill.name: skill.prerequisites for skill in derived}
    problems: list[str] = []
    entries, file = (spec.entries, spec.file) if spec else ([], "")
    for index, entry in enumerate(entries):
        sections = entry.sections or (entry.name,)
        unknown = [s for s in sections if s not in prerequisites]
        if unknown:
            problems.append(_("%(where)s: no skill named %(names)s in the material") % {
                "where": _where(file, entry.line, index),
                "names": ", ".join(repr(u) for u in unknown)})
            continue
        for section in sections:
            of_section[section] = entry.name
    # Each final skill, in the order of its first section; prerequisites renamed.
    order = list(dict.fromkeys(of_section[skill.name] for skill in derived))
    chosen = {name: tuple(dict.fromkeys(
        of_section[p] for s in derived if of_section[s.name] == name
        for p in prerequisites[s.name] if of_section[p] != name)) for name in order}
    for index, entry in enumerate(entries):
        if entry.prerequisites is None or entry.name not in chosen:
            continue
        unknown = [p for p in entry.prerequisites if p not in chosen]
        if unknown:
            problems.append(_("%(where)s: prerequisite %(names)s is not a skill") % {
                "where": _where(file, entry.line, index),
                "names": ", ".join(repr(u) for u in unknown)})
            continue
        chosen[entry.name] = tuple(p for p in entry.prerequisites if p != entry.name)
    skills = [SkillDraft(name, chosen[name]) for name in order]
    return SkillMap(skills, of_section), problems


def carried_over(old: dict[int, str], moves: Iterable[tuple[int | None, str]],
                 new: Sequence[str]) -> dict[str, int]:
    """Which old skill (by id) each skill of the new map continues, so that a skill
    renamed keeps its id and with it its learners' mastery, attempts and questions.
    `old` is the map before (id -> name), `moves` each passage's skill before (None
    for a new passage) and after, `new` the new map's names. A name kept keeps its
    skill; a new name continues the old skill, among those whose names are gone,
    that most of its passages come from (a section qualified by its document's title
    once another document shares it; a skills.yaml rename; a merge takes the largest).

    >>> old = {1: "Evacuation", 2: "Burns"}
    >>> moves = [(1, "Fire: Evacuation"), (1, "Fire: Evacuation"), (2, "Burns"),
    ...          (None, "Aid: Evacuation")]
    >>> carried_over(old, moves, ["Fire: Evacuation", "Burns", "Aid: Evacuation"])
    {'Burns': 2, 'Fire: Evacuation': 1}
    """
    names = set(new)
    carried = {name: skill for skill, name in old.items() if name in names}
    gone = {skill for skill, name in old.items() if name not in names}
    votes = Counter((after, before) for before, after in moves
                    if before in gone and after not in carried)
    taken: set[int] = set()
    for after, before in sorted(votes, key=lambda pair: (-votes[pair], pair[1])):
        if after not in carried and before not in taken:
            carried[after] = before
            taken.add(before)
    return carried


def parse_spec(text: str, file: str) -> Spec:
    """A skills file (YAML or JSON): {"skills": [{"name", "sections"?, "prerequisites"?}]}.
    Raises SpecError naming the file and the line of the first problem.

    >>> parse_spec("skills:\\n  - name: Exits\\n    prerequisites: [Alarm]\\n", "s.yaml").entries
    [SpecEntry(name='Exits', sections=(), prerequisites=('Alarm',), line=2)]
    >>> parse_spec("skills:\\n  - name: Exits\\n  prerequisites: [Alarm]\\n", "s.yaml")
    Traceback (most recent call last):
    ...
    knowledge.skills.SpecError: s.yaml line 3: not valid YAML (expected <block end>, but found '?')
    """
    if file.endswith(".json"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise SpecError(_("%(where)s: not valid JSON (%(problem)s)") % {
                "where": _line(file, error.lineno), "problem": error.msg}) from None
        return _entries(data, file, lambda _index: 0)
    import yaml

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = _line(file, mark.line + 1) if mark is not None else file
        # The YAML reader's own words: they go untranslated.
        problem = getattr(error, "problem", None) or "unreadable"
        raise SpecError(_("%(where)s: not valid YAML (%(problem)s)") % {
            "where": where, "problem": problem}) from None
    lines: list[int] = []
    if root is not None and isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if key.value == "skills" and isinstance(value, yaml.SequenceNode):
                lines = [item.start_mark.line + 1 for item in value.value]
    return _entries(data, file, lambda index: lines[index] if index < len(lines) else 0)


def _where(file: str, line: int, index: int) -> str:
    """Where a skills-file entry is, for messages: its line, or (JSON) its number."""
    if line:
        return _line(file, line)
    return _("%(file)s, skill %(n)d") % {"file": file, "n": index + 1}


def _line(file: str, line: int) -> str:
    return _("%(file)s line %(line)d") % {"file": file, "line": line}


def _entries(data: object, file: str, line_of: Callable[[int], int]) -> Spec:
    def where(index: int) -> str:
        return _where(file, line_of(index), index)

    if not isinstance(data, dict) or not isinstance(data.get("skills"), list):
        raise SpecError(_("%(where)s: expected a 'skills:' list") % {"where": _line(file, 1)})
    spec = Spec(file)
    for index, item in enumerate(data["skills"]):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not (
                item["name"].strip()):
            raise SpecError(_("%(where)s: each skill needs a 'name'") % {"where": where(index)})
        for key in ("sections", "prerequisites"):
            value = item.get(key)
            if value is not None and not (isinstance(value, list)
                                          and all(isinstance(v, str) for v in value)):
                raise SpecError(_("%(where)s: '%(key)s' must be a list of names") % {
                    "where": where(index), "key": key})
        unknown = set(item) - {"name", "sections", "prerequisites"}
        if unknown:
            raise SpecError(_("%(where)s: unknown key %(keys)s") % {
                "where": where(index), "keys": ", ".join(sorted(unknown))})
        prerequisites = item.get("prerequisites")
        spec.entries.append(SpecEntry(
            item["name"].strip(), tuple(item.get("sections") or ()),
            tuple(prerequisites) if prerequisites is not None else None,
            line_of(index)))
    return spec
