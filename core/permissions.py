"""Object permissions: the one place that grants, revokes and evaluates them.

Permissions are held by django-guardian in direct foreign-key tables and granted to groups: each
firm and each agency has a group of its members, and the program coordinators have one. Services
that change memberships, assignments and states call ``grant``/``revoke``/``sync``; selectors
call ``visible``/``get_visible_or_404``. A permission name not declared in ``GUARDED`` raises, so
a check can only fail closed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import BooleanField, Exists, Expression, F, OuterRef, QuerySet
from django.http import Http404
from guardian.utils import get_group_obj_perms_model

COORDINATORS_GROUP = "Program coordinators"

# Every object permission the portal uses, with the model it guards.
GUARDED: dict[str, str] = {
    "cases.view_reviewcase": "cases.ReviewCase",
    "cases.change_reviewcase": "cases.ReviewCase",
    "cases.review_reviewcase": "cases.ReviewCase",
    "cases.view_aimodel": "cases.AIModel",
    "cases.change_aimodel": "cases.AIModel",
    "documents.view_document": "documents.Document",
    "findings.view_finding": "findings.Finding",
    "findings.view_comment": "findings.Comment",
    "records.view_closeoutrecord": "records.CloseoutRecord",
}

M = TypeVar("M", bound=models.Model)
logger = logging.getLogger(__name__)


def _model_for(perm: str) -> type[models.Model]:
    try:
        return apps.get_model(GUARDED[perm])
    except KeyError:
        raise ValueError(f"Unknown permission {perm!r}: declare it in core.permissions.GUARDED.") from None


def _permission(perm: str) -> Permission:
    model = _model_for(perm)
    app_label, codename = perm.split(".", 1)
    return Permission.objects.get_by_natural_key(codename, app_label, model._meta.model_name or "")


def coordinators_group() -> Group:
    return Group.objects.get(name=COORDINATORS_GROUP)


# Permission ids by name, read once per process. A flush or a migration may re-create the
# permission rows with other ids: post_migrate (``core.apps``) forgets them.
_permission_ids: dict[str, int] = {}


def forget_permission_ids(**kwargs: Any) -> None:
    _permission_ids.clear()


def _permission_id(perm: str) -> int:
    if perm not in _permission_ids:
        _permission_ids[perm] = _permission(perm).pk
    return _permission_ids[perm]


# Set on the signed-in user of a request by the sign-in backend (``accounts.backends``), read
# with the user in the same statement: the ids of their groups.
GROUP_IDS_ATTRIBUTE = "checkpoint_group_ids"


def _user_groups(user: Any) -> Any:
    """The ids of ``user``'s groups: the list read with the user when there is one, else a
    subquery of the same statement (no query of its own either way)."""
    known = getattr(user, GROUP_IDS_ATTRIBUTE, None)
    if known is not None:
        return list(known)
    through = cast(Any, user._meta.get_field("groups")).remote_field.through
    return through.objects.filter(user_id=user.pk).values("group_id")


class _Granted(Expression):
    """``EXISTS`` a grant of one permission to one of the given groups on the object at ``outer``,
    written as SQL directly: the same statement the ORM's ``Exists`` builds, without building and
    compiling a subquery for every list and object check (half a millisecond each)."""

    conditional = True
    output_field = BooleanField()
    template = (
        "EXISTS(SELECT 1 FROM {table} cp_grant WHERE cp_grant.{object} = {outer}"
        " AND cp_grant.{permission} = %s AND cp_grant.{group} IN ({groups}))"
    )

    def __init__(self, table: type[models.Model], permission_id: int, groups: list[int], outer: Any) -> None:
        super().__init__(output_field=BooleanField())
        self.table, self.permission_id, self.groups = table, permission_id, groups
        self.outer = outer if hasattr(outer, "resolve_expression") else F(outer)

    def get_source_expressions(self) -> list[Any]:
        return [self.outer]

    def set_source_expressions(self, exprs: Any) -> None:
        (self.outer,) = exprs

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, tuple[Any, ...]]:
        if not self.groups:
            return "(1 = 0)", ()  # no group, no grant
        outer_sql, outer_params = compiler.compile(self.outer)
        quote, meta = connection.ops.quote_name, self.table._meta

        def column(name: str) -> str:
            return str(quote(cast("models.Field[Any, Any]", meta.get_field(name)).column))

        sql = self.template.format(
            table=quote(meta.db_table),
            object=column("content_object"),
            outer=outer_sql,
            permission=column("permission"),
            group=column("group"),
            groups=", ".join(["%s"] * len(self.groups)),
        )
        return sql, (*outer_params, self.permission_id, *self.groups)


def held(user: Any, perm: str, outer: str = "pk") -> Expression | Exists:
    """``EXISTS`` a grant of ``perm`` to one of ``user``'s groups on the object at ``outer``.

    One probe of the direct foreign-key table's unique index (group, permission, object) per row:
    a check of one object costs the same whatever the number of other objects, and a list is a
    semi-join whose cost follows the grants of the reader's groups, not the size of the table. The
    permission and (usually) the groups are constants of the statement, so the planner knows how
    many rows the reader may see and picks its plan for that reader.
    """
    table = _permissions_table(perm)
    groups = _user_groups(user)
    if isinstance(groups, list):  # the signed-in reader's groups, read with the user
        return _Granted(table, _permission_id(perm), groups, outer)
    return Exists(
        table.objects.filter(
            content_object_id=OuterRef(outer),
            group_id__in=groups,
            permission_id=_permission_id(perm),
        )
    )


def visible(user: Any, perm: str, queryset: QuerySet[M] | None = None) -> QuerySet[M]:
    """The objects on which ``user`` holds ``perm`` through one of their groups: one query,
    whatever the number of rows (``held``).

    Superusers get no blanket access: everyone sees what their organisation was granted.
    """
    model = _model_for(perm)
    qs = queryset if queryset is not None else cast(QuerySet[M], model._default_manager.all())
    if qs.model is not model:
        raise ValueError(f"{perm} guards {model.__name__}, not {qs.model.__name__}.")
    if user is None or not user.is_authenticated or not user.is_active:
        return qs.none()
    return qs.filter(held(user, perm))


def visible_count(user: Any, perm: str) -> int:
    """How many objects ``visible(user, perm)`` holds, counted in the grant table's index alone
    (its rows cascade with their objects, so each names one that exists): the count of an
    unfiltered list without touching the listed table."""
    if user is None or not user.is_authenticated or not user.is_active:
        return 0
    groups = _user_groups(user)
    grants = _permissions_table(perm).objects.filter(group_id__in=groups, permission_id=_permission_id(perm))
    if isinstance(groups, list) and len(groups) <= 1:
        # One group: (group, permission, object) is unique, so each grant is one object.
        return int(grants.count())
    return int(grants.values("content_object_id").distinct().count())


def grants_newest_first(user: Any, perm: str) -> QuerySet[Any] | None:
    """The grants of ``perm`` that make objects visible to ``user``, newest object first, when
    they are those of one group (read with the user): the unique index (group, permission, object)
    read backward, so a caller may walk ``user``'s objects newest first and stop early. ``None``
    otherwise (several groups, or none known): ``visible`` is then the only way to list them."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    groups = _user_groups(user)
    if not isinstance(groups, list) or len(groups) != 1:
        return None
    table = _permissions_table(perm)
    return cast(
        QuerySet[Any],
        table.objects.filter(group_id=groups[0], permission_id=_permission_id(perm)).order_by("-content_object_id"),
    )


