"""The report directory: the people of a scope, grouped per satker and division and in person order.

What a recap shows of a person but does not count — name, rank, division, position, client, username,
exception — changes only when personnel or clients are written, while the counts change with every
collection run. So the engine arranges the people once (`arrange_directory`) and, on the application's
pool, keeps the arrangement between recaps for as long as `directory_version` is the version it was read
at (`db/directory_cache.py`); a recap then reads only the ledger's counts and the tasks.

Groups are per (client, division as shown): two stored spellings of a division are one group. Within a
group the people are in `definitions.person_order` (position keyword, rank, name, NRP), which does not
depend on the counts; the groups themselves are ordered per report, by performance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple, Sequence
from uuid import UUID

from db.attendance import ClientName
from handlers.reports.attendance.definitions import division_name, person_order


class Person(NamedTuple):
    """What the directory holds of one person on one platform (the engine adds the counts)."""

    nrp: str
    name: str                  # upper-cased, as shown and ordered
    rank: str | None
    division: str              # as shown (`definitions.division_name`)
    position: str | None
    client_id: str
    client_name: str
    username: str | None       # the platform's username, None when empty
    exception: bool
    order: int                 # position keyword and rank (definitions.person_order)


class Group(NamedTuple):
    client_id: str
    division: str
    members: tuple[Person, ...]    # in person order
    nrps: tuple[str, ...]          # the members' NRPs, in the same order


@dataclass(frozen=True)
class Directory:
    version: UUID | None           # the directory_version it was read at (None: not from a snapshot)
    clients: dict[str, ClientName]  # every client by id
    groups: tuple[Group, ...]      # in the order their first person was read
    size: int                      # people
    # the engine's last division of each group (by index), with the counts and rules it was made from: a
    # recap whose counts and rules are the same takes it instead of making it again (engine._GroupCounter)
    last_divisions: dict[int, tuple] = field(default_factory=dict, compare=False, repr=False)


def _by_person_order(person: Person) -> tuple:
    return person.order, person.name, person.nrp


def arrange_directory(person_rows: Sequence[Sequence], clients: dict[str, ClientName],
                      version: UUID | None = None) -> Directory:
    """Group and order the population's rows (`db.attendance.PersonRow` order)."""
    orders: dict[tuple, int] = {}
    ranks: dict[str, str] = {}           # one string object per distinct rank (a kept directory is smaller)
    groups: dict[tuple[str, str], list[Person]] = {}
    by_raw: dict[tuple[str, str | None], tuple] = {}   # (client, division as stored): one lookup per person
    new_person = tuple.__new__
    for nrp, name, rank, raw_division, position, client_id, exception, username in person_rows:
        group = by_raw.get((client_id, raw_division))
        if group is None:
            division = division_name(raw_division)
            group = by_raw[(client_id, raw_division)] = (groups.setdefault((client_id, division), []), division,
                                                         _client_name(clients, client_id))
        members, division, client_name = group
        order = orders.get((position, rank))
        if order is None:
            pos, rank_no = person_order(position, rank, "")[:2]
            order = orders[(position, rank)] = pos * 1000 + rank_no
        if rank is not None:
            rank = ranks.setdefault(rank, rank)
        members.append(new_person(Person, (nrp, name.upper(), rank, division, position, client_id, client_name,
                                           username, exception, order)))
    arranged = []
    for (client_id, division), members in groups.items():
        members.sort(key=_by_person_order)
        arranged.append(Group(client_id, division, tuple(members), tuple(p.nrp for p in members)))
    return Directory(version=version, clients=clients, groups=tuple(arranged), size=len(person_rows))


def _client_name(clients: dict[str, ClientName], client_id: str) -> str:
    known = clients.get(client_id)
    return known.name if known else client_id
