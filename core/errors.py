class DomainError(Exception):
    """A refused action, with a sentence a person understands.

    Every service raises this (and only this) when a rule or a permission refuses an action;
    the web layer shows ``message`` and the API answers 409 with it. Nothing is written when it
    is raised: services run in one transaction.
    """

    def __init__(self, message: str, *, code: str = "refused") -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return self.message
