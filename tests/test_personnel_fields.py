"""What a person may type for a username, per platform: names, @names and profile links in; the rest out."""

from __future__ import annotations

import pytest

from core.formats import FormatError
from handlers.personnel.fields import parse_nrp, parse_phone, parse_rank, parse_username, yes_or_no
from handlers.reports.attendance import Platform

IG, TT = Platform.INSTAGRAM, Platform.TIKTOK


@pytest.mark.parametrize("platform, typed, stored", [
    (IG, "Budi.Santoso", "budi.santoso"),
    (IG, "@budi_santoso", "budi_santoso"),
    (IG, "https://www.instagram.com/budi.santoso/?igsh=abc", "budi.santoso"),
    (IG, "instagram.com/budi", "budi"),
    (IG, "m.instagram.com/budi/", "budi"),
    (TT, "https://www.tiktok.com/@budi.tt?lang=id", "budi.tt"),
    (TT, "tiktok.com/@Budi_TT", "budi_tt"),
    (TT, "@budi.tt", "budi.tt"),
])
def test_accepted(platform, typed, stored):
    assert parse_username(platform, typed) == stored


@pytest.mark.parametrize("platform, typed, why", [
    (IG, "", "kosong"),
    (IG, "budi santoso", "spasi"),
    (IG, ".budi", "tidak valid"),
    (IG, "budi.", "tidak valid"),
    (IG, "bu..di", "tidak valid"),
    (IG, "a" * 31, "tidak valid"),
    (IG, "budi-santoso", "tidak valid"),
    (IG, "https://www.instagram.com/p/ABC123/", "tautan konten"),
    (IG, "https://www.instagram.com/reel/ABC123/", "tautan konten"),
    (IG, "tiktok.com/@budi", "tautan TikTok, bukan Instagram"),
    (IG, "https://example.com/budi", "bukan tautan profil Instagram"),
    (TT, "b", "tidak valid"),
    (TT, "a" * 25, "tidak valid"),
    (TT, "budi.", "tidak valid"),
    (TT, "tiktok.com/budi", "bukan tautan profil TikTok"),
    (TT, "https://www.tiktok.com/@budi/video/7000000000000000001", "bukan tautan profil TikTok"),
    (TT, "vm.tiktok.com/ZMabc/", "bukan tautan profil TikTok"),
    (TT, "instagram.com/budi", "tautan Instagram, bukan TikTok"),
    (TT, "x" * 201, "terlalu panjang"),
])
def test_refused_with_a_reason(platform, typed, why):
    with pytest.raises(FormatError, match=why):
        parse_username(platform, typed)


def test_nrp_phone_rank_and_yes_no():
    assert parse_nrp(" 87020123 ") == "87020123"
    # digits of other scripts are the same digits; a lost leading zero comes back (issue 18)
    assert parse_nrp("٨٧٠٢٠١٢٣") == parse_nrp("８７０２０１２３") == "87020123"
    assert parse_nrp("1234567") == "01234567" and parse_nrp("1234567", length=0) == "1234567"
    for bad in ("³³³", "12a", "1" * 21, "", "9" * 5000):
        with pytest.raises(FormatError):
            parse_nrp(bad)
    assert parse_phone("0812-3456-7890") == parse_phone("٠٨١٢٣٤٥٦٧٨٩٠") == "6281234567890"
    for bad in ("halo", "123"):
        with pytest.raises(FormatError):
            parse_phone(bad)
    assert parse_rank("bripda") == "BRIPDA" and parse_rank("Komisaris Besar Polisi") == "KOMISARIS BESAR POLISI"
    with pytest.raises(FormatError, match="tidak dikenal"):
        parse_rank("kapten")
    assert [yes_or_no(w) for w in ("Ya", " iya ", "TIDAK", "t", "mungkin")] == [True, True, False, False, None]
