"""One search across everything a person may see: cases, findings, comments and documents.

Every kind is searched *inside* its selector's ``*_for(user)`` queryset (cases.selectors,
findings.selectors, documents.selectors), so a hit, and every count, is something its reader may
open: the search adds a filter on top of visibility, never a second notion of it.

On PostgreSQL the search is full text (``django.contrib.postgres.search``): weighted vectors
(A: reference, title; B: model, category, target, file names; C: descriptions, partners, bodies),
ranked with ``ts_rank``, each term matched as a prefix (``to_tsquery('english', 'term:*')``), and a
highlighted snippet (``ts_headline``). Elsewhere (SQLite, the demo) each term must appear in one
of the same fields (``icontains``), hits come newest first, and the snippet is highlighted in Python.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVectorField
from django.db import connection, connections
from django.db.models import (
    BooleanField,
    CharField,
    Count,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    Window,
)
from django.db.models.expressions import Expression
from django.db.models.functions import Coalesce, Concat, RowNumber
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from cases.models import ReviewCase
from cases.permissions import VIEW_CASE
from cases.selectors import cases_for
from core.db import custom_plans
from core.permissions import grants_newest_first
from documents.models import Document, DocumentVersion
from documents.permissions import VIEW_DOCUMENT
from documents.selectors import documents_for
from findings.models import Category, Comment, Finding, TargetKind
from findings.permissions import VIEW_COMMENT, VIEW_FINDING
from findings.selectors import comments_for, findings_for
from search.models import SavedSearch

CONFIG = "english"
_CONFIG = "'english'::regconfig"  # CONFIG in SQL
MAX_TERMS = 12
# The matches of a kind that are ranked (the newest this many) and counted exactly: a word common
# across 100,000 findings costs the same as a rare one ("more than 100" beyond it).
CANDIDATES = 100
RECENT = 5000  # the newest rows of a table read row by row before its GIN index is asked (Group.newest)
WALK = 500  # the newest grants of a reader's one group walked object by object, the same (Group.newest)
# Control characters that no stored text holds mark the highlighted words in ts_headline's output,
# which is then escaped as a whole before they become <mark> (stored text is never trusted as HTML).
_START, _STOP = "\x02", "\x03"


class Kind:
    CASE = "case"
    FINDING = "finding"
    COMMENT = "comment"
    DOCUMENT = "document"


KINDS: tuple[tuple[str, str], ...] = (
    (Kind.CASE, "Cases"),
    (Kind.FINDING, "Findings"),
    (Kind.COMMENT, "Comments"),
    (Kind.DOCUMENT, "Documents"),
)
KIND_LABELS = dict(KINDS)


@dataclass(frozen=True)
class Filters:
    """What narrows a search: one kind, the state of the case, a finding's severity or category
    (either of the last two limits the search to findings)."""

    kind: str = ""
    case_state: str = ""
    severity: str = ""
    category: str = ""

    def kinds(self) -> list[str]:
        if self.severity or self.category:
            return [Kind.FINDING] if self.kind in ("", Kind.FINDING) else []
        return [self.kind] if self.kind else [k for k, _ in KINDS]


@dataclass
class Group:
    """The results of one kind: ``matches`` (all of them, newest first, never counted whole) and
    ``hits`` (the ``CANDIDATES`` newest of them, best first: ranked on PostgreSQL), each row with
    ``snippet_raw``. ``count`` is exact up to ``CANDIDATES`` (``capped``: more than that)."""

    kind: str
    label: str
    matches: QuerySet[Any]  # without snippets: ``with_snippets`` adds them to the rows read
    best_first: Callable[[Q], QuerySet[Any]]  # the matches of a condition on keys, best first, with snippets
    with_snippets: Callable[[QuerySet[Any]], QuerySet[Any]] = lambda rows: rows
    rows: list[Any] = field(default_factory=list)

    full_text: bool = False
    # The reader's grants of the kind's view permission, newest object first, when one group holds
    # them all (core.permissions.grants_newest_first): Group.newest walks them.
    grants: QuerySet[Any] | None = None
    # The number of the newest matches (at most ``CANDIDATES + 1``) when ``best`` read it with them.
    found: int | None = None

    @cached_property
    def newest(self) -> list[int]:
        """The keys of the newest ``CANDIDATES + 1`` matches, newest first, in one query."""
        return sorted(self._newest_keys(), reverse=True)

    def _newest_keys(self) -> QuerySet[Any] | _Keys:
        """The keys of the newest ``CANDIDATES + 1`` matches, in one query whatever the word.

        On PostgreSQL two plans are joined: the newest ``RECENT`` rows of the table read newest
        first (a common word fills the list there, and the second part never runs), then the older
        matches from the GIN index, sorted (a rare word: few rows). The planner cannot choose
        between them itself: it does not know how common a prefix is."""
        if not self.full_text:
            return self.matches.values_list("pk", flat=True)[: CANDIDATES + 1]
        if self.grants is not None:
            return _Keys(self.matches.db, self._walked)
        model = self.matches.model
        floor = Coalesce(_Once(model._default_manager.order_by("-pk").values("pk")[RECENT - 1 : RECENT]), Value(0))
        keys = self.matches.values_list("pk", flat=True)
        recent = keys.filter(pk__gte=floor).order_by("-pk")[: CANDIDATES + 1]
        # ``pk + 0``: a bound and an order the primary key's index cannot serve, so that the GIN
        # index finds the rows (the floor is not known when the statement is planned).
        older = keys.alias(key=F("pk") + Value(0)).filter(key__lt=floor).order_by(F("key").desc())[: CANDIDATES + 1]
        return recent.union(older, all=True)[: CANDIDATES + 1]

    def _walked(self, connection: Any) -> tuple[str, tuple[Any, ...]]:
        """``newest`` for a reader whose one group holds their grants, in one statement: the newest
        ``WALK`` grants walked newest first, each object probed by its key (a common word fills the
        list there, however few of the rows the reader sees), then the older matches from the GIN
        index, joined with the grants (a rare word: few rows). The grants only propose keys: each is
        kept only if it is among ``matches``, which applies visibility itself.

        Written here around ``matches`` and the grants, each compiled once (PostgreSQL pulls both
        subqueries up into the statement, so each probe is one lookup by key): building and
        compiling the same statement with the ORM, which copies ``matches`` into three places, took
        four times as long (3.6 against 0.7 ms for a search's four kinds)."""
        assert self.grants is not None
        matches, match_params = _compiled(self.matches.values("pk").order_by(), connection)
        grants, grant_params = _compiled(self.grants.order_by().values("content_object_id"), connection)
        # Compiled SQL and constants only: every value is a parameter. Each subquery's one column is
        # named where it is read (``cp_m(pk)``, ``cp_w(obj)``), whatever the ORM called it.
        edge = f"(SELECT cp_e.obj FROM ({grants}) cp_e(obj) ORDER BY 1 DESC LIMIT 1 OFFSET {WALK - 1})"  # noqa: S608  # nosec B608
        walk = (
            f"SELECT cp_w.obj FROM ({grants}) cp_w(obj)"  # noqa: S608  # nosec B608
            f" WHERE cp_w.obj >= COALESCE({edge}, 0)"
            f" AND (SELECT cp_m.pk FROM ({matches}) cp_m(pk) WHERE cp_m.pk = cp_w.obj LIMIT 1) IS NOT NULL"
            f" ORDER BY cp_w.obj DESC LIMIT {CANDIDATES + 1}"
        )
        # ``pk + 0``: see ``_newest_keys``; no edge: fewer than ``WALK`` grants, all walked.
        older = (
            f"SELECT cp_o.pk FROM ({matches}) cp_o(pk) WHERE {edge} IS NOT NULL AND cp_o.pk + 0 < {edge}"  # noqa: S608  # nosec B608
            f" ORDER BY cp_o.pk + 0 DESC LIMIT {CANDIDATES + 1}"
        )
        params = (*grant_params, *grant_params, *match_params, *match_params, *grant_params, *grant_params)
        return f"({walk}) UNION ALL ({older}) LIMIT {CANDIDATES + 1}", params

    def best(self, limit: int) -> list[Any]:
        """The first ``limit`` of ``hits``, and ``count`` with them: on PostgreSQL in one statement,
        the newest ``CANDIDATES + 1`` keys found in a subquery and counted by a window, the oldest
        of them (the one past ``CANDIDATES``) sorted last, so that it is counted but never shown.
        ``limit`` is at most ``CANDIDATES``."""
        assert limit <= CANDIDATES
        if not self.full_text or "newest" in self.__dict__:
            return list(self.hits[:limit]) if self.count else []
        ranked = self.best_first(Q(_AmongKeys(self._newest_keys()))).annotate(
            search_found=Window(Count("*")), search_nth=Window(RowNumber(), order_by=F("pk").desc())
        )
        # nth / (CANDIDATES + 1): 0 for the CANDIDATES newest, 1 for the one past them.
        rows = list(ranked.order_by(F("search_nth") / Value(CANDIDATES + 1), *ranked.query.order_by)[:limit])
        self.found = rows[0].search_found if rows else 0
        return rows

    @property
    def pageable(self) -> QuerySet[Any]:
        """``matches`` for paging newest first, with snippets: when they are few, as the keys
        already found."""
        return self.with_snippets(self.matches if self.capped else self.matches.filter(pk__in=self.newest))

    @property
    def count(self) -> int:
        return self.found if self.found is not None else len(self.newest)

    @property
    def capped(self) -> bool:
        return self.count > CANDIDATES

    @cached_property
    def hits(self) -> QuerySet[Any]:
        return self.best_first(Q(pk__in=self.newest[:CANDIDATES]))


class _Once(Expression):
    """A subquery compiled once, as it stands (without being copied and relabelled into the
    statement around it first), however many times the statement names it. It names nothing of
    that statement."""

    def __init__(self, queryset: QuerySet[Any]) -> None:
        super().__init__(output_field=queryset.query.output_field)
        self.queryset = queryset
        self.compiled: dict[str, tuple[str, tuple[Any, ...]]] = {}  # shared by the copies

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, tuple[Any, ...]]:
        if connection.alias not in self.compiled:
            sql, params = self.queryset.query.get_compiler(connection=connection).as_sql()
            self.compiled[connection.alias] = (f"({sql})", tuple(params))
        return self.compiled[connection.alias]