def get_visible_or_404(user: Any, perm: str, queryset: QuerySet[M], pk: Any) -> M:
    """Fetch one object and authorize it in the same statement: missing and forbidden answer
    alike (404)."""
    try:
        return visible(user, perm, queryset).get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise refuse_access(user, perm, pk) from None


# Who records refused accesses: the audit log registers itself at startup (audit.apps), so that
# this module imports no domain app.
RefusalRecorder = Callable[[Any, dict[str, Any]], None]
_refusal_recorder: RefusalRecorder | None = None


def set_refusal_recorder(recorder: RefusalRecorder | None) -> None:
    global _refusal_recorder
    _refusal_recorder = recorder


def refuse_access(user: Any, what: str, pk: Any) -> Http404:
    """Record a refused access to a guarded object (who, what, when) and return the 404 to raise:
    "does not exist" and "not yours" answer alike."""
    actor = user if user is not None and user.is_authenticated else None
    data = {"permission": what, "object_id": str(pk)[:64]}
    if _refusal_recorder is None:
        logger.warning("access refused (no audit log installed): %s by user %s", data, getattr(actor, "pk", None))
    else:
        _refusal_recorder(actor, data)
    return Http404("No such object, or it is not yours to see.")


def has(user: Any, perm: str, obj: models.Model) -> bool:
    """Does ``user`` hold ``perm`` on ``obj`` (through one of their groups)?"""
    if obj.pk is None:
        return False
    return visible(user, perm, type(obj)._default_manager.filter(pk=obj.pk)).exists()


