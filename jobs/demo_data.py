"""A realistic, deterministic demo world for `cicero demo`.

Three clients (one directorate and two Polres), about 300 personnel with
Indonesian ranks, divisions and positions (some without usernames, a few
exception personnel), and a day of Instagram/TikTok posts with likers and
commenters drawn from those personnel. Nothing here touches the network or the
database; `cicero demo` writes the clients and personnel and feeds the posts to
the fake RapidAPI.
"""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from db.clients import Client
from db.personnel import Personnel
from db.profiles import Profile
from core.clock import JAKARTA

DEMO_ADMIN_PHONE = "6281100000001"
RANKS = ["AKBP", "KOMPOL", "AKP", "IPTU", "IPDA", "AIPTU", "AIPDA", "BRIPKA", "BRIGPOL", "BRIPTU", "BRIPDA"]
RANK_WEIGHTS = [1, 2, 4, 6, 8, 10, 12, 18, 20, 14, 10]
FIRST_NAMES = [
    "AGUS", "BUDI", "DEDI", "EKO", "FAJAR", "HENDRA", "IWAN", "JOKO", "RIZKY", "SURYA", "TEGUH", "WAHYU",
    "ANDI", "BAMBANG", "DIMAS", "GALIH", "HARIS", "IMAM", "RUDI", "YOGA", "SITI", "DEWI", "RATNA", "PUTRI",
    "NURUL", "INDAH", "LESTARI", "MAYA", "FITRI", "ANISA",
]
LAST_NAMES = [
    "SANTOSO", "PRASETYO", "WIBOWO", "SAPUTRA", "HIDAYAT", "KURNIAWAN", "SETIAWAN", "NUGROHO", "PURNOMO",
    "SUSANTO", "RAHMAN", "HARTONO", "GUNAWAN", "SUHARTO", "WIJAYA", "LESMANA", "PERMANA", "FIRMANSYAH",
]
POLRES_DIVISIONS = ["BAG OPS", "BAG SDM", "SAT BINMAS", "SAT LANTAS", "SAT RESKRIM", "SAT INTELKAM",
                    "SAT SAMAPTA", "SIE HUMAS", "SPKT", "POLSEK KOTA"]
DIREKTORAT_DIVISIONS = ["SUBDIT BINPOLMAS", "SUBDIT BHABINKAMTIBMAS", "SUBDIT SATPAMPOLSUS", "BAGBINOPSNAL"]
CAPTIONS = [
    "Sambang warga dan sosialisasi kamtibmas bersama tokoh masyarakat",
    "Patroli dialogis menjelang akhir pekan, jaga keamanan lingkungan",
    "Bhabinkamtibmas hadir di posyandu, mendampingi kegiatan warga",
    "Imbauan tertib berlalu lintas untuk pelajar di sekitar sekolah",
    "Jumat Curhat: mendengar keluhan warga secara langsung",
    "Pengamanan ibadah dan kegiatan masyarakat berjalan aman",
    "Bakti sosial pembagian sembako untuk warga kurang mampu",
    "Sosialisasi bahaya narkoba kepada generasi muda",
]


@dataclass(frozen=True)
class DemoPost:
    platform: str          # instagram | tiktok
    client_id: str
    post_id: str           # shortcode or video id
    caption: str
    posted_at: datetime    # aware, Asia/Jakarta
    engaged: list[str]     # usernames that liked (IG) or commented (TikTok)
    like_count: int
    comment_count: int


@dataclass(frozen=True)
class DemoProfile:
    """An account's figures as a collection cycle would store them (db/profiles.py), one per day."""

    client_id: str
    platform: str
    day: date
    profile: Profile
    fetched_at: datetime


@dataclass
class DemoWorld:
    clients: list[Client]
    personnel: list[Personnel]
    posts: list[DemoPost] = field(default_factory=list)
    profiles: list[DemoProfile] = field(default_factory=list)
    admin_phone: str = DEMO_ADMIN_PHONE

    def posts_of(self, client_id: str, platform: str) -> list[DemoPost]:
        return [p for p in self.posts if p.client_id == client_id and p.platform == platform]


def demo_clients() -> list[Client]:
    return [
        Client(id="DITBINMAS", name="Direktorat Binmas Polda Jatim", type="direktorat",
               instagram="ditbinmas.jatim", tiktok="ditbinmas.jatim", group_ids=["120363000000000001@g.us"],
               operator_phone="6281100000010", super_phones=["6281100000011"], regional_id="JATIM"),
        Client(id="POLRES_BLITAR", name="Polres Blitar", type="org", instagram="polresblitar",
               tiktok="polresblitar", group_ids=["120363000000000002@g.us"], operator_phone="6281100000020",
               regional_id="JATIM", parent_id="DITBINMAS"),
        Client(id="POLRES_MALANG", name="Polres Malang", type="org", instagram="polresmalang",
               tiktok="polresmalang", group_ids=["120363000000000003@g.us"], operator_phone="6281100000030",
               regional_id="JATIM", parent_id="DITBINMAS"),
    ]


