"""``core.urls.object_url`` writes the address ``reverse`` writes."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import NoReverseMatch, reverse, set_script_prefix

from core.urls import object_url

ROUTES = ["cases:detail", "cases:closeout", "findings:detail", "documents:detail", "configurations:ledger"]


@pytest.mark.parametrize("viewname", ROUTES)
@pytest.mark.parametrize("pk", [0, 1, 9, 42, 10_000, 2**31 - 1])
def test_the_address_is_reverses(viewname: str, pk: int) -> None:
    assert object_url(viewname, pk) == reverse(viewname, args=[pk])


def test_a_script_prefix_is_kept() -> None:
    set_script_prefix("/checkpoint/")
    try:
        assert object_url("cases:detail", 5) == reverse("cases:detail", args=[5]) == "/checkpoint/cases/5/"
    finally:
        set_script_prefix("/")
    assert object_url("cases:detail", 5) == "/cases/5/"


def test_what_is_not_a_key_is_reverses_to_answer() -> None:
    with pytest.raises(NoReverseMatch):
        object_url("cases:detail", -1)
    with pytest.raises(NoReverseMatch):
        object_url("cases:detail", "x")  # type: ignore[arg-type]
    assert object_url("cases:detail", "7") == "/cases/7/"  # type: ignore[arg-type]


def test_a_route_without_one_key_is_refused() -> None:
    with pytest.raises(NoReverseMatch):
        object_url("cases:list", 3)
    with pytest.raises(NoReverseMatch):
        object_url("no:such-route", 3)


@override_settings(ROOT_URLCONF="tests.core.other_urls")
def test_another_urlconf_has_its_own_addresses() -> None:
    assert object_url("cases:detail", 3) == "/elsewhere/3/"


@override_settings(ROOT_URLCONF="tests.core.other_urls")
def test_a_route_that_does_not_write_the_key_as_it_is_is_refused() -> None:
    with pytest.raises(ValueError, match="does not take one key"):
        object_url("findings:detail", 255)
