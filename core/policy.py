"""The shape every rule of the portal takes: a function that answers *why not*.

Each action has one policy function, ``<noun>_<verb>_refusal(actor, obj, ...) -> Refusal | None``
(in ``<app>/policy.py``). The service raises its answer as a ``DomainError``; a page shows the
action when the answer is None, and the reason (or the real next step) when the action is the
person's but not possible now; the API answers 409 with it; dashboards and the reminder sweep
filter with the same predicates. A rule written twice drifts: there is one copy, here.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import DomainError

# The action is not the person's at all (not their firm, agency or role): pages do not offer it,
# and say nothing about it. Any other code is a reason the person can read and act on.
FORBIDDEN = "forbidden"
NOT_NOW = "not_now"


class Refusal(str):
    """Why an action is refused, in a sentence a person understands, with a short ``code``."""

    code: str

    def __new__(cls, message: str, code: str = NOT_NOW) -> Refusal:
        refusal = super().__new__(cls, message)
        refusal.code = code
        return refusal

    @property
    def forbidden(self) -> bool:
        return self.code == FORBIDDEN


def forbidden(message: str) -> Refusal:
    return Refusal(message, FORBIDDEN)


def require(refusal: str | None) -> None:
    """Raise the refusal as the services' one error, or do nothing when the action is allowed."""
    if refusal is not None:
        raise DomainError(str(refusal), code=getattr(refusal, "code", NOT_NOW), rule=True)


@dataclass(frozen=True)
class Decision:
    """What a page needs to know of one action: may the person do it now, and if not, why."""

    refusal: Refusal | None

    @property
    def allowed(self) -> bool:
        return self.refusal is None

    @property
    def reason(self) -> str:
        return str(self.refusal or "")

    @property
    def explained(self) -> bool:
        """The action is the person's but not possible now: the page says why."""
        return self.refusal is not None and not self.refusal.forbidden

    def __bool__(self) -> bool:
        return self.allowed


def decide(refusal: Refusal | None) -> Decision:
    return Decision(refusal)
