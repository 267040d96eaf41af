"""clean_email: its shortcut for common addresses answers exactly what email_validator answers."""

import random

from email_validator import validate_email

from chorus.core.emails import _plain_email, clean_email

PIECES = ["a", "Z", "0", "9", "_", "+", "-", ".", "..", "@", "xn--", "--", "é", " ", "postmaster", "Info", "b" * 63,
          "c" * 64, "test", "local", "localhost", "onion", "arpa", "invalid", "com", "io", "c1", "1", "Example", "x"]


def _library(address: str) -> str:
    return validate_email(address.strip(), check_deliverability=False).normalized


NEAR = ["a", "Z", "0", "_", "+", "-", ".", "x", "com", "io", "Example", "1", "test", "b" * 30, "q", "z", "ab", "mail"]


def _generated(count: int) -> list[str]:
    """Addresses from random pieces: half of them wild, half close to the usual shapes."""
    chooser = random.Random(20261122)
    addresses = []
    for number in range(count):
        pieces = PIECES if number % 2 else NEAR
        local = "".join(chooser.choice(pieces) for _ in range(chooser.randint(1, 4)))
        labels = ["".join(chooser.choice(pieces) for _ in range(chooser.randint(1, 3))) for _ in range(chooser.randint(1, 3))]
        addresses.append(f"{local}@{'.'.join(labels)}")
    return addresses


FIXED = ["friend1.run@bench.example.org", "Foo.Bar@example.com", "a+tag@gmail.com", "a_b-c@x-y.io", "a@1.com",
         "a@b.c", "a@b.c1", "x@localhost", "postmaster@x.io", "Postmaster@x.io", "a@b.xn--p1ai", "a@sub.test",
         "a@b..com", "a@b-.com", ".a@b.com", "a.@b.com", "a..b@c.com", f"{'l' * 65}@example.com",
         f"a@{'d' * 64}.com", f"{'l' * 64}@{'d' * 63}.{'e' * 63}.{'f' * 60}.com", "  spaced@example.com  ", "A@EXAMPLE.COM"]


def test_the_shortcut_agrees_with_email_validator():
    disagreements = []
    for address in FIXED + _generated(3000):
        plain = _plain_email(address.strip())
        try:
            expected = _library(address)
        except ValueError as error:
            expected = error
        try:
            answered = clean_email(address)
        except ValueError as error:
            answered = error
        if isinstance(expected, Exception):
            same = isinstance(answered, ValueError) and str(answered) == str(expected) and plain is None
        else:
            same = answered == expected and plain in (None, expected)
        if not same:
            disagreements.append((address, plain, answered, expected))
    assert disagreements == []


def test_the_shortcut_takes_the_usual_addresses():
    assert _plain_email("friend1.run@bench.example.org") == "friend1.run@bench.example.org"
    assert _plain_email("Jane.Doe+news@mail.example.co.uk") == "Jane.Doe+news@mail.example.co.uk"
    accepted = sum(_plain_email(address.strip()) is not None for address in _generated(3000))
    assert accepted > 50  # the generator reaches the shortcut, not only the library
