"""What the hand-written SDK uses of the generated client, computed from the two sources.

Nothing here is a hand-kept list: every `.py` file under the wrapper package is parsed
(whatever its modules are called or wherever they move), and so is the generated package.

The rule, in the terms a change report needs:

- **imported**: the names the wrapper imports from `asc_builds_generated` (models, enum
  classes, operation modules), in `from ... import` or `import ...` form, at any depth
  (including imports inside functions and `TYPE_CHECKING` blocks).
- **names**: the identifiers the wrapper reads or writes on anything: attribute names
  (`build.attributes`), keyword arguments (`BuildUpdateRequestDataAttributes(expired=...)`,
  `_get_kwargs(fieldsbuilds=...)`) and string constants that are identifiers
  (`getattr(attributes, "uploaded_date")`, `options["filterapp"] = ...`). A generated
  property or parameter counts as used when its Python name is among them. Without type
  inference the rule cannot tell on which object a name is used, so it errs towards
  "used": a change it wrongly calls used shows in the first section, never vanishes.
- **strings**: every string constant; an enum value counts as used when the wrapper spells
  it (`"appEncryptionDeclaration"`) or names its member (`Item.BUNDLEID`).
- **iterated**: generated enum classes the wrapper walks whole (`for item in Enum`,
  `list(Enum)`): every value of those is used (the SDK accepts what the enum lists).
- **picked**: generated classes the wrapper passes as values (`isinstance(item, Model)`,
  `pick(items, Model)`): the members of a `oneOf` it tells apart; a class only named in
  annotations is not picked.
- **sent**: per operation module, the keywords of its `_get_kwargs` calls: the parameters
  the SDK sends; where a call passes `**options`, the string constants count too (the
  keys of the options dict: `options["filterapp"] = ...`).
- **response_parsing**: operation modules whose response functions (`sync`,
  `asyncio`, `_parse_response`, ...) the wrapper calls; the others are used for the request
  only (`_get_kwargs`), so their documented responses do not reach the SDK.

From the generated package: the Python name of every JSON property (from `to_dict`),
each operation's module and parameters (query name -> Python name -> enum class), and
each enum class's members.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["GENERATED_PACKAGE", "Operation", "SdkUsage", "read_usage"]

GENERATED_PACKAGE = "asc_builds_generated"
# Operation-module functions that parse responses; `_get_kwargs` only builds the request.
_RESPONSE_FUNCTIONS = frozenset(
    {"sync", "sync_detailed", "asyncio", "asyncio_detailed", "_parse_response", "_build_response"}
)
_ITERATING_CALLS = frozenset({"list", "tuple", "set", "frozenset", "sorted", "iter"})


@dataclass(frozen=True)
class Operation:
    """One generated operation module: `key` is "METHOD /path" as the diff names it."""

    module: str
    key: str
    # "query fields[builds]" -> ("fieldsbuilds", "BuildsGetInstanceFieldsbuildsItem" or None)
    parameters: dict[str, tuple[str, str | None]] = field(default_factory=dict)


@dataclass
class SdkUsage:
    """What the wrapper package uses, and the generated facts needed to read changes."""

    imported: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    strings: set[str] = field(default_factory=set)
    iterated: set[str] = field(default_factory=set)
    response_parsing: set[str] = field(default_factory=set)
    picked: set[str] = field(default_factory=set)
    sent: dict[str, set[str]] = field(default_factory=dict)  # module -> `_get_kwargs` keywords
    splat: set[str] = field(default_factory=set)  # modules whose `_get_kwargs` gets `**options`
    # Generated side.
    python_names: dict[str, str] = field(default_factory=dict)  # JSON property -> Python
    operations: dict[str, Operation] = field(default_factory=dict)  # by key
    enum_members: dict[str, dict[str, str]] = field(default_factory=dict)  # class -> value -> name
    model_classes: set[str] = field(default_factory=set)

    def python_name(self, json_name: str) -> str:
        return self.python_names.get(json_name, json_name)

    def uses_name(self, json_name: str) -> bool:
        return self.python_name(json_name) in self.names

    def uses_value(self, value: object, enum_class: str | None) -> bool:
        """Whether the wrapper spells `value`, names its member, or walks its whole enum."""
        if enum_class is not None and enum_class in self.iterated:
            return True
        if isinstance(value, str) and value in self.strings:
            return True
        members = self.enum_members.get(enum_class or "", {})
        return isinstance(value, str) and members.get(value) in self.names

    def sends(self, module: str, python_name: str) -> bool:
        """Whether the wrapper passes `python_name` to the operation's `_get_kwargs`."""
        if python_name in self.sent.get(module, set()):
            return True
        return module in self.splat and python_name in self.strings

    def operation_module_used(self, key: str) -> Operation | None:
        operation = self.operations.get(key)
        return operation if operation is not None and operation.module in self.imported else None