def _compiled(queryset: QuerySet[Any], connection: Any) -> tuple[str, tuple[Any, ...]]:
    sql, params = queryset.query.get_compiler(connection=connection).as_sql()
    return sql, tuple(params)


class _Keys:
    """Keys read by one statement that ``write(connection)`` writes (``Group._walked``): iterated,
    it runs on the database ``using``; ``_AmongKeys`` nests it in another statement."""

    def __init__(self, using: str, write: Callable[[Any], tuple[str, tuple[Any, ...]]]) -> None:
        self.using, self.write = using, write

    def __iter__(self) -> Iterator[int]:
        with connections[self.using].cursor() as cursor:
            cursor.execute(*self.write(connections[self.using]))
            return iter([row[0] for row in cursor.fetchall()])


class _AmongKeys(Expression):
    """The row's key is among the keys a query returns, as ``key = ANY(ARRAY(keys))``: the keys
    are read once (an init plan) and then each row by its key, where ``key IN (keys)`` would be
    one more join for the planner to order with the others (milliseconds of planning). The keys'
    query stands alone (it names nothing of the outer statement), so it is compiled as it is,
    without being copied and relabelled into the outer query first."""

    conditional = True

    def __init__(self, keys: QuerySet[Any] | _Keys) -> None:
        super().__init__(output_field=BooleanField())
        self.keys = keys

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, tuple[Any, ...]]:
        table = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
        key = f"{table}.{connection.ops.quote_name(compiler.query.get_meta().pk.column)}"
        keys = self.keys
        sql, params = keys.write(connection) if isinstance(keys, _Keys) else _compiled(keys, connection)
        return f"{key} = ANY(ARRAY({sql}))", params


