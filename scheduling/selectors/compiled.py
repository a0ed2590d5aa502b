"""Querysets compiled to SQL once per process, for the slot check every booking confirm and reschedule runs.

Building a queryset and compiling it to SQL costs Django several times what a small indexed query costs the
database to answer, whatever the size of the data. ``compile_query`` turns a queryset into SQL once, with a
``Param`` placeholder wherever a per-call value goes; ``CompiledQuery.rows`` then only binds the values (adapted by
each placeholder's field, as the ORM would adapt them) and runs the SQL. The queryset stays the one definition of
the query: nothing is restated in hand-written SQL, and each backend gets the SQL the ORM writes for it.

Use it only for a hot read whose shape (joins, ``IN`` list lengths) is fixed for the cache key it is stored under.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import connections
from django.db.models import Expression, ExpressionList, Field, QuerySet


class Param(Expression):
    """A value bound when a ``CompiledQuery`` runs, adapted for the database by ``output_field``.

    ``param - timedelta`` shifts the bound value in Python before it is adapted, not in SQL, so a filter such as
    ``blocked_start__gt=start - MAX_BLOCKED_VISIT`` reads the same, and compiles to the same SQL, whether ``start``
    is a datetime or a ``Param``.
    """

    def __init__(self, name: str, output_field: Field, shift: timedelta = timedelta(0)) -> None:
        super().__init__(output_field=output_field)
        self.name = name
        self.shift = shift

    def __sub__(self, other: Any) -> Any:
        if isinstance(other, timedelta):
            return Param(self.name, self.output_field, self.shift - other)
        return super().__sub__(other)

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        return "%s", [self]

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        # Typed, as the column is: a bare ``1`` is an integer, and ``bigint = integer`` is an operator the exclusion
        # constraint's GiST index (btree_gist) cannot use, so a busy-time query would read the provider's column
        # through another index, all of its rows.
        return f"%s::{self.output_field.cast_db_type(connection)}", [self]

    def bind(self, values: Mapping[str, Any], connection: Any) -> Any:
        value = values[self.name]
        if self.shift:
            value += self.shift
        return self.output_field.get_db_prep_value(value, connection, prepared=False)


def param_list(name: str, output_field: Field, count: int) -> ExpressionList:
    """``count`` Params named ``<name>0``, ``<name>1``... as the right side of an ``__in`` lookup, which the ORM wraps
    in parentheses (a plain list of expressions is refused by a foreign key's ``__in``)."""
    return ExpressionList(*(Param(f"{name}{n}", output_field) for n in range(count)), output_field=output_field)


@dataclass(frozen=True)
class CompiledQuery:
    sql: str
    params: tuple[Any, ...]  # constants, and Params bound on each run
    converters: tuple[tuple[int, tuple[Callable[..., Any], ...], Any], ...]  # (column, converters, its expression)
    using: str

    def rows(self, **values: Any) -> list[list[Any]]:
        """Run the query with these values for its Params; rows come converted as the ORM would convert them
        (SQLite returns dates and times as text, for instance)."""
        connection = connections[self.using]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, self.params_for(values))
            rows = [list(row) for row in cursor.fetchall()]
        for row in rows:
            for pos, converters, expression in self.converters:
                for converter in converters:
                    row[pos] = converter(row[pos], expression, connection)
        return rows

    def params_for(self, values: Mapping[str, Any]) -> list[Any]:
        """The parameters for one run (``EXPLAIN`` uses them too)."""
        connection = connections[self.using]
        return [p.bind(values, connection) if isinstance(p, Param) else p for p in self.params]


def compile_query(queryset: QuerySet[Any]) -> CompiledQuery:
    """The queryset's SQL, its parameters (with Params still unbound) and its column converters.

    A union takes its columns, and so its converters, from its first queryset. Backend converters are functions of
    (value, expression, connection), so they serve any connection to the same database.
    """
    compiler = queryset.query.get_compiler(using=queryset.db)
    sql, params = compiler.as_sql()
    converters = compiler.get_converters([column for column, _, _ in compiler.select])
    return CompiledQuery(
        sql=sql,
        params=tuple(params),
        converters=tuple((pos, tuple(convs), expression) for pos, (convs, expression) in converters.items()),
        using=queryset.db,
    )
