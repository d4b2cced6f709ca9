class DomainError(Exception):
    """A refused action, with a sentence a person understands.

    Every service raises this (and only this) when a rule or a permission refuses an action;
    the web layer shows ``message`` and the API answers 409 with it. Nothing is written when it
    is raised: services run in one transaction.
    """

    def __init__(self, message: str, *, code: str = "refused", field: str | None = None, rule: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        # Raised for a rule of the policy (``core.policy.require``), not for the input: the API
        # answers 409 (or 403 for an action that is not the person's at all) rather than 400.
        self.rule = rule
        # The input the refusal is about, when it is one (a form shows it next to that field).
        self.field = field

    def __str__(self) -> str:
        return self.message
