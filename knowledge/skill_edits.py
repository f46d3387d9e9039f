"""Editing a course's skill map as a trainer edits `skills.yaml`: rename, merge and
chain skills. An edit turns the map as it stands into a new skills file, with the
structure `parse_spec` reads, and `apply_spec` turns that file into the edited map:
an edit made in the console and the same edit written into skills.yaml and ingested
give one map, and the file is what is kept (knowledge/skills.py says what it means).

The file written holds one entry per skill that differs from the material's own
map (a new name, sections merged, prerequisites chosen), in teaching order, after
the entries of the old file that name material the course does not have now: those
are kept as they were (a removed document may come back), and the console's entries,
coming later, win where both name one section.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace

from knowledge.errors import TutorError
from knowledge.skills import SkillDraft, Spec, SpecEntry, apply_spec
from knowledge.translation import gettext as _

MAX_NAME = 120  # a skill's name is a label in menus, buttons and the /progress chart
HEADER = ("# The course's skill map, as edited in the tutorbot console. Keep it with the\n"
          "# material: `tutorbot ingest` of a folder with a skills file applies that file.\n")


class SkillEditError(TutorError):
    """An edit refused, with the reason (safe to show a trainer)."""


@dataclass(frozen=True)
class Entry:
    """One skill of the edited map."""

    name: str
    sections: tuple[str, ...]  # the derived skills it is made of, in teaching order
    prerequisites: tuple[str, ...]  # as the map has them now
    chosen: bool  # prerequisites set by the trainer; else the material's order


@dataclass(frozen=True)
class EditableMap:
    derived: tuple[SkillDraft, ...]  # the material's own map
    entries: tuple[Entry, ...]  # the skills as they are, in teaching order
    dormant: tuple[SpecEntry, ...] = ()  # the file's entries that name absent material

    @classmethod
    def of(cls, derived: Sequence[SkillDraft], spec: Spec | None) -> EditableMap:
        """The map that `spec` makes of the derived skills.

        >>> derived = [SkillDraft("Alarm"), SkillDraft("Exits", ("Alarm",))]
        >>> spec = Spec("skills.yaml", [SpecEntry("Leaving", ("Exits",), None, 2),
        ...                             SpecEntry("Ladders", ("Steps",), (), 4)])
        >>> m = EditableMap.of(derived, spec)
        >>> [(e.name, e.sections, e.prerequisites) for e in m.entries], len(m.dormant)
        ([('Alarm', ('Alarm',), ()), ('Leaving', ('Exits',), ('Alarm',))], 1)
        """
        skill_map, _ = apply_spec(list(derived), spec)
        known = {skill.name for skill in derived}
        finals = {skill.name for skill in skill_map.skills}
        entries = spec.entries if spec else []
        dormant = tuple(e for e in entries if not set(e.sections or (e.name,)) <= known)
        chosen = {e.name for e in entries if e not in dormant and e.prerequisites is not None
                  and e.name in finals and set(e.prerequisites) <= finals}
        return cls(tuple(derived), tuple(
            Entry(skill.name, tuple(s.name for s in derived
                                    if skill_map.of_section[s.name] == skill.name),
                  skill.prerequisites, skill.name in chosen)
            for skill in skill_map.skills), dormant)

    @property
    def names(self) -> list[str]:
        return [entry.name for entry in self.entries]

    def entry(self, name: str) -> Entry:
        found = next((e for e in self.entries if e.name == name), None)
        if found is None:
            raise SkillEditError(_("There is no skill named '%(name)s' in this course.") % {
                "name": name})
        return found

    def spec(self, file: str = "skills.yaml") -> Spec:
        """The skills file that makes this map (`text` writes it)."""
        written = [SpecEntry(e.name, e.sections if e.sections != (e.name,) else (),
                             e.prerequisites if e.chosen else None, 0)
                   for e in self.entries if e.chosen or e.sections != (e.name,)]
        return Spec(file, [*self.dormant, *written])

    def text(self, file: str = "skills.yaml") -> str:
        """The skills file as stored and as a trainer downloads it: YAML, or JSON for
        a `.json` file, with the structure `parse_spec` reads.

        >>> m = EditableMap.of([SkillDraft("Alarm"), SkillDraft("Exits", ("Alarm",))], None)
        >>> print(m.rename("Exits", "Leaving: the building").text(), end="")
        # The course's skill map, as edited in the tutorbot console. Keep it with the
        # material: `tutorbot ingest` of a folder with a skills file applies that file.
        skills:
        - name: 'Leaving: the building'
          sections: [Exits]
        """
        data = {"skills": [_as_dict(entry) for entry in self.spec(file).entries]}
        if file.endswith(".json"):
            return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        import yaml

        return HEADER + yaml.safe_dump(data, sort_keys=False, allow_unicode=True,
                                       default_flow_style=None, width=100)

    # ---- the edits: each returns the edited map, or raises SkillEditError ----------

    def rename(self, old: str, new: str) -> EditableMap:
        """`old` called `new`: its learners, questions and passages stay with it.

        >>> m = EditableMap.of([SkillDraft("Alarm"), SkillDraft("Exits", ("Alarm",))], None)
        >>> [(e.name, e.prerequisites) for e in m.rename("Alarm", "Alarms").entries]
        [('Alarms', ()), ('Exits', ('Alarms',))]
        """
        self.entry(old)
        new = valid_name(new)
        if new == old:
            raise SkillEditError(_("The skill is already called '%(name)s'.") % {"name": old})
        if new in self.names:
            raise SkillEditError(_("There is already a skill named '%(name)s': merge the "
                                   "two instead, or choose another name.") % {"name": new})
        return self._settled([replace(e, name=new if e.name == old else e.name,
                                      prerequisites=_renamed(e.prerequisites, old, new))
                              for e in self.entries], old, new)

    def merge(self, source: str, into: str) -> EditableMap:
        """`source` becomes part of `into`: its sections (so its passages and questions)
        go to `into`, which keeps its name; what needed either needs the merged skill.

        >>> m = EditableMap.of([SkillDraft("A"), SkillDraft("B", ("A",)),
        ...                     SkillDraft("C", ("B",))], None)
        >>> [(e.name, e.sections, e.prerequisites) for e in m.merge("B", "A").entries]
        [('A', ('A', 'B'), ()), ('C', ('C',), ('A',))]
        >>> m.merge("C", "A")
        Traceback (most recent call last):
        ...
        knowledge.skill_edits.SkillEditError: That would make a loop: 'A' needs 'B', \
