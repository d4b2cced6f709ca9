"""Event verbs are an enumeration: a verb without an audience or a notice text fails here, rather
than being delivered to no one; a verb that is not a member is refused before anything is written."""

from __future__ import annotations

import pytest

from core.events import EventVerb, emit
from notifications.events import AUDIENCES
from notifications.models import NotificationEvent
from notifications.texts import event_message
from tests import builders


def test_every_event_verb_has_an_audience():
    assert [verb for verb in EventVerb if verb not in AUDIENCES] == []
    assert [key for key in AUDIENCES if not isinstance(key, EventVerb)] == []


@pytest.mark.parametrize("verb", list(EventVerb))
def test_every_event_verb_has_a_notice_text_naming_the_case(verb):
    assert "CP-2026-0042" in event_message(verb, reference="CP-2026-0042")


def test_a_verb_without_a_notice_text_is_refused():
    with pytest.raises(ValueError, match=r"No notice is sent for 'case\.teleported'"):
        event_message("case.teleported", reference="CP-2026-0042")


@pytest.mark.django_db
def test_emit_refuses_a_verb_that_is_not_a_member(django_capture_on_commit_callbacks, alex):
    case = builders.make_case(alex, state="draft")
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ValueError, match=r"case\.teleported"):
        emit("case.teleported", case=case, target=case, actor=alex)
    assert callbacks == []
    assert not NotificationEvent.objects.filter(case=case).exists()