def terms_of(text: str) -> list[str]:
    """The words of a query, lower-cased: letters and digits only, so no tsquery operator, quote or
    wildcard from the reader ever reaches the database (``CP-2026-0042`` is ``cp 2026 0042``)."""
    return re.findall(r"[^\W_]+", (text or "").lower())[:MAX_TERMS]


def full_text_available() -> bool:
    return connection.vendor == "postgresql"


# --- PostgreSQL --------------------------------------------------------------------------------


class _Words(Func):
    """Punctuation to spaces, so that a reference or a file name is searched by its parts."""

    function = "REGEXP_REPLACE"
    template = "%(function)s(%(expressions)s, '[^[:alnum:]]+', ' ', 'g')"
    output_field = TextField()


class _Label(Expression):
    """The label of the column's choice ('' for none), as the stored vectors name it
    (search/migrations/0002): ``CASE column WHEN value THEN label ... ELSE '' END``. One node
    instead of a ``Case`` of ``When`` conditions, each resolved as a filter of its own."""

    output_field = TextField()

    def __init__(self, field_name: str, choices: Iterable[tuple[str, str]]) -> None:
        super().__init__()
        self.column: Any = F(field_name)
        self.choices = tuple((str(value), str(label)) for value, label in choices)

    def get_source_expressions(self) -> list[Any]:
        return [self.column]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        (self.column,) = exprs

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, tuple[Any, ...]]:
        column, params = compiler.compile(self.column)
        whens = " ".join("WHEN %s THEN %s" for _ in self.choices)
        return f"CASE {column} {whens} ELSE '' END", (*params, *(part for choice in self.choices for part in choice))