def _permissions_table(perm: str) -> Any:
    """The direct foreign-key table holding group permissions on the model ``perm`` guards."""
    return get_group_obj_perms_model(_model_for(perm))  # type: ignore[arg-type]  # guardian takes a class too


def held_by_every(perm: str, queryset: QuerySet[M], groups: Iterable[Group]) -> QuerySet[M]:
    """The objects of ``queryset`` on which every one of ``groups`` holds ``perm`` (what an audience
    made of those groups may all read); none when ``groups`` is empty."""
    model = _model_for(perm)
    if queryset.model is not model:
        raise ValueError(f"{perm} guards {model.__name__}, not {queryset.model.__name__}.")
    groups = list(groups)
    if not groups:
        return queryset.none()
    permission_id = _permission_id(perm)  # read once per process
    table = _permissions_table(perm)
    for group in groups:
        held = table.objects.filter(permission_id=permission_id, group=group).values("content_object_id")
        queryset = queryset.filter(pk__in=held)
    return queryset


def grant(perm: str, groups: Iterable[Group], objs: Iterable[models.Model]) -> None:
    permission = _permission(perm)
    table = _permissions_table(perm)
    groups, objs = list(groups), list(objs)
    existing = set(
        table.objects.filter(permission=permission, group__in=groups, content_object__in=objs).values_list(
            "group_id", "content_object_id"
        )
    )
    table.objects.bulk_create(
        [
            table(permission=permission, group=group, content_object=obj)
            for group in groups
            for obj in objs
            if (group.pk, obj.pk) not in existing
        ]
    )


def revoke(perm: str, objs: Iterable[models.Model], groups: Iterable[Group] | None = None) -> None:
    """Take ``perm`` on ``objs`` from ``groups`` (from every group when None)."""
    table = _permissions_table(perm)
    rows = table.objects.filter(permission=_permission(perm), content_object__in=list(objs))
    if groups is not None:
        rows = rows.filter(group__in=list(groups))
    rows.delete()


def sync(perm: str, obj: models.Model, groups: Iterable[Group]) -> None:
    """Make exactly ``groups`` hold ``perm`` on ``obj``."""
    permission = _permission(perm)
    table = _permissions_table(perm)
    wanted = {group.pk for group in groups}
    current = set(table.objects.filter(permission=permission, content_object=obj).values_list("group_id", flat=True))
    if current - wanted:
        table.objects.filter(permission=permission, content_object=obj, group_id__in=current - wanted).delete()
    table.objects.bulk_create(
        [table(permission=permission, group_id=group_id, content_object=obj) for group_id in wanted - current]
    )
