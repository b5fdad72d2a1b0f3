"""Read lapse.yaml into plain data while keeping where every key and value was written.

PyYAML's ``compose`` gives the node tree with marks; building the data from it ourselves keeps
positions, catches duplicate keys (which ``safe_load`` silently resolves to the last one) and
never constructs anything but plain scalars, lists and mappings.

Reading is bounded (:class:`BoundedLoader`): a file larger than :data:`MAX_BYTES`, nesting
deeper than :data:`MAX_DEPTH`, an alias inside its own anchor, or aliases that together repeat
more than :data:`MAX_ALIASED` values (a "billion laughs" file: a few lines that expand to
billions of values) is refused with a diagnostic, before anything is expanded.
"""

from __future__ import annotations

from typing import Any, cast

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..errors import Diagnostic, Location
from .document import MAX_BYTES, Document, too_large
from .paths import DocPath, dotted

_PLAIN_TAGS = {"tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
               "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"}
_TEXT_TAGS = {"tag:yaml.org,2002:timestamp"}  # read as the text written: no field is a date
_MERGE_TAG = "tag:yaml.org,2002:merge"
_COLLECTION_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}

MAX_DEPTH = 50  # nested lists and mappings; a lapse.yaml nests about 5 deep
MAX_ALIASED = 10_000  # values repeated by aliases (*name), all aliases together


class YamlLimitError(Exception):
    """The text is too large, too deep or expands too far to be read; carries why and where."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


class BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader, composing with limits on depth and on what aliases repeat.

    The composer shares an anchored node among its aliases, so composing is cheap; expanding
    the shared nodes into data is what explodes. Each node's expanded size is counted while
    composing, so an alias that would repeat too much is refused at the alias itself.
    """

    def __init__(self, text: str, file: str):
        super().__init__(text)
        self.file = file
        self._depth = 0
        self._open: set[str] = set()  # anchors whose node is still being composed
        self._sizes: dict[str, int] = {}  # anchor -> values its node expands to
        self._expanded = 0  # values the document expands to so far
        self._composed = 0  # nodes actually written

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            self._alias(event.anchor or "", event.start_mark)
            return cast(Node, super().compose_node(parent, index))
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise YamlLimitError(Diagnostic(
                f"the YAML nests more than {MAX_DEPTH} levels deep here",
                location=mark_location(self.file, event.start_mark),
                hint="lapse.yaml nests only a few levels (outputs, then one output's keys): "
                     "check for unclosed '[' or '{', or a generated file"))
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            self._open.add(anchor)
        before = self._expanded
        self._expanded += 1
        self._composed += 1
        node = cast(Node, super().compose_node(parent, index))
        if anchor is not None:
            self._open.discard(anchor)
            self._sizes[anchor] = self._expanded - before
        self._depth -= 1
        return node

    def _alias(self, anchor: str, mark: Any) -> None:
        where = mark_location(self.file, mark) if mark else Location(self.file, 1, 1)
        if anchor in self._open:
            raise YamlLimitError(Diagnostic(
                f"the alias *{anchor} is inside the value of its own anchor &{anchor}: it "
                "would repeat itself forever", location=where,
                hint=f"an alias can only repeat a value that is complete: move *{anchor} "
                     f"out of the value marked &{anchor}, or write the value out"))
        self._expanded += self._sizes.get(anchor, 1)  # undefined: the composer reports it
        if self._expanded - self._composed > MAX_ALIASED:
            raise YamlLimitError(Diagnostic(
                f"the aliases (*name) in this file repeat more than {MAX_ALIASED:,} values; "
                f"reading stopped at *{anchor}", location=where,
                hint="aliases nested inside aliases multiply (a \"billion laughs\" file): "
                     "write the values out, or alias only small values such as an output's "
                     "settings"))


def compose_bounded(text: str, file: str) -> Node | None:
    """The node tree of ``text`` within the limits; raises :class:`YamlLimitError` or
    ``yaml.YAMLError``."""
    if len(text) > MAX_BYTES:
        raise YamlLimitError(too_large(file, len(text.encode("utf-8"))))
    loader = BoundedLoader(text, file)
    try:
        return cast("Node | None", loader.get_single_node())
    finally:
        loader.dispose()


def parse_yaml(text: str, file: str) -> tuple[Document | None, list[Diagnostic]]:
    """The document in ``text``, or None with a diagnostic explaining the syntax error."""
    try:
        root = compose_bounded(text, file)
    except YamlLimitError as exc:
        return None, [exc.diagnostic]
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_diagnostic(exc, file)]
    except yaml.YAMLError as exc:  # reader errors: control characters, bad encoding
        return None, [Diagnostic(f"not readable as YAML: {exc}", location=Location(file, 1, 1))]
    if root is None:
        return None, [Diagnostic("the file is empty", location=Location(file, 1, 1),
                                 hint="start with `version: 1`, then `frames:` and `outputs:`")]
    builder = _Builder(file)
    document = Document(builder.build(root, ()), builder.values, builder.keys, builder.plain,
                        builder.written)
    return document, builder.diagnostics


def mark_location(file: str, mark: yaml.Mark) -> Location:
    return Location(file, mark.line + 1, mark.column + 1)