def _file_names() -> Coalesce:
    """The file names of a document's versions, one string."""
    from django.contrib.postgres.aggregates import StringAgg

    names = (
        DocumentVersion.objects.filter(document=OuterRef("pk"))
        .order_by()
        .values("document")
        .annotate(names=StringAgg("original_name", delimiter=" "))
        .values("names")
    )
    return Coalesce(Subquery(names, output_field=TextField()), Value(""), output_field=TextField())


class _WeightedVector(Expression):
    """The words of the parts, each part weighted: ``setweight(to_tsvector(config, COALESCE(part,
    '')), weight) || ...``, the vector that ``SearchVector(part, weight=..., config=...) + ...``
    writes, as one node over the parts (instead of a SearchVector, a config and a weight for each
    part, all copied, resolved and compared for every statement)."""

    output_field = SearchVectorField()

    def __init__(self, *weighted: tuple[Any, str]) -> None:
        super().__init__()
        self.parts: list[Any] = [expression for expression, _ in weighted]
        self.weights = tuple(weight for _, weight in weighted)

    def get_source_expressions(self) -> list[Any]:
        return self.parts

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        self.parts = list(exprs)

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, tuple[Any, ...]]:
        sqls: list[str] = []
        params: list[Any] = []
        for part, weight in zip(self.parts, self.weights, strict=True):
            sql, part_params = compiler.compile(part)
            sqls.append(f"setweight(to_tsvector({_CONFIG}, COALESCE({sql}, '')), %s)")
            params += [*part_params, weight]
        return f"({' || '.join(sqls)})", tuple(params)


@dataclass(frozen=True)
class _Spec:
    """How one kind is searched: its visible rows, weighted vector, snippet text and plain fields."""

    rows: Callable[[Any], QuerySet[Any]]
    vector: Callable[[], _WeightedVector]
    snippet: Callable[[], Any]
    plain: tuple[str, ...]  # the fields the simple (SQLite) match looks in
    choice_fields: tuple[tuple[str, Iterable[tuple[str, str]]], ...] = ()
    plain_snippet: Callable[[], Any] | None = None  # without PostgreSQL's aggregates
    # The stored vector holds ``vector`` itself, weights and all (search/migrations/0003, 0004; a
    # case's own words followed by its model's, 0005): hits are ranked from it instead of ``vector``
    # computed again from the text of each.
    stored_vector: bool = False


# Each kind's rows are read with what a hit shows (templates/search/results.html) and nothing
# more: the related rows it names, and the columns it prints (besides the key and the snippet).
def _shown(rows: QuerySet[Any], related: tuple[str, ...], columns: tuple[str, ...]) -> QuerySet[Any]:
    return rows.select_related(None).select_related(*related).only(*columns)