def _position(rnd: random.Random, division: str, rank: str, is_head: bool) -> str:
    if is_head:
        if division.startswith("SAT "):
            return "KASAT " + division[4:]
        if division.startswith("BAG "):
            return "KABAG " + division[4:]
        if division.startswith("SUBDIT"):
            return "KASUBDIT " + division[7:]
        return "KA" + division
    if rank in ("IPTU", "IPDA", "AKP"):
        return "KANIT " + rnd.choice(["1", "2", "3"])
    return rnd.choice(["BANIT", "BAMIN", "BHABINKAMTIBMAS", "ANGGOTA"])


def demo_personnel(clients: list[Client], rnd: random.Random) -> list[Personnel]:
    people: list[Personnel] = []
    counts = {"DITBINMAS": 60, "POLRES_BLITAR": 120, "POLRES_MALANG": 120}
    nrp = 75010000
    for client in clients:
        divisions = DIREKTORAT_DIVISIONS if client.type == "direktorat" else POLRES_DIVISIONS
        heads: set[str] = set()
        for i in range(counts.get(client.id, 50)):
            nrp += rnd.randint(1, 37)
            division = divisions[i % len(divisions)]
            rank = rnd.choices(RANKS, RANK_WEIGHTS)[0]
            is_head = division not in heads and rank in ("AKBP", "KOMPOL", "AKP")
            if is_head:
                heads.add(division)
            name = f"{rnd.choice(FIRST_NAMES)} {rnd.choice(LAST_NAMES)}"
            handle = f"{name.split()[0].lower()}.{name.split()[1].lower()}{nrp % 100000}"
            people.append(Personnel(
                nrp=str(nrp), name=name, client_id=client.id, rank=rank, division=division,
                position=_position(rnd, division, rank, is_head),
                instagram=None if rnd.random() < 0.08 else handle,
                tiktok=None if rnd.random() < 0.12 else f"{handle}_tt",
                whatsapp=f"62812{nrp % 10**8:08d}",
                exception=False,
                roles=["ditbinmas"],
            ))
    for person in rnd.sample(people, 4):
        person.exception = True
    return people


def demo_posts(clients: list[Client], personnel: list[Personnel], day: date, rnd: random.Random,
               *, since: time = time(6, 0), until: time = time(23, 0)) -> list[DemoPost]:
    """Posts of `day` between `since` and `until` WIB, with engagement from most personnel."""
    posts: list[DemoPost] = []
    start = datetime.combine(day, since, tzinfo=JAKARTA)
    end = datetime.combine(day, until, tzinfo=JAKARTA)
    span = max(int((end - start).total_seconds()), 60)
    for client in clients:
        staff = [p for p in personnel if p.client_id == client.id or client.type == "direktorat"]
        diligence = {p.nrp: rnd.random() for p in staff}
        for platform, n in (("instagram", rnd.randint(3, 5)), ("tiktok", rnd.randint(2, 3))):
            for k in range(n):
                jitter = min(600, span // (2 * n))
                posted = start + timedelta(seconds=int(span * (k + 0.5) / n) + rnd.randint(-jitter, jitter))
                handles = [
                    (p.instagram if platform == "instagram" else p.tiktok) for p in staff
                    if diligence[p.nrp] > 0.25 and rnd.random() < 0.55 + diligence[p.nrp] * 0.4
                ]
                engaged = sorted({h for h in handles if h} | {f"warga{rnd.randint(1, 9999)}" for _ in range(25)})
                ident = f"{client.id.split('_')[-1][:4]}{day:%m%d}{platform[0]}{k}".upper()
                posts.append(DemoPost(
                    platform=platform, client_id=client.id,
                    post_id=ident if platform == "instagram" else str(7_300_000_000_000_000_000 + zlib.crc32(ident.encode())),
                    caption=f"{rnd.choice(CAPTIONS)} #{client.id.lower().replace('_', '')}",
                    posted_at=posted, engaged=engaged,
                    like_count=len(engaged) + rnd.randint(50, 900),
                    comment_count=(len(engaged) if platform == "tiktok" else rnd.randint(5, 80)),
                ))
    return posts


def demo_profiles(clients: list[Client], day: date, rnd: random.Random, *, days: int = 7) -> list[DemoProfile]:
    """A week of account figures per client and platform, growing a little every day (the home and post pages)."""
    out = []
    for client in clients:
        for platform, handle in (("instagram", client.instagram), ("tiktok", client.tiktok)):
            if not handle:
                continue
            followers, following, posts = rnd.randint(8_000, 60_000), rnd.randint(50, 600), rnd.randint(300, 2_500)
            for back in range(days - 1, -1, -1):
                when = day - timedelta(days=back)
                grown = followers - back * rnd.randint(5, 40)
                out.append(DemoProfile(client.id, platform, when, Profile(
                    handle, client.name, followers=grown, following=following, post_count=posts - back,
                    bio=f"Akun resmi {client.name}. Melayani dengan sepenuh hati.", avatar_url=None,
                ), datetime.combine(when, time(6, 5), tzinfo=JAKARTA)))
    return out


def build_demo_world(day: date, *, seed: int = 2026, since: time = time(6, 0), until: time = time(23, 0)) -> DemoWorld:
    rnd = random.Random(seed)
    clients = demo_clients()
    personnel = demo_personnel(clients, rnd)
    posts = demo_posts(clients, personnel, day, rnd, since=since, until=until)
    return DemoWorld(clients=clients, personnel=personnel, posts=posts,
                     profiles=demo_profiles(clients, day, random.Random(seed + 1)))