def _parse(path: Path) -> ast.Module | None:
    try:
        return ast.parse(path.read_text("utf-8"), filename=str(path))
    except (SyntaxError, UnicodeDecodeError):
        return None


def _python_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


class _WrapperScan(ast.NodeVisitor):
    def __init__(self, usage: SdkUsage) -> None:
        self.usage = usage
        self.module_aliases: dict[str, str] = {}  # local name -> generated name

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module and (node.module.split(".")[0] == GENERATED_PACKAGE):
            for alias in node.names:
                self.usage.imported.add(alias.name)
                self.module_aliases[alias.asname or alias.name] = alias.name

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            parts = alias.name.split(".")
            if parts[0] == GENERATED_PACKAGE and len(parts) > 1:
                self.usage.imported.add(parts[-1])
                if alias.asname:
                    self.module_aliases[alias.asname] = parts[-1]

    def visit_Attribute(self, node: ast.Attribute) -> None:
        self.usage.names.add(node.attr)
        receiver = node.value
        module = self.module_aliases.get(receiver.id) if isinstance(receiver, ast.Name) else None
        if module is not None and node.attr in _RESPONSE_FUNCTIONS:
            self.usage.response_parsing.add(module)
        self.generic_visit(node)

    def visit_keyword(self, node: ast.keyword) -> None:
        if node.arg:
            self.usage.names.add(node.arg)
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str):
            self.usage.strings.add(node.value)
            if node.value.isidentifier():
                self.usage.names.add(node.value)

    def _iterates(self, node: ast.expr) -> None:
        if isinstance(node, ast.Name) and node.id in self.module_aliases:
            self.usage.iterated.add(self.module_aliases[node.id])

    def visit_For(self, node: ast.For) -> None:
        self._iterates(node.iter)
        self.generic_visit(node)

    def visit_comprehension(self, node: ast.comprehension) -> None:
        self._iterates(node.iter)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Name) and node.func.id in _ITERATING_CALLS and node.args:
            self._iterates(node.args[0])
        for argument in node.args:
            for item in argument.elts if isinstance(argument, ast.Tuple) else [argument]:
                if isinstance(item, ast.Name) and item.id in self.module_aliases:
                    self.usage.picked.add(self.module_aliases[item.id])
        function = node.func
        if (
            isinstance(function, ast.Attribute)
            and function.attr == "_get_kwargs"
            and isinstance(function.value, ast.Name)
            and function.value.id in self.module_aliases
        ):
            module = self.module_aliases[function.value.id]
            keywords = self.usage.sent.setdefault(module, set())
            for keyword in node.keywords:
                if keyword.arg is None:
                    self.usage.splat.add(module)
                else:
                    keywords.add(keyword.arg)
        self.generic_visit(node)


def _scan_model(tree: ast.Module, usage: SdkUsage) -> None:
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            usage.model_classes.add(node.name)
            members = {
                statement.value.value: target.id
                for statement in node.body
                if isinstance(statement, ast.Assign)
                and isinstance(statement.value, ast.Constant)
                and isinstance(statement.value.value, str)
                for target in statement.targets
                if isinstance(target, ast.Name) and target.id.isupper()
            }
            if members:
                usage.enum_members[node.name] = members
        if isinstance(node, ast.FunctionDef) and node.name == "to_dict":
            _scan_to_dict(node, usage)