def _case_rows(user: Any) -> QuerySet[ReviewCase]:
    return _shown(cases_for(user), ("model",), ("reference", "state", "model__name", "model__version"))


def _finding_rows(user: Any) -> QuerySet[Finding]:
    columns = ("title", "category", "severity", "case__reference", "agency__short_name")
    return _shown(findings_for(user), ("case", "agency"), columns)


def _comment_rows(user: Any) -> QuerySet[Comment]:
    columns = ("finding", "case__reference", "author__full_name", "author__email")
    return _shown(comments_for(user), ("case", "author"), columns)


def _document_rows(user: Any) -> QuerySet[Document]:
    return _shown(documents_for(user), ("case",), ("title", "kind", "marking", "case__reference"))


SPECS: dict[str, _Spec] = {
    Kind.CASE: _Spec(
        rows=_case_rows,
        # The case's words, then its model's: the stored vectors of the two, one after the other.
        vector=lambda: _WeightedVector(
            (_Words(F("reference")), "A"),
            (F("model_snapshot"), "B"),
            (F("trusted_partners"), "C"),
            (F("model__name"), "A"),
            (_Words(F("model__version")), "B"),
            (F("model__intended_partners"), "C"),
        ),
        snippet=lambda: Concat(
            F("model__name"),
            Value(" "),
            F("model__version"),
            Value(" · "),
            F("trusted_partners"),
            output_field=TextField(),
        ),
        plain=(
            "reference",
            "model__name",
            "model__version",
            "model_snapshot",
            "trusted_partners",
            "model__intended_partners",
        ),
        stored_vector=True,
    ),
    Kind.FINDING: _Spec(
        rows=_finding_rows,
        vector=lambda: _WeightedVector(
            (F("title"), "A"),
            (_Label("category", Category.choices), "B"),
            (F("target_component"), "B"),
            (_Label("target_kind", TargetKind.choices), "B"),
            (F("description"), "C"),
        ),
        snippet=lambda: F("description"),
        plain=("title", "target_component", "description"),
        choice_fields=(("category", Category.choices), ("target_kind", TargetKind.choices)),
        stored_vector=True,
    ),
    Kind.COMMENT: _Spec(
        rows=_comment_rows,
        vector=lambda: _WeightedVector((F("body"), "C")),
        snippet=lambda: F("body"),
        plain=("body",),
        stored_vector=True,
    ),
    Kind.DOCUMENT: _Spec(
        rows=_document_rows,
        vector=lambda: _WeightedVector((F("title"), "A"), (_Words(_file_names()), "B")),
        snippet=lambda: Concat(F("title"), Value(" · "), _file_names(), output_field=TextField()),
        plain=("title", "versions__original_name"),
        plain_snippet=lambda: F("title"),
    ),
}


# The permission each kind's ``*_for(user)`` selector lists by (``SPECS[kind].rows``).
_VIEW: dict[str, str] = {
    Kind.CASE: VIEW_CASE,
    Kind.FINDING: VIEW_FINDING,
    Kind.COMMENT: VIEW_COMMENT,
    Kind.DOCUMENT: VIEW_DOCUMENT,
}


def _filtered(kind: str, rows: QuerySet[Any], filters: Filters) -> QuerySet[Any]:
    case_field = "state" if kind == Kind.CASE else "case__state"
    if filters.case_state:
        rows = rows.filter(**{case_field: filters.case_state})
    if kind == Kind.FINDING:
        if filters.severity:
            rows = rows.filter(severity=filters.severity)
        if filters.category:
            rows = rows.filter(category=filters.category)
    return rows


# The stored vectors (search/migrations/0002_search_vectors.py): the same words as ``_Spec.vector``,
# read from a GIN index (a finding's and a comment's weighted as well: 0003); a case's holds its
# model's words too (0004, 0005) and a document's its versions' file names (0006), so that every
# kind matches all the words of a search in one GIN lookup.
_TSQUERY = "to_tsquery('english'::regconfig, %s)"