class _Builder:
    def __init__(self, file: str):
        self.file = file
        self.values: dict[DocPath, Location] = {}
        self.keys: dict[DocPath, Location] = {}
        self.plain: set[DocPath] = set()
        self.written: dict[DocPath, str] = {}
        self.diagnostics: list[Diagnostic] = []
        self._constructor = yaml.SafeLoader("")

    def where(self, node: Node) -> Location:
        return mark_location(self.file, node.start_mark)

    def build(self, node: Node, path: DocPath) -> Any:
        self.values[path] = self.where(node)
        if not isinstance(node, ScalarNode) and node.tag not in _COLLECTION_TAGS:
            self._refuse_tag(node, path)
        if isinstance(node, MappingNode):
            return self._mapping(node, path)
        if isinstance(node, SequenceNode):
            return [self.build(item, path + (index,)) for index, item in enumerate(node.value)]
        # The composer makes only scalar, sequence and mapping nodes: this one is a scalar.
        return self._scalar(cast(ScalarNode, node), path)

    def _scalar(self, node: ScalarNode, path: DocPath) -> Any:
        if node.tag in _TEXT_TAGS or (":" in node.value and node.tag != "tag:yaml.org,2002:str"
                                      and node.style is None and node.tag in _PLAIN_TAGS):
            # YAML 1.1 reads `aspect: 16:9` as the base-60 number 969; nobody means that.
            value: Any = node.value
        elif node.tag in _PLAIN_TAGS:
            value = self._constructor.construct_object(node, deep=True)
            if not isinstance(value, str) and node.style is None:
                self.written[path] = node.value
        else:
            self._refuse_tag(node, path)
            value = node.value
        if isinstance(value, str) and node.style is None:
            self.plain.add(path)
        return value

    def _refuse_tag(self, node: Node, path: DocPath) -> None:
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        self.diagnostics.append(Diagnostic(
            f"the YAML tag {tag} is not allowed here", path=dotted(path), location=self.where(node),
            hint="lapse.yaml holds plain values only: remove the tag (quote the value if it "
                 "must stay text)"))

    def _mapping(self, node: MappingNode, path: DocPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, Location] = {}
        merged: list[tuple[str, Node, Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                merged.extend(self._merge_sources(value_node, path))
                continue
            if not isinstance(key_node, ScalarNode):
                self.diagnostics.append(Diagnostic(
                    "a key must be a plain name, not a list or mapping", path=dotted(path),
                    location=self.where(key_node)))
                continue
            key = key_node.value
            if key in first_seen:
                self._duplicate(key, path, key_node, first_seen[key])
                continue
            first_seen[key] = self.keys[path + (key,)] = self.where(key_node)
            result[key] = self.build(value_node, path + (key,))
        for key, key_node, value_node in merged:  # explicit keys win over `<<:` merged ones
            if key not in result:
                self.keys[path + (key,)] = self.where(key_node)
                result[key] = self.build(value_node, path + (key,))
        return result

    def _duplicate(self, key: str, path: DocPath, node: Node, first: Location) -> None:
        self.diagnostics.append(Diagnostic(
            f"duplicate key '{key}' (first written at line {first.line}, column {first.col})",
            path=dotted(path + (key,)), location=self.where(node),
            hint="remove one of them: YAML keeps only one value per key"))

    def _merge_sources(self, node: Node, path: DocPath) -> list[tuple[str, Node, Node]]:
        sources = node.value if isinstance(node, SequenceNode) else [node]
        pairs: list[tuple[str, Node, Node]] = []
        for source in sources:
            if not isinstance(source, MappingNode):
                self.diagnostics.append(Diagnostic(
                    "`<<:` merges only mappings (an alias such as *defaults)",
                    path=dotted(path), location=self.where(source)))
                continue
            pairs.extend((k.value, k, v) for k, v in source.value if isinstance(k, ScalarNode))
        return pairs


def _syntax_diagnostic(exc: yaml.MarkedYAMLError, file: str) -> Diagnostic:
    problem = exc.problem or str(exc)
    context = exc.context or ""
    mark = exc.problem_mark or exc.context_mark
    message, hint = _explain(problem, context, exc)
    if "quoted scalar" in context and exc.context_mark is not None:
        mark = exc.context_mark  # point at the opening quote, not at the end of the file
    location = mark_location(file, mark) if mark is not None else Location(file, 1, 1)
    return Diagnostic(f"YAML syntax error: {message}", location=location, hint=hint)


def _explain(problem: str, context: str, exc: yaml.MarkedYAMLError) -> tuple[str, str | None]:
    """A plain explanation of a PyYAML problem, and how to fix it."""
    opened = exc.context_mark
    opened_at = f"line {opened.line + 1}, column {opened.column + 1}" if opened else "above"
    if "'\\t'" in problem:
        return ("a tab character", "YAML indents with spaces only: replace the tab by spaces")
    if "quoted scalar" in context:
        return ("this quoted string is never closed",
                "add the closing quote (a quote inside a value is written twice in '...', "
                "or as \\\" in \"...\")")
    if "flow sequence" in context:
        return (f"a '[' list opened at {opened_at} is not closed", "add the closing ']' "
                "(or a ',' between items)")
    if "flow mapping" in context:
        return (f"a '{{' mapping opened at {opened_at} is not closed", "add the closing '}' "
                "(or a ',' between entries)")
    if "mapping values are not allowed" in problem:
        return ("a ':' where no key can start", "check this line's indentation against the "
                "line above; a value that contains ': ' must be quoted")
    if "expected <block end>" in problem or "could not find expected ':'" in problem:
        return ("bad indentation: this line does not line up with the block it belongs to",
                "indent every key of a mapping, and every '- ' of a list, by the same spaces")
    if "cannot start any token" in problem:
        char = problem.split("'")[1] if "'" in problem else "this character"
        return (f"{char!r} cannot start a plain value", "put the value in quotes")
    if "undefined alias" in problem:
        return (problem, "define the anchor (&name) before using the alias (*name)")
    if "single document" in problem + context:
        return ("more than one YAML document ('---') in the file",
                "lapse.yaml holds one document: remove the extra '---'")
    text = f"{problem} ({context})" if context else problem
    return text, None
