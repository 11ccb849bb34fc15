"""A small directorate world for report tests (used by dirrequest tests; reusable).

DITBINMAS (directorate) with POLRES_A, POLRES_B (personnel carry role ditbinmas) and
POLRES_EMPTY (child without personnel). Today = 2026-11-25 WIB.
Instagram today: P1 (00:00:00), P2 (23:59:59); PY yesterday 23:59:59, PT tomorrow 00:00, PX removed.
TikTok today: V1, V2.
"""

from __future__ import annotations

from tests.support.factories import Factory, wib

TODAY_NOON = wib(2026, 11, 25, 14, 5)


async def build_world(pool):
    f = Factory(pool)
    await f.client("DITBINMAS", type="direktorat", name="DIREKTORAT BINMAS", instagram="ditbinmas.jatim",
                   tiktok="ditbinmas.jatim")
    await f.client("DITLANTAS", type="direktorat", name="DIREKTORAT LANTAS")
    await f.client("POLRES_A", name="POLRES A", parent_id="DITBINMAS")
    await f.client("POLRES_B", name="POLRES B", parent_id="DITBINMAS")
    await f.client("POLRES_EMPTY", name="POLRES KOSONG", parent_id="DITBINMAS")
    r = ["ditbinmas"]
    await f.person("1", client_id="DITBINMAS", name="BUDI", rank="BRIPDA", division="SUBDIT BINPOLMAS",
                   instagram="budi", tiktok="budi.tt", roles=r)
    await f.person("2", client_id="DITBINMAS", name="ANI", rank="AKBP", division="SUBDIT BINPOLMAS",
                   position="KASUBDIT BINPOLMAS", instagram="ani", tiktok="ani.tt", roles=r)
    await f.person("3", client_id="DITBINMAS", name="CICI", rank="IPTU", division="BAG OPS",
                   instagram="cici", tiktok="cici.tt", roles=r)
    await f.person("4", client_id="DITBINMAS", name="DODI", rank="BRIPKA", division="BAG OPS", roles=r)
    await f.person("5", client_id="DITBINMAS", name="EXCEP", rank="AIPTU", division="BAG OPS",
                   instagram="excep", tiktok="excep.tt", exception=True, roles=r)
    await f.person("6", client_id="POLRES_A", name="FAJAR", rank="AKP", division="SAT BINMAS",
                   position="KASAT BINMAS", instagram="fajar", tiktok="fajar.tt", roles=r)
    await f.person("7", client_id="POLRES_B", name="GITA", rank="BRIPTU", division="SAT BINMAS",
                   instagram="gita", tiktok="gita.tt", roles=r)
    await f.person("8", client_id="POLRES_B", name="HADI", rank="BRIPDA", division="SAT BINMAS",
                   instagram="hadi", tiktok="hadi.tt", roles=r)
    await f.ig_post("P1", client_id="DITBINMAS", posted_at=wib(2026, 11, 25, 0, 0, 0))
    await f.ig_post("P2", client_id="DITBINMAS", posted_at=wib(2026, 11, 25, 23, 59, 59))
    await f.ig_post("PX", client_id="DITBINMAS", posted_at=wib(2026, 11, 25, 10), removed=True)
    await f.ig_post("PY", client_id="DITBINMAS", posted_at=wib(2026, 11, 24, 23, 59, 59))
    await f.ig_post("PT", client_id="DITBINMAS", posted_at=wib(2026, 11, 26, 0, 0, 0))
    await f.likes("P1", ["budi", "ani", "fajar", "gita", "stranger"])
    await f.likes("P2", ["ani", "cici", "fajar"])
    await f.likes("PX", ["budi", "hadi"])
    await f.likes("PY", ["budi", "hadi"])
    await f.likes("PT", ["hadi"])
    await f.tt_post("V1", client_id="DITBINMAS", posted_at=wib(2026, 11, 25, 8))
    await f.tt_post("V2", client_id="DITBINMAS", posted_at=wib(2026, 11, 25, 16))
    await f.comments("V1", ["budi.tt", "fajar.tt", "gita.tt", "hadi.tt"])
    await f.comments("V2", ["fajar.tt"])
    return f
