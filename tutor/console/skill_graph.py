"""Where the skill map's graph puts each skill: a layered drawing, left to right, each
skill one column right of its deepest prerequisite, so what comes first is on the
left. Pure layout: the page draws it as SVG (templates/_skill_graph.html), with the
table of the same skills as its numbers.

Within a column a skill takes the row of its first prerequisite where that is free
(a chain of sections stays on one line), else the next free row below it; skills
that need nothing stack from the top in teaching order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

NODE_W, NODE_H = 184, 46  # a skill's box
GAP_X, GAP_Y = 44, 16
MARGIN = 8
LINE_CHARS = 24  # of a 12 px label in NODE_W, with its number
LINES = 2


@dataclass(frozen=True)
class Node:
    index: int  # into the skills given
    x: int
    y: int
    number: str  # its place in teaching order, from 1: the label's first word
    lines: tuple[str, ...]  # the number and name, wrapped


@dataclass(frozen=True)
class Edge:
    path: str  # SVG path data, from the prerequisite to the skill that needs it
    source: int
    target: int


@dataclass(frozen=True)
class Graph:
    width: int
    height: int
    nodes: list[Node]
    edges: list[Edge]


def depths(needs: Sequence[Sequence[int]]) -> list[int]:
    """Each skill's column: 0 without prerequisites, else one more than its deepest
    prerequisite's. A loop (a skills file can make one) is cut where it closes.

    >>> depths([[], [0], [1], [], [0, 2]])
    [0, 1, 2, 0, 3]
    >>> depths([[1], [0]])  # a loop: the first skill in teaching order goes first
    [0, 1]
    """
    count = len(needs)
    dependents: list[list[int]] = [[] for _ in range(count)]
    waiting = [0] * count
    for skill, prerequisites in enumerate(needs):
        for needed in set(prerequisites):
            dependents[needed].append(skill)
            waiting[skill] += 1
    depth = [0] * count
    done = [False] * count
    ready = [skill for skill in range(count) if not waiting[skill]]
    while True:
        while ready:
            skill = ready.pop(0)
            done[skill] = True
            for later in dependents[skill]:
                depth[later] = max(depth[later], depth[skill] + 1)
                waiting[later] -= 1
                if not waiting[later]:
                    ready.append(later)
        stuck = [skill for skill in range(count) if not done[skill]]
        if not stuck:
            return depth
        # In a loop: the first of them goes as if its unplaced prerequisites were not.
        first = stuck[0]
        waiting[first] = 0
        ready.append(first)
        for needed in needs[first]:
            if not done[needed] and first in dependents[needed]:
                dependents[needed].remove(first)


def rows(needs: Sequence[Sequence[int]], depth: Sequence[int]) -> list[int]:
    """Each skill's row within its column.

    >>> rows([[], [0], [], [2], [1]], [0, 1, 0, 1, 2])
    [0, 0, 1, 1, 0]
    >>> rows([[], [], [0, 1]], [0, 0, 1])  # first free row at or below the first's
    [0, 1, 0]
    """
    row = [0] * len(needs)
    taken: set[tuple[int, int]] = set()
    for column in range(max(depth, default=-1) + 1):
        placed = [s for s in range(len(needs)) if depth[s] == column]
        wanted = {s: min((row[p] for p in needs[s] if depth[p] < column), default=0)
                  for s in placed}
        for skill in sorted(placed, key=lambda s: (wanted[s], s)):
            free = wanted[skill]
            while (column, free) in taken:
                free += 1
            row[skill] = free
            taken.add((column, free))
    return row


def wrapped(name: str, width: int = LINE_CHARS, lines: int = LINES) -> tuple[str, ...]:
    """A label in at most `lines` lines of `width` characters, cut with an ellipsis.

    >>> wrapped("Using an extinguisher: the PASS technique")
    ('Using an extinguisher:', 'the PASS technique')
    >>> wrapped("Serious injuries and dangerous occurrences at work", 20)
    ('Serious injuries and', 'dangerous occurrenc…')
    """
    out: list[str] = []
    words = name.split()
    while words and len(out) < lines:
        line = words.pop(0)
        while words and len(line) + 1 + len(words[0]) <= width:
            line += " " + words.pop(0)
        out.append(line)
    if words:  # more than fits: the last line takes the rest, cut
        out[-1] += " " + " ".join(words)
    return tuple(line if len(line) <= width else line[:width - 1].rstrip() + "…"
                 for line in out)


def layout(names: Sequence[str], needs: Sequence[Sequence[int]]) -> Graph:
    """The drawing of skills `names` (in teaching order), each needing the skills at
    the indices `needs` gives."""
    depth = depths(needs)
    row = rows(needs, depth)
    nodes = [Node(i, MARGIN + depth[i] * (NODE_W + GAP_X), MARGIN + row[i] * (NODE_H + GAP_Y),
                  str(i + 1), wrapped(f"{i + 1} {name}")) for i, name in enumerate(names)]
    edges = []
    for target, prerequisites in enumerate(needs):
        for source in dict.fromkeys(prerequisites):
            a, b = nodes[source], nodes[target]
            x1, y1 = a.x + NODE_W, a.y + NODE_H // 2
            x2, y2 = b.x - 2, b.y + NODE_H // 2  # the arrowhead ends at the box
            bend = max(GAP_X // 2, abs(x2 - x1) // 2)
            edges.append(Edge(f"M{x1},{y1} C{x1 + bend},{y1} {x2 - bend},{y2} {x2},{y2}",
                              source, target))
    width = MARGIN * 2 + (max(depth, default=0) + 1) * (NODE_W + GAP_X) - GAP_X
    height = MARGIN * 2 + (max(row, default=0) + 1) * (NODE_H + GAP_Y) - GAP_Y
    return Graph(width, height, nodes, edges)
