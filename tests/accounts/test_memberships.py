import pytest

from accounts.roles import role_label
from core.errors import DomainError
from firms.services import firm_membership_add
from tests import builders


def test_a_person_has_exactly_one_organisation(alex, dod_supervisor):
    other_firm = builders.make_firm("Other Firm")
    with pytest.raises(DomainError, match="already belongs to an organisation"):
        firm_membership_add(firm=other_firm, user=dod_supervisor, is_admin=False, actor=None)
    assert role_label(alex) == "Firm admin, Northwind AI"
    assert role_label(dod_supervisor) == "Supervisor, DoD"


def test_a_deactivated_account_still_belongs_to_its_organisation(alex, coordinator):
    from accounts.services import user_deactivate

    user_deactivate(user=alex, actor=coordinator)
    other_firm = builders.make_firm("Another Firm")
    with pytest.raises(DomainError, match="already belongs to an organisation"):
        firm_membership_add(firm=other_firm, user=alex, is_admin=False, actor=None)
