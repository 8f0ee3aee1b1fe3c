"""API changelog between two Stripe OpenAPI specs: what changed for users of the generated client.

Usage::

    python -m codegen diff OLD NEW [--format markdown|json] [--breaking-only]
                                   [--fail-on-breaking] [-o FILE]

OLD and NEW are spec files (JSON or YAML), read with `codegen.spec.load_document` as they are: no
pin check, no overlays. The exit status is 0 (1 with `--fail-on-breaking` when a breaking change is
found, 2 when a spec cannot be read).

What is compared
----------------
* Operations (``VERB /path``): added, removed, path placeholder renamed (the same verb and route
  with other placeholder names, ``{currency}`` -> ``{rate_id}``: one change, compared as one
  operation, not a removal and an addition); the response type (first 2xx response; a non-JSON
  body is ``string(binary)``).
* Parameters of each operation that exists in both specs: query parameters and the top-level
  properties of the form body, and the properties of nested inline objects, written as paths:
  ``items[].price`` (array items), ``currency_options{}.unit_amount`` (map values),
  ``address.city`` (objects, also inside ``anyOf``). Added, removed, made required, made optional,
  retyped, enum values added or removed.
* Resources: component schemas with ``x-resourceId`` added or removed. Other component schemas
  added or removed are not reported on their own: they appear as the type of a field that was
  added, removed or retyped.
* Fields of every component schema present in both specs, and of their nested inline objects:
  added, removed, retyped, made nullable, made non-nullable, enum values added or removed.
  A field "may be None" when it is ``nullable`` or not in the schema's ``required`` list (the
  generated models type both as ``X | None``); a change of either is reported as made
  nullable / made non-nullable.

Types are compared by name, not as raw dicts: ``string``, ``integer``, ``number``, ``boolean``
(``string(binary)`` for uploads; other formats such as ``unix-time`` or ``decimal`` do not change
the Python type of a value and are ignored), the name of a ``$ref``,
``array of X``, ``map of X``, ``list of X`` / ``search_result of X`` for Stripe's list pages,
``object`` for an inline object (its properties are compared one by one instead), ``""`` for
Stripe's "emptyable" marker, and ``A | B`` (sorted) for ``anyOf``/``oneOf``. Enum values are not
part of a type name: they are compared as sets on their own. Component schemas are compared where
they are defined, so a ``$ref`` is not followed from a field, except when a field's single type
was swapped for another schema (often a renamed one): then the fields of the two schemas are
compared under the field's path, and a swap with no such difference is noted "same fields". In
parameters ``$ref``s are resolved. Nested objects are followed to a depth of `MAX_DEPTH`, and a
``$ref`` already being followed is not followed again (cycle guard). A new operation's parameters
and a new resource's fields are not listed one by one.

Breaking rules (for code written against the generated client)
---------------------------------------------------------------
Breaking:
  * an operation removed; a resource removed (its model class disappears);
  * a path placeholder renamed (a call passing the path argument by keyword breaks);
  * a parameter removed, made required, or added as required (nested ones too, when the parent
    already existed);
  * a parameter retyped, unless it was only widened (the new type is a union holding every member
    of the old one, e.g. ``object`` -> ``"" | object``, or an enum became a free string): old
    calls still type-check and are still accepted;
  * an enum value removed from a parameter, or a free-string parameter restricted to an enum;
  * a field removed; a field made nullable (a reader may now get ``None``);
  * a field, a response or an ``anyOf`` schema retyped, unless it was only narrowed (the new
    members are a subset of the old ones): a reader may get a value of a type it does not handle.
Widened and narrowed look inside containers: ``array of A`` -> ``array of (A | B)`` widens, as do
the same for ``map of`` and ``list of``, nested or not (`covers`); a type that covers the other
both ways (only spelled differently) is "same values", not breaking.
Not breaking: everything added (operations, resources, optional parameters, fields, enum values of
parameters), a parameter made optional, a field made non-nullable, enum values added to or
removed from a response field, a field's enum turned into a free string or vice versa (the models
accept enum values they do not know).

Output
------
Markdown for a release note (counts, then the sections "Breaking changes", "Added", "Removed",
"Changed"; every change is listed once: the breaking ones only under "Breaking changes"; grouped by
operation and by resource/schema), or JSON for tools::

    {"old_version": str, "new_version": str,
     "summary": {"total": int, "breaking": int, "by_kind": {kind: int}, "breaking_by_kind": {...}},
     "changes": [{"kind": str, "breaking": bool, "operation": "VERB /path" | null,
                  "schema": str | null, "path": str | null, "old": str | null,
                  "new": str | null, "detail": str}, ...]}

`kind` is one of `KINDS`; `by_kind` lists every kind (zero included). `operation` is set for
operation, parameter and response changes, `schema` (a component schema name) for resource, schema
and field changes. `old`/`new` hold type names, enum values, operationIds or resource ids;
`detail` is the change as one Markdown sentence (without its operation/schema). An enum change is
one entry per value. Changes are sorted by operation (route, then verb), then schema, path and
kind, so the same inputs give the same bytes.
"""

from codegen.diff.cli import main
from codegen.diff.differ import Differ, diff
from codegen.diff.report import describe, section_of, summary, to_json, to_markdown
from codegen.diff.schema import (
    KINDS,
    MAX_DEPTH,
    SECTIONS,
    Change,
    Doc,
    Schema,
    children,
    covers,
    enum_values,
    is_nullable,
    members,
    type_name,
)

__all__ = [
    "KINDS", "MAX_DEPTH", "SECTIONS", "Change", "Differ", "Doc", "Schema", "children", "covers", "describe",
    "diff", "enum_values", "is_nullable", "main", "members", "section_of", "summary", "to_json",
    "to_markdown", "type_name",
]