class _StoredMatch(Expression):
    """Every term (as a prefix) among the row's stored words, in one lookup of its GIN index
    (GIN's fast scan costs what the rarest term costs); a query of stop words only matches nothing,
    as ``to_tsquery`` over the whole vector does. The kind's table is named by the alias the
    statement gives it, so the match may stand in a subquery (``Group._walked``)."""

    conditional = True

    def __init__(self, terms: list[str]) -> None:
        super().__init__(output_field=BooleanField())
        self.terms = terms

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, tuple[Any, ...]]:
        table = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
        everything = " & ".join(f"{term}:*" for term in self.terms)
        return f'{table}."search_vector" @@ {_TSQUERY}', (everything,)


class _StoredVector(Expression):
    """The row's stored ``search_vector`` (a column Django does not know: search/migrations; a
    case's holds its model's words after its own, 0005)."""

    output_field = SearchVectorField()

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, tuple[Any, ...]]:
        return f'{compiler.quote_name_unless_alias(compiler.query.get_initial_alias())}."search_vector"', ()


def _full_text(
    kind: str, rows: QuerySet[Any], terms: list[str]
) -> tuple[QuerySet[Any], Callable[[Q], QuerySet[Any]], Callable[[QuerySet[Any]], QuerySet[Any]]]:
    """All the visible matches (newest first, from the stored vectors' index, without snippets),
    the ranked hits (the given keys of matches ranked with ``ts_rank`` and given a snippet, so that
    neither the rank nor the snippet is computed for more rows than those), and how matches are
    given their snippets."""
    spec = SPECS[kind]
    query = SearchQuery(" & ".join(f"{term}:*" for term in terms), search_type="raw", config=CONFIG)
    matches = rows.filter(_StoredMatch(terms)).order_by("-pk")

    def best_first(keys: Q) -> QuerySet[Any]:
        ranked: QuerySet[Any] = rows.filter(keys).annotate(
            rank=SearchRank(_StoredVector() if spec.stored_vector else spec.vector(), query),
            snippet_raw=_headline(spec, query),
        )
        return ranked.order_by("-rank", "-pk")

    def with_snippets(found: QuerySet[Any]) -> QuerySet[Any]:
        snippets: QuerySet[Any] = found.annotate(snippet_raw=_headline(spec, query))
        return snippets

    return matches, best_first, with_snippets


class _Headline(SearchHeadline):
    """``SearchHeadline`` whose options (the same for every snippet) are written in SQL once per
    process, instead of composed again, option by option, in every statement."""

    _written: dict[tuple[tuple[str, Any], ...], str] = {}
    options: dict[str, Any]  # set by SearchHeadline.__init__

    def as_sql(
        self,
        compiler: Any,
        connection: Any,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra: Any,
    ) -> Any:
        key = tuple(self.options.items())
        if key not in self._written:
            self._written[key] = ", ".join(connection.ops.compose_sql(f"{option}=%s", [value]) for option, value in key)
        sql, params = Func.as_sql(
            self, compiler, connection, function=function, template=template, arg_joiner=arg_joiner, options=", %s"
        )
        return sql, [*params, self._written[key]]


def _headline(spec: _Spec, query: SearchQuery) -> SearchHeadline:
    return _Headline(
        spec.snippet(),
        query,
        config=CONFIG,
        start_sel=_START,
        stop_sel=_STOP,
        max_words=30,
        min_words=12,
        max_fragments=2,
        fragment_delimiter=" … ",
    )


def _simple(
    kind: str, rows: QuerySet[Any], terms: list[str]
) -> tuple[QuerySet[Any], Callable[[Q], QuerySet[Any]], Callable[[QuerySet[Any]], QuerySet[Any]]]:
    """The fallback: every term in one of the fields (or a choice's label), newest first; the hits
    are the ``CANDIDATES`` newest matches."""
    spec = SPECS[kind]
    for term in terms:
        match = Q()
        for name in spec.plain:
            match |= Q(**{f"{name}__icontains": term})
        for name, choices in spec.choice_fields:
            values = [value for value, label in choices if term in str(label).lower()]
            if values:
                match |= Q(**{f"{name}__in": values})
        rows = rows.filter(match)
    if kind == Kind.DOCUMENT:
        rows = rows.distinct()  # one row per document, whichever of its versions' names matched
    snippet = spec.plain_snippet() if spec.plain_snippet else spec.snippet()
    matches: QuerySet[Any] = rows.annotate(snippet_raw=Coalesce(snippet, Value(""), output_field=CharField()))
    matches = matches.order_by("-pk")
    return matches, lambda keys: matches.filter(keys), lambda found: found


