"""Registering and editing a firm's model versions (ai_model_register, ai_model_edit)."""

import pytest
from django.http import Http404

from cases.selectors import get_model_for, models_for
from cases.services import ai_model_edit, ai_model_register
from tests.assertions import audit_events, refused


def test_a_liaison_registers_a_model_that_only_their_firm_sees(alex, sam, kim, dod_reviewer, coordinator):
    model = ai_model_register(
        actor=alex,
        name=" Atlas ",
        version="2.1",
        description="A general model",
        modalities=["text", "code", "text"],
        intended_partners="Example Bank",
    )

    assert (model.name, model.version, model.modalities) == ("Atlas", "2.1", ["text", "code"])
    assert model.firm.name == "Northwind AI"
    assert list(models_for(alex)) == [model]
    assert list(models_for(sam)) == [model]
    for outsider in (kim, dod_reviewer, coordinator):
        assert list(models_for(outsider)) == []
        with pytest.raises(Http404):
            get_model_for(outsider, model.pk)
    [event] = audit_events("model.registered", target_id=str(model.pk))
    assert event.actor == alex


def test_registering_a_model_is_refused_to_non_liaisons_and_for_bad_input(alex, dod_reviewer, coordinator):
    ai_model_register(actor=alex, name="Atlas", version="2.1")

    for outsider in (dod_reviewer, coordinator):
        with refused("Only a firm liaison can register a model.", code="forbidden"):
            ai_model_register(actor=outsider, name="Atlas", version="9")
    with refused("A model needs a name and a version."):
        ai_model_register(actor=alex, name="Atlas", version="  ")
    with refused("atlas 2.1 is already registered for Northwind AI."):
        ai_model_register(actor=alex, name="atlas", version="2.1")
    with refused("Unknown modality: smell. Choose from text, code, image, audio, video, agentic."):
        ai_model_register(actor=alex, name="Atlas", version="3", modalities=["text", "smell"])


def test_another_firm_may_register_the_same_name_and_version(alex, kim):
    ai_model_register(actor=alex, name="Atlas", version="1.0")
    theirs = ai_model_register(actor=kim, name="Atlas", version="1.0")
    assert list(models_for(kim)) == [theirs]


def test_a_liaison_edits_their_model_and_the_change_is_audited(alex, sam):
    model = ai_model_register(actor=alex, name="Atlas", version="2.1")

    ai_model_edit(model=model, actor=sam, version="2.2", modalities=["image"])

    model.refresh_from_db()
    assert (model.version, model.modalities) == ("2.2", ["image"])
    [event] = audit_events("model.edited", target_id=str(model.pk))
    assert event.actor == sam
    assert event.data == {"fields": ["modalities", "version"], "model": "Atlas 2.2"}


def test_an_edit_that_changes_nothing_writes_no_audit_event(alex):
    model = ai_model_register(actor=alex, name="Atlas", version="2.1")
    ai_model_edit(model=model, actor=alex, name="Atlas")
    assert audit_events("model.edited") == []


def test_editing_a_model_is_refused_to_other_firms_and_for_bad_changes(alex, kim, dod_reviewer):
    model = ai_model_register(actor=alex, name="Atlas", version="2.1")
    ai_model_register(actor=alex, name="Atlas", version="2.2")

    for outsider in (kim, dod_reviewer):
        with refused("Only a liaison of the model's firm can edit it.", code="forbidden"):
            ai_model_edit(model=model, actor=outsider, name="Stolen")
    with refused("These fields cannot be edited: firm."):
        ai_model_edit(model=model, actor=alex, firm=kim.firm_membership.firm)
    with refused("A model needs a name."):
        ai_model_edit(model=model, actor=alex, name=" ")
    with refused("Atlas 2.2 is already registered for your firm."):
        ai_model_edit(model=model, actor=alex, version="2.2")


@pytest.mark.parametrize("state", ["submitted", "in_review", "closed", "withdrawn"])
def test_a_submitted_models_name_and_version_are_frozen(alex, sam, coordinator, state):
    """The outside test renamed a model after its case was closed, rewriting what every role read
    on the case, with nothing on the case's trail. Once submitted, a model is frozen."""
    from tests import builders

    case = builders.make_case(alex, state=state, coordinator=coordinator)
    model = case.model
    frozen = (
        f"{model} has been submitted for review ({case.reference}), so what reviewers read of it is frozen. "
        "Register a new version to change it."
    )
    for change in ({"name": "Renamed"}, {"version": "9.9"}, {"description": "New words"}, {"modalities": ["audio"]}):
        with refused(frozen):
            ai_model_edit(model=model, actor=sam, **change)
    model.refresh_from_db()
    assert (model.name, model.description) == ("Atlas", "")


def test_editing_a_model_with_draft_cases_is_on_each_drafts_trail(alex, sam):
    import datetime

    from django.utils import timezone

    from cases.services import case_create
    from workflow.selectors import case_timeline

    model = ai_model_register(actor=alex, name="Atlas", version="2.1")
    sharing = timezone.localdate() + datetime.timedelta(days=20)
    first, second = (
        case_create(model=model, actor=alex, access_date=sharing - datetime.timedelta(days=10), sharing_date=sharing)
        for _ in range(2)
    )

    ai_model_edit(model=model, actor=sam, description="Clarified before submission")

    events = audit_events("model.edited", target_id=str(model.pk))
    assert sorted(event.case_id for event in events) == sorted([first.pk, second.pk])
    assert [event.action for event in case_timeline(alex, first)][-1] == "model.edited"
