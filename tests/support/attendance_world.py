"""A generated directorate world for cross-report checks (seeded, so every run is the same world).

DITBINMAS (directorate, its own staff) with satker POLRES_SATU … POLRES_TIGA
(personnel carrying the `ditbinmas` role) and POLRES_KOSONG (no personnel).
Today = 2026-11-25 WIB: 3 Instagram and 2 TikTok posts of DITBINMAS (plus a
removed one and a satker's own post, which are no task of the directorate);
NO_POSTS_DAY has no posts at all.

Planted on purpose: people without one or both usernames, an exception person
with an Instagram but no TikTok username (`EXCEPTION_IG_ONLY`), an exception
person without any username, inactive people who engaged (`INACTIVE`), people
without a division, satker staff without the role (not counted by the
directorate), and one long spelling of each senior rank.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from db.personnel import Personnel
from tests.support.factories import Factory, wib

NOW = wib(2026, 11, 25, 14, 5)
NO_POSTS_DAY = wib(2026, 11, 20, 14, 5)
DIRECTORATE = "DITBINMAS"
DIRECTORATE_NAME = "DIREKTORAT BINMAS"
SATKER = {"POLRES_SATU": "POLRES SATU", "POLRES_DUA": "POLRES DUA", "POLRES_TIGA": "POLRES TIGA"}
EMPTY_SATKER = ("POLRES_KOSONG", "POLRES KOSONG")
EXCEPTION_IG_ONLY = "IPTU PENGECUALIAN"
RANKS = ["KOMISARIS BESAR POLISI", "KOMBES", "AKBP", "AJUN KOMISARIS POLISI", "KOMPOL", "IPTU", "IPDA", "AIPTU",
         "BRIPKA", "BRIGADIR", "BRIPTU", "BRIPDA", "PENATA MUDA", "PPPK"]
DIVISIONS = ["BAG OPS", "SAT BINMAS", "SUBDIT BINPOLMAS", "SIE HUMAS", None]
POSITIONS = ["DIRBINMAS", "WADIR", "KASUBDIT", "KABAG", "KASAT BINMAS", "KANIT", "BANIT", None, None, None]


@dataclass
class GeneratedWorld:
    people: list[Personnel] = field(default_factory=list)
    inactive: list[str] = field(default_factory=list)      # display names that must appear nowhere

    def display(self, p: Personnel) -> str:
        return f"{p.rank} {p.name}" if p.rank else p.name


async def build_generated_world(pool, seed: int = 13) -> GeneratedWorld:
    rnd = random.Random(seed)
    f = Factory(pool)
    await f.client(DIRECTORATE, type="direktorat", name=DIRECTORATE_NAME, instagram="ditbinmas", tiktok="ditbinmas")
    for cid, name in [*SATKER.items(), EMPTY_SATKER]:
        await f.client(cid, name=name, parent_id=DIRECTORATE)
    world = GeneratedWorld()
    n = 0

    def person(client_id: str, *, roles=("ditbinmas",), **kw) -> Personnel:
        nonlocal n
        n += 1
        kw.setdefault("rank", rnd.choice(RANKS))
        kw.setdefault("division", rnd.choice(DIVISIONS))
        kw.setdefault("position", rnd.choice(POSITIONS))
        if "instagram" not in kw:
            kw["instagram"] = None if rnd.random() < 0.15 else f"ig.{n:03d}"
        if "tiktok" not in kw:
            kw["tiktok"] = None if rnd.random() < 0.2 else f"tt.{n:03d}"
        p = Personnel(nrp=f"{80000000 + n}", name=kw.pop("name", f"PERS {n:03d}"), client_id=client_id,
                      roles=list(roles), **kw)
        world.people.append(p)
        return p

    for _ in range(12):
        person(DIRECTORATE)
    person(DIRECTORATE, name="PENGECUALIAN", rank="IPTU", instagram="ig.excep", tiktok=None, exception=True)
    person(DIRECTORATE, name="TANPA AKUN", rank="BRIPDA", instagram=None, tiktok=None, exception=True)
    for cid in SATKER:
        for _ in range(rnd.randint(8, 14)):
            person(cid)
        person(cid, roles=())                                  # satker staff outside the directorate's role
    person("POLRES_SATU", name="PENGECUALIAN DUA", rank="AKP", exception=True)
    for cid in (DIRECTORATE, "POLRES_DUA"):
        p = person(cid, name=f"NONAKTIF {cid}", active=False, instagram=f"ig.off.{cid.lower()}",
                   tiktok=f"tt.off.{cid.lower()}")
        world.inactive.append(world.display(p))
    await f.people(world.people)

    posts = {"instagram": [f"IG{i}" for i in range(1, 4)], "tiktok": [f"73000000000000{i:04d}" for i in range(1, 3)]}
    for i, sc in enumerate(posts["instagram"]):
        await f.ig_post(sc, client_id=DIRECTORATE, posted_at=wib(2026, 11, 25, 7 + 3 * i))
    for i, vid in enumerate(posts["tiktok"]):
        await f.tt_post(vid, client_id=DIRECTORATE, posted_at=wib(2026, 11, 25, 8 + 4 * i))
    await f.ig_post("IGREMOVED", client_id=DIRECTORATE, posted_at=wib(2026, 11, 25, 9), removed=True)
    await f.ig_post("IGSATKER", client_id="POLRES_SATU", posted_at=wib(2026, 11, 25, 10))
    for platform, ids in posts.items():
        for post_id in [*ids, *(["IGREMOVED", "IGSATKER"] if platform == "instagram" else [])]:
            names = [getattr(p, platform) for p in world.people if getattr(p, platform) and rnd.random() < 0.6]
            await f.engagements(platform, post_id, [*names, f"warga.{post_id.lower()}"])
    return world
