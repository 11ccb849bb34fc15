import pytest

from core.formats import (
    FormatError, normalize_client_id, normalize_group_id, normalize_nrp, normalize_phone, normalize_username,
)


@pytest.mark.parametrize("raw, expected", [
    ("081234567890", "6281234567890"),
    ("+62 812-3456-7890", "6281234567890"),
    ("81234567890", "6281234567890"),
    ("6281234567890@s.whatsapp.net", "6281234567890"),
    ("6281234567890:12@s.whatsapp.net", "6281234567890"),
    (6281234567890, "6281234567890"),
])
def test_phone_numbers_are_stored_as_62_digits(raw, expected):
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize("raw", ["", "  ", "12345", "0812abc4567", "6281234567890123456"])
def test_malformed_phone_numbers_are_rejected(raw):
    with pytest.raises(FormatError):
        normalize_phone(raw)


@pytest.mark.parametrize("raw, expected", [
    ("@Polres.Blitar", "polres.blitar"),
    ("  budi_01 ", "budi_01"),
    ("https://www.instagram.com/budi.s/", "budi.s"),
    ("https://www.tiktok.com/@budi.s?lang=id", "budi.s"),
    ("", None),
    (None, None),
    ("@", None),
])
def test_usernames_are_lower_case_without_at(raw, expected):
    assert normalize_username(raw) == expected


@pytest.mark.parametrize("raw", ["budi santoso", "budi!", "@@budi"])
def test_bad_usernames_are_rejected(raw):
    with pytest.raises(FormatError):
        normalize_username(raw)


def test_group_ids_get_the_g_us_suffix_and_invite_links_are_refused():
    assert normalize_group_id("120363012345678901") == "120363012345678901@g.us"
    assert normalize_group_id("120363012345678901@g.us") == "120363012345678901@g.us"
    assert normalize_group_id("6281234567890-1612345678@g.us") == "6281234567890-1612345678@g.us"
    with pytest.raises(FormatError, match="tautan undangan"):
        normalize_group_id("https://chat.whatsapp.com/AbCdEf123")
    with pytest.raises(FormatError):
        normalize_group_id("grup polres")


def test_nrp_accepts_spreadsheet_floats_and_rejects_text():
    assert normalize_nrp(87020123.0) == "87020123"
    assert normalize_nrp(" 87020123 ") == "87020123"
    with pytest.raises(FormatError):
        normalize_nrp("NRP-123")
    with pytest.raises(FormatError):
        normalize_nrp("")


def test_client_ids_are_upper_case():
    assert normalize_client_id("polres_blitar") == "POLRES_BLITAR"
    with pytest.raises(FormatError):
        normalize_client_id("polres blitar")


def test_clean_text_folds_whitespace_and_refuses_formulas_long_values_and_control_characters():
    import pytest

    from core.formats import FormatError, clean_text

    assert clean_text("  Bag   Ops \n", field="divisi") == "Bag Ops"
    assert clean_text("   ", field="divisi") is None and clean_text(None, field="divisi") is None
    for bad in ("=HYPERLINK(\"x\")", "+62", "-1", "@SUM(A1)", "x" * 201, "BU\x00DI"):
        with pytest.raises(FormatError):
            clean_text(bad, field="nama")


def test_menu_numbers_are_ascii_digits_of_bounded_length():
    from handlers.menus import menu_number

    assert menu_number(" 12 ") == 12 and menu_number("3", maximum=3) == 3
    for bad in ("³", "٣", "1" * 5000, "", "0", "4", "1.5", "-1"):
        assert menu_number(bad, maximum=3) is None, bad