which needs 'A'. A skill cannot need itself, even through other skills.
        """
        gone, kept = self.entry(source), self.entry(into)
        if source == into:
            raise SkillEditError(_("Choose two different skills to merge."))
        order = {s.name: i for i, s in enumerate(self.derived)}
        merged = replace(
            kept, sections=tuple(sorted({*kept.sections, *gone.sections}, key=order.__getitem__)),
            prerequisites=tuple(p for p in dict.fromkeys((*kept.prerequisites,
                                                          *gone.prerequisites))
                                if p not in (source, into)),
            chosen=kept.chosen or gone.chosen)
        entries = [merged if e.name == into else replace(e, prerequisites=tuple(
            dict.fromkeys(_renamed(e.prerequisites, source, into)))) for e in self.entries
            if e.name != source]
        return self._settled(entries, source, into)._without_loop(into)

    def chain(self, skill: str, prerequisites: Sequence[str] | None) -> EditableMap:
        """`skill` needs `prerequisites`, or, with None, what the material's order gives.

        >>> m = EditableMap.of([SkillDraft("A"), SkillDraft("B", ("A",))], None)
        >>> [(e.name, e.prerequisites, e.chosen) for e in m.chain("A", []).entries]
        [('A', (), True), ('B', ('A',), False)]
        >>> m.chain("A", ["B"])
        Traceback (most recent call last):
        ...
        knowledge.skill_edits.SkillEditError: That would make a loop: 'A' needs 'B', \
which needs 'A'. A skill cannot need itself, even through other skills.
        """
        self.entry(skill)
        if prerequisites is not None:
            for name in prerequisites:
                self.entry(name)
            if skill in prerequisites:
                raise SkillEditError(_("'%(name)s' cannot need itself.") % {"name": skill})
        needs = tuple(name for name in self.names if name in (prerequisites or ()))
        entries = [replace(e, prerequisites=needs, chosen=prerequisites is not None)
                   if e.name == skill else e for e in self.entries]
        return self._settled(entries)._without_loop(skill)

    def _settled(self, entries: list[Entry], old: str = "", new: str = "") -> EditableMap:
        """The map that the file of `entries` makes (prerequisites in the material's order
        worked out again), with the kept entries' prerequisites renamed `old` to `new`."""
        dormant = tuple(replace(e, prerequisites=_renamed(e.prerequisites, old, new))
                        if old and e.prerequisites is not None else e for e in self.dormant)
        edited = replace(self, entries=tuple(entries), dormant=dormant)
        return EditableMap.of(self.derived, edited.spec())

    def _without_loop(self, name: str) -> EditableMap:
        loop = loop_through({e.name: e.prerequisites for e in self.entries}, name)
        if loop:
            steps = f"'{loop[1]}'"
            for step in loop[2:]:
                steps = _("%(steps)s, which needs '%(name)s'") % {"steps": steps, "name": step}
            raise SkillEditError(_("That would make a loop: '%(name)s' needs %(steps)s. A skill "
                                   "cannot need itself, even through other skills.") % {
                "name": loop[0], "steps": steps})
        return self


def valid_name(name: str) -> str:
    """A skill's name as stored: spaces collapsed.

    >>> valid_name("  Fire   response ")
    'Fire response'
    """
    name = " ".join(name.split())
    if not name:
        raise SkillEditError(_("A skill needs a name."))
    if len(name) > MAX_NAME:
        raise SkillEditError(_("A skill's name has at most %(n)d characters.") % {
            "n": MAX_NAME})
    return name


def loop_through(prerequisites: dict[str, Sequence[str]], name: str) -> list[str]:
    """The shortest chain of prerequisites from `name` back to itself ([] if none).

    >>> loop_through({"A": ["B"], "B": ["C"], "C": ["A"], "D": []}, "A")
    ['A', 'B', 'C', 'A']
    >>> loop_through({"A": ["B"], "B": []}, "A")
    []
    """
    came_from: dict[str, str] = {}
    frontier = [name]
    while frontier:
        following = []
        for skill in frontier:
            for needed in prerequisites.get(skill, ()):
                if needed == name:
                    path = [skill]
                    while path[-1] != name:
                        path.append(came_from[path[-1]])
                    return [name, *reversed(path[:-1]), name]
                if needed not in came_from:
                    came_from[needed] = skill
                    following.append(needed)
        frontier = following
    return []


def _renamed(names: tuple[str, ...], old: str, new: str) -> tuple[str, ...]:
    return tuple(new if name == old else name for name in names)


def _as_dict(entry: SpecEntry) -> dict[str, object]:
    item: dict[str, object] = {"name": entry.name}
    if entry.sections:
        item["sections"] = list(entry.sections)
    if entry.prerequisites is not None:
        item["prerequisites"] = list(entry.prerequisites)
    return item