def _scan_to_dict(function: ast.FunctionDef, usage: SdkUsage) -> None:
    """`field_dict["usesNonExemptEncryption"] = uses_non_exempt_encryption` and
    `field_dict.update({"id": id})`: the generator's templates name the local after the
    attrs field, so each JSON key maps to its Python name."""
    pairs: list[tuple[ast.expr | None, ast.expr]] = []
    for node in ast.walk(function):
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Subscript)
            and isinstance(node.targets[0].value, ast.Name)
            and node.targets[0].value.id == "field_dict"
        ):
            pairs.append((node.targets[0].slice, node.value))
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "update"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "field_dict"
            and node.args
            and isinstance(node.args[0], ast.Dict)
        ):
            pairs += zip(node.args[0].keys, node.args[0].values, strict=True)
    for key, value in pairs:
        if (
            isinstance(key, ast.Constant)
            and isinstance(key.value, str)
            and isinstance(value, ast.Name)
        ):
            usage.python_names.setdefault(key.value, value.id)


def _annotation_class(annotation: ast.expr | None, classes: set[str]) -> str | None:
    if annotation is None:
        return None
    for node in ast.walk(annotation):
        if isinstance(node, ast.Name) and node.id in classes:
            return node.id
    return None


def _scan_operation(module: str, tree: ast.Module, classes: set[str]) -> Operation | None:
    get_kwargs = next(
        (n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "_get_kwargs"), None
    )
    if get_kwargs is None:
        return None
    method = url = None
    arguments = {
        a.arg: _annotation_class(a.annotation, classes)
        for a in [*get_kwargs.args.args, *get_kwargs.args.kwonlyargs]
    }
    parameters: dict[str, tuple[str, str | None]] = {}
    for node in ast.walk(get_kwargs):
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if not isinstance(key, ast.Constant):
                    continue
                if key.value == "method" and isinstance(value, ast.Constant):
                    method = str(value.value).upper()
                if key.value == "url":
                    # "/v1/builds/{id}".format(...) or a plain "/v1/builds"
                    text = value.func if isinstance(value, ast.Call) else value
                    if isinstance(text, ast.Attribute):
                        text = text.value
                    if isinstance(text, ast.Constant):
                        url = str(text.value)
        # params["fields[builds]"] = json_fieldsbuilds (or the argument itself)
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Subscript)
            and isinstance(node.targets[0].value, ast.Name)
            and node.targets[0].value.id == "params"
            and isinstance(node.targets[0].slice, ast.Constant)
            and isinstance(node.value, ast.Name)
        ):
            python = node.value.id.removeprefix("json_")
            if python in arguments:
                query = f"query {node.targets[0].slice.value!s}"
                parameters[query] = (python, arguments[python])
    for name, enum_class in arguments.items():
        parameters.setdefault(f"path {name}", (name, enum_class))
    if method is None or url is None:
        return None
    return Operation(module=module, key=f"{method} {url}", parameters=parameters)


def read_usage(wrapper: Path, generated: Path) -> SdkUsage | None:
    """The usage of `generated` (the package folder) by `wrapper` (the package folder);
    None when either is missing: a report then says it cannot tell."""
    if not wrapper.is_dir() or not (generated / "models").is_dir():
        return None
    usage = SdkUsage()
    scan = _WrapperScan(usage)
    for path in _python_files(wrapper):
        tree = _parse(path)
        if tree is not None:
            scan.module_aliases = {}
            scan.visit(tree)
    for path in _python_files(generated / "models"):
        tree = _parse(path)
        if tree is not None:
            _scan_model(tree, usage)
    for path in _python_files(generated / "api"):
        tree = _parse(path)
        operation = _scan_operation(path.stem, tree, usage.model_classes) if tree else None
        if operation is not None:
            usage.operations[operation.key] = operation
    return usage
