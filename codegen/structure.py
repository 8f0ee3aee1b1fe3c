"""The fast-path code of each model: a `parse_X(d)` function and a `to_dict()` method, per field.

The IR gives each field a type expression (`"str | Customer | None"`, `"ListObject[Card]"`). This
module reads it into a small tree and decides, per field, the Python expression that builds the
attribute from the decoded JSON value and the one that turns it back into JSON data:

* plain JSON (scalars, enums, `Any`, lists and maps of them): used as decoded, no code at all;
* a model: `PARSERS.Name(v)` (None stays None);
* a union of models (and strings, None): a string passes, an object goes to its model by its
  `object` tag (`one_of`, a module-level dispatcher);
* lists, maps and list pages of those: a comprehension, `list_object(v, item)`;
* any other union with models in it: the tolerant parser of that type (rare).

The templates only lay the results out (`models_module.py.j2`); the runtime helpers live in
`aiostripe._fastparse`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from codegen import ir

_TOKEN = re.compile(r'\s*(?:("(?:[^"\\]|\\.)*")|([A-Za-z_][A-Za-z0-9_.]*)|(-?\d+)|(.))')
_PLAIN_NAMES = {"str", "int", "float", "bool", "Any", "None"}
_WIRE_VALUES = {"Int64": "int64_value", "Decimal": "decimal_value", "datetime": "timestamp_value"}
"""v2 values sent as strings: the `aiostripe._wiretypes` function reading each."""


@dataclass
class Node:
    """A type expression: `name` with `args` (`list[...]`), or a union (`name == "|"`)."""

    name: str
    args: list[Node] = field(default_factory=list)


def parse_type(expr: str) -> Node:
    tokens = [next(t for t in m.groups() if t is not None) for m in _TOKEN.finditer(expr)]
    tokens = [t for t in tokens if t.strip()]
    pos = 0

    def union() -> Node:
        nonlocal pos
        members = [term()]
        while pos < len(tokens) and tokens[pos] == "|":
            pos += 1
            members.append(term())
        return members[0] if len(members) == 1 else Node("|", members)

    def term() -> Node:
        nonlocal pos
        name = tokens[pos]
        pos += 1
        node = Node(name)
        if pos < len(tokens) and tokens[pos] == "[":
            pos += 1
            while tokens[pos] != "]":
                if name == "Literal":  # values, not types
                    pos += 1
                else:
                    node.args.append(union())
                if tokens[pos] == ",":
                    pos += 1
            pos += 1
        return node

    node = union()
    if pos != len(tokens):
        raise ValueError(f"cannot read the type expression {expr!r}")
    return node


@dataclass
class FieldCode:
    attr: str  # Python attribute
    wire: str  # JSON key
    parse: str  # expression building the attribute from any `d`
    usual: str  # the same, reading the keys of the usual shape as present (`d[key]`)
    dump: str  # expression giving the JSON value from `self`
    usually_absent: bool = False  # a key of `shapes.py`'s usual absent ones (its value: None)


@dataclass
class ModelCode:
    """What the template writes for one model: a parser for payloads of the usual shape (every
    key but the usual absent ones of `shapes.py`: all of them for most models), which reads
    those keys as present, and a general one, which it hands any other payload to."""

    fields: list[FieldCode]  # the keys of the usual shape first, then the usually absent ones
    usual_len: int  # keys of the usual shape: `len(d)` equal to it means exactly those
    all_keys: str  # the condition that `d` (read the usual way) has every key, or "" if usual
    dispatchers: list[tuple[str, str]]  # module-level (name, expression) helpers

    @property
    def present(self) -> list[FieldCode]:
        """The fields whose keys the usual shape has (read as present)."""
        return [f for f in self.fields if not f.usually_absent]

    @property
    def absent(self) -> list[FieldCode]:
        """The fields whose keys the usual shape lacks (None there)."""
        return [f for f in self.fields if f.usually_absent]


class _Writer:
    def __init__(self, api: ir.API, model: ir.Model, dispatchers: list[tuple[str, str]]) -> None:
        self.api = api
        self.model = model
        self.dispatchers = dispatchers
        self.field = ""

    def expand(self, node: Node) -> Node:
        """Union aliases (`ExternalAccount`) replaced by their unions."""
        model = self.api.models.get(node.name)
        if model is not None and model.alias_of:
            return self.expand(parse_type(model.alias_of))
        if node.args:
            return Node(node.name, [self.expand(a) for a in node.args])
        return node

    def plain(self, node: Node) -> bool:
        if node.name in _PLAIN_NAMES or node.name == "Literal":
            return True
        if node.name in ("list", "dict", "|"):
            return all(self.plain(a) for a in node.args)
        return False

    def helper(self, kind: str, expr: str) -> str:
        name = f"_{kind}_{self.model.name}_{self.field}"
        if (name, expr) not in self.dispatchers:  # each parser of a field is written twice
            self.dispatchers.append((name, expr))
        return name

    def item_parser(self, node: Node) -> str:
        """A callable parsing one value of type `node` (for list pages)."""
        if self.plain(node):
            return "_F.same"
        if node.name in self.api.models:
            return f"_P.{node.name}"
        return self.helper("item", f"_F.tolerant({json.dumps(_unparse(node))})")

    def parse(self, node: Node, src: str, depth: int) -> str:
        """An expression parsing the value `src` (evaluated once) of type `node`."""
        if self.plain(node):
            return src
        if node.name == "|":
            return self.parse_union(node, src, depth)
        if node.name in _WIRE_VALUES:
            return f"_W.{_WIRE_VALUES[node.name]}({src})"
        if node.name == "StripeObject" or node.name in ir.GENERIC_MODELS.values():
            return f"_F.any_object({src})"  # any object (an event's, typed by a TypeVar)
        if node.name == "list":
            x = f"x{depth}"
            return f"[{self.parse(node.args[0], x, depth + 1)} for {x} in _F.items({src})]"
        if node.name == "dict":
            k, x = f"k{depth}", f"x{depth}"
            return f"{{{k}: {self.parse(node.args[1], x, depth + 1)} for {k}, {x} in {src}.items()}}"
        if node.name in ("ListObject", "SearchResult"):
            fn = "list_object" if node.name == "ListObject" else "search_result"
            return f"_F.{fn}({src}, {self.item_parser(node.args[0])})"
        return f"_P.{node.name}({src})"  # a model

    def parse_union(self, node: Node, src: str, depth: int) -> str:
        v = f"v{depth}" if depth else "v"
        members = [m for m in node.args if m.name != "None"]
        nullable = len(members) < len(node.args)
        strings = any(m.name == "str" for m in members)
        models = [m for m in members if m.name in self.api.models]
        others = [m for m in members if m.name != "str" and m not in models]
        untagged = len(models) > 1 and any(
            self.api.models[m.name].object_tag is None for m in models
        )  # models told apart by their fields, not an `object` tag: the tolerant path chooses
        if untagged:
            inner = f"{self.helper('union', f'_F.tolerant({json.dumps(_unparse(node))})')}({v})"
            return f"{_null(nullable)} if ({v} := {src}) is None else {inner}"
        if others and (models or not all(self.plain(m) for m in others)):
            if not models and len(members) == 1:
                inner = self.parse(members[0], v, depth + 1)
                return f"None if ({v} := {src}) is None else {inner}" if nullable else inner
            return f"{self.helper('union', f'_F.tolerant({json.dumps(_unparse(node))})')}({src})"
        if len(models) == 1:
            inner = f"_P.{models[0].name}({v})"
        else:
            names = ", ".join(json.dumps(m.name) for m in models)
            inner = f"{self.helper('one_of', f'_F.one_of({names})')}({v})"
        if strings:
            inner = f"{v} if type({v}) is str else {inner}"
        return f"{_null(nullable)} if ({v} := {src}) is None else {inner}"

    def dump(self, node: Node, src: str) -> str:
        if node.name in _WIRE_VALUES or (
            node.name == "|" and any(a.name in _WIRE_VALUES for a in node.args)
            and all(a.name in _WIRE_VALUES or a.name == "None" for a in node.args)
        ):
            return f"_W.wire_text({src})"
        if self.plain(node) and "Any" not in _unparse(node):
            return src
        return f"_F.dump({src})"


def _null(typed_optional: bool) -> str:
    """The null kept where a value is null: `None` where the field's type admits it, else
    `_F.NULL` (None typed `Any`, for a required field that Stripe sent as null)."""
    return "None" if typed_optional else "_F.NULL"


def _unparse(node: Node) -> str:
    if node.name == "|":
        return " | ".join(_unparse(a) for a in node.args)
    if node.name == "Literal":
        return "str"  # only the kind matters to the parsers
    if node.args:
        return f"{node.name}[{', '.join(_unparse(a) for a in node.args)}]"
    return node.name


def model_code(model: ir.Model, api: ir.API, dispatchers: list[tuple[str, str]]) -> ModelCode:
    writer = _Writer(api, model, dispatchers)
    usual_absent = set(model.usual_absent)
    fields = []
    for f in model.fields:
        writer.field = f.name
        node = writer.expand(parse_type(f.type))
        key = json.dumps(f.wire)
        anywhere = f"d[{key}]" if f.required else f"d.get({key})"
        # the usual shape's keys are read as present: a KeyError sends `d` the general way
        absent = f.wire in usual_absent
        usual = f"d.get({key})" if absent else f"d[{key}]"
        fields.append(FieldCode(
            f.name, f.wire, _field_parse(writer, node, f, anywhere),
            _field_parse(writer, node, f, usual), writer.dump(node, f"self.{f.name}"), absent,
        ))
    if any(f.usually_absent and not _none_when_absent(f) for f in fields):
        raise ValueError(f"{model.name}: a usually absent field that does not read as None")
    fields.sort(key=lambda f: f.usually_absent)  # (a stable sort: the spec's order otherwise)
    absent = [json.dumps(w) for w in sorted(usual_absent)]
    return ModelCode(
        fields,
        usual_len=len(model.fields) - len(usual_absent),
        all_keys=" and ".join([f"len(d) == {len(model.fields)}"] + [f"{w} in d" for w in absent])
        if absent else "",
        dispatchers=dispatchers,
    )


def _none_when_absent(f: FieldCode) -> bool:
    """Whether the usual expression of a usually absent field gives None when its key is absent
    (`d.get(key)`, or `None if (v := d.get(key)) is None else ...`): the usual shape's parser
    then sets None without looking the key up."""
    get = f"d.get({json.dumps(f.wire)})"
    return f.usual == get or f.usual.startswith(f"None if (v := {get}) is None else ")


def _field_parse(writer: _Writer, node: Node, f: ir.Field, src: str) -> str:
    """The expression building the attribute of field `f` from the value `src`."""
    if node.name in writer.api.models or node.name in ("ListObject", "SearchResult"):
        # an object where a null came: the null stays (as in the tolerant path)
        return f"{_null(not f.required)} if (v := {src}) is None else {writer.parse(node, 'v', 1)}"
    return writer.parse(node, src, 0)