def search_for(user: Any, text: str, filters: Filters | None = None, *, full_text: bool | None = None) -> list[Group]:
    """The hits of ``text`` for ``user``, by kind: each group holds only rows of the kind's
    ``*_for(user)`` selector, so its count is what the reader may see. No terms, no groups."""
    filters = filters or Filters()
    terms = terms_of(text)
    if not terms:
        return []
    use_full_text = full_text_available() if full_text is None else full_text
    groups = []
    for kind in filters.kinds():
        rows = _filtered(kind, SPECS[kind].rows(user), filters)
        matches, best_first, with_snippets = (_full_text if use_full_text else _simple)(kind, rows, terms)
        grants = grants_newest_first(user, _VIEW[kind]) if use_full_text else None
        groups.append(
            Group(
                kind=kind,
                label=KIND_LABELS[kind],
                matches=matches,
                best_first=best_first,
                with_snippets=with_snippets,
                full_text=use_full_text,
                grants=grants,
            )
        )
    return groups


def snippet_html(raw: str | None, terms: list[str], *, full_text: bool) -> SafeString:
    """The snippet as safe HTML: the stored text escaped, the matched words in <mark>."""
    text = raw or ""
    if not full_text:
        text = _mark_terms(text, terms)
    html = escape(text).replace(_START, "<mark>").replace(_STOP, "</mark>")
    return mark_safe(html)  # noqa: S308 - escaped; only our own markers become tags  # nosec B308 B703


def _mark_terms(text: str, terms: list[str], width: int = 240) -> str:
    """The fallback's snippet: around the first match, the terms (as prefixes) between markers."""
    lowered = text.lower()
    first = min((i for i in (lowered.find(t) for t in terms) if i >= 0), default=0)
    start = max(0, first - width // 3)
    excerpt = ("… " if start else "") + text[start : start + width] + ("…" if start + width < len(text) else "")
    for term in sorted(set(terms), key=len, reverse=True):
        excerpt = re.sub(
            rf"(?<![{_START}\w])({re.escape(term)}\w*)", rf"{_START}\1{_STOP}", excerpt, flags=re.IGNORECASE
        )
    return excerpt


# --- saved searches ----------------------------------------------------------------------------


def saved_searches_for(user: Any) -> QuerySet[SavedSearch]:
    """The person's own saved searches, and those shared with their organisation."""
    from accounts.roles import agency_membership, firm_membership, is_coordinator

    if user is None or not getattr(user, "is_authenticated", False):
        return SavedSearch.objects.none()
    shared = Q(owner=user)
    if (firm := firm_membership(user)) is not None:
        shared |= Q(shared_firm_id=firm.firm_id)
    elif (agency := agency_membership(user)) is not None:
        shared |= Q(shared_agency_id=agency.agency_id)
    elif is_coordinator(user):
        shared |= Q(shared_with_coordinators=True)
    return SavedSearch.objects.filter(shared).select_related("owner")


def get_saved_search_for(user: Any, pk: Any) -> SavedSearch:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(saved_searches_for(user), pk=pk)


def filters_of(saved: SavedSearch) -> Filters:
    data = saved.filters or {}
    return Filters(**{name: str(data.get(name) or "") for name in ("kind", "case_state", "severity", "category")})


def result_keys(user: Any, text: str, filters: Filters) -> dict[str, list[str]]:
    """Every result of the search for ``user``, as "kind:pk", by kind (for the daily email), each
    statement planned for its words (core.db.custom_plans)."""
    with custom_plans():
        return {
            group.kind: [f"{group.kind}:{pk}" for pk in group.matches.values_list("pk", flat=True)]
            for group in search_for(user, text, filters)
        }
