"""The printed code: format, entropy, check character, typo tolerance, keyed hash."""

import math
import re

import pytest

from accesscodes import codeformat
from accesscodes.codeformat import ALPHABET, MistypedCode

PRINTED = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}-[0-9A-HJKMNP-TV-Z]$")


def test_it_prints_four_groups_of_four_then_a_check_character():
    for _ in range(200):
        printed = codeformat.pretty(codeformat.generate())
        assert PRINTED.match(printed), printed


@pytest.mark.security
def test_it_carries_at_least_60_bits_of_entropy():
    assert len(ALPHABET) == 32 and len(set(ALPHABET)) == 32
    assert codeformat.BODY_LENGTH * math.log2(len(ALPHABET)) >= 60
    bodies = {codeformat.generate()[:16] for _ in range(2000)}
    assert len(bodies) == 2000
    used = set("".join(bodies))
    assert used == set(ALPHABET)  # every character of the alphabet shows up


def test_it_leaves_out_the_letters_people_misread():
    assert not set("ILOU") & set(ALPHABET)


def test_it_catches_every_single_character_typo():
    code = codeformat.generate()
    for position in range(len(code)):
        for char in ALPHABET:
            if char == code[position]:
                continue
            typo = code[:position] + char + code[position + 1 :]
            with pytest.raises(MistypedCode):
                codeformat.canonical(typo)


def test_it_catches_swapped_neighbours():
    caught = total = 0
    for _ in range(50):
        code = codeformat.generate()
        for i in range(len(code) - 1):
            if code[i] == code[i + 1]:
                continue
            total += 1
            swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
            try:
                codeformat.canonical(swapped)
            except MistypedCode:
                caught += 1
    assert caught / total > 0.95


@pytest.mark.parametrize(
    "typed",
    [
        "{code}",
        "{lower}",
        "{spaced}",
        "  {pretty}  ",
        "{pretty_lower}",
        "{dotted}",
    ],
)
def test_it_reads_the_code_however_it_is_typed(typed):
    code = "0123456789ABCDEF"
    code += codeformat.check_character(code)
    pretty = codeformat.pretty(code)
    text = typed.format(
        code=code,
        lower=code.lower(),
        spaced=" ".join(pretty.split("-")),
        pretty=pretty,
        pretty_lower=pretty.lower(),
        dotted=pretty.replace("-", "."),
    )
    assert codeformat.canonical(text) == code


def test_it_reads_o_as_zero_and_i_l_as_one():
    body = "0011ABCD0011EFGH"
    code = body + codeformat.check_character(body)
    assert codeformat.canonical("OOIL-abcd-oOiI-efgh-" + code[-1]) == code
    assert codeformat.canonical("ooli abcd 0011 EFGH " + code[-1].lower()) == code


@pytest.mark.parametrize(
    "typed", ["", "   ", "ABCD", "ABCD-EFGH-JKMN-PQRS-TV", "ABCD-EFGH-JKMN-PQR$-T"]
)
def test_it_calls_wrong_lengths_and_foreign_characters_mistyped(typed):
    with pytest.raises(MistypedCode):
        codeformat.canonical(typed)


@pytest.mark.security
def test_it_hashes_with_the_server_key(settings):
    code = codeformat.generate()
    first = codeformat.digest(code)
    assert re.fullmatch(r"[0-9a-f]{64}", first)
    assert codeformat.digest(codeformat.pretty(code).lower()) == first
    assert code not in first
    settings.CODE_HASH_KEY = "another town's secret"
    assert codeformat.digest(code) != first
