"""The model's own attribute ruler (tag -> POS/morphology, lemma exceptions), matched through an index.

spaCy's AttributeRuler runs every token against all of its ~180 Matcher patterns; in the small English model
that is about a twelfth of a full parse. The patterns are plain token tests (equality, IN, NOT_IN, REGEX on
TAG, LOWER, DEP, IS_SPACE), so an index on the first token's TAG/LOWER/DEP finds the same matches, which are
then applied exactly as the AttributeRuler applies them (same order, same ``set_token_attrs``).
``indexed_attribute_ruler`` returns None when a model's patterns use anything else (operators, other
attributes): the pipeline then keeps spaCy's component.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from spacy.attrs import DEP, IS_SPACE, LOWER, TAG
from spacy.language import Language
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc
from spacy.tokens._retokenize import set_token_attrs

FACTORY = "claims_indexed_attribute_ruler"
COLUMNS = {"TAG": 0, "LOWER": 1, "DEP": 2, "IS_SPACE": 3}
INDEXED = ("TAG", "LOWER", "DEP")
MEMO_SIZE = 200_000

Test = Callable[[int], bool]


@dataclass(frozen=True)
class _Rule:
    order: int  # the AttributeRuler's attribute id: later rules win
    tokens: tuple[tuple[tuple[int, Test], ...], ...]  # per token: (column, test) pairs
    index: int  # which token of the match gets the attributes


class IndexedAttributeRuler(AttributeRuler):
    """An AttributeRuler whose ``match`` uses an index instead of the Matcher (same results)."""

    def __init__(self, vocab, name: str = "attribute_ruler", **kwargs):
        super().__init__(vocab, name, **kwargs)
        self._index: dict[tuple[int, int], list[_Rule]] | None = None
        self._scan: list[_Rule] = []
        self._memo: dict[tuple[int, ...], tuple[_Rule, ...]] = {}  # a token's values -> rules its first spec passes

    def load_from(self, other: AttributeRuler) -> bool:
        """Copy ``other``'s patterns; False (and nothing indexed) if one of them is not supported."""
        self.add_patterns(other.patterns)
        index: dict[tuple[int, int], list[_Rule]] = {}
        scan: list[_Rule] = []
        for order, entry in enumerate(self.patterns):
            for alternative in entry["patterns"]:
                rule = self._compile(order, alternative, entry.get("index", 0))
                if rule is None:
                    return False
                keys = _index_keys(self.vocab, alternative[0])
                for key in keys or ():
                    index.setdefault(key, []).append(rule)
                if not keys:
                    scan.append(rule)
        self._index, self._scan = index, scan
        return True

    def match(self, doc: Doc):
        if self._index is None:
            return super().match(doc)
        cols = doc.to_array([TAG, LOWER, DEP, IS_SPACE]).tolist()
        found = set()
        for start, row in enumerate(cols):
            key = tuple(row)
            first = self._memo.get(key)
            if first is None:
                if len(self._memo) >= MEMO_SIZE:
                    self._memo.clear()
                first = self._memo[key] = self._first_token(row)
            for rule in first:
                end = start + len(rule.tokens)
                if end == start + 1 or (end <= len(cols) and all(
                        _passes(cols[start + k], rule.tokens[k]) for k in range(1, len(rule.tokens)))):
                    found.add((rule.order, start, end))
        return [(order, None, start, end) for order, start, end in sorted(found)]

    def set_annotations(self, doc: Doc, matches) -> None:
        if self._index is None:
            return super().set_annotations(doc, matches)
        for order, _, start, end in matches:
            offset = self.indices[order]
            set_token_attrs(doc[start + offset if offset >= 0 else end + offset], self.attrs[order])

    def _first_token(self, row: list[int]) -> tuple[_Rule, ...]:
        """Rules whose first token spec this token (its TAG, LOWER, DEP, IS_SPACE values) passes."""
        rules = list(self._scan)
        for name in INDEXED:
            rules.extend(self._index.get((COLUMNS[name], row[COLUMNS[name]]), ()))
        return tuple(r for r in rules if _passes(row, r.tokens[0]))

    def _compile(self, order: int, alternative: list[dict], index: int) -> _Rule | None:
        tokens = []
        for spec in alternative:
            tests = []
            for key, value in spec.items():
                test = _test(self.vocab, key, value)
                if test is None:
                    return None
                tests.append((COLUMNS[key], test))
            tokens.append(tuple(tests))
        return _Rule(order, tuple(tokens), index)


def _passes(row: list[int], tests: tuple[tuple[int, Test], ...]) -> bool:
    return all(test(row[col]) for col, test in tests)


def _hash(vocab, text: str) -> int:
    return 0 if text == "" else vocab.strings.add(text)


def _test(vocab, key: str, value) -> Test | None:
    if key not in COLUMNS:
        return None
    if key == "IS_SPACE":
        return (lambda v: bool(v)) if value else (lambda v: not v)
    if isinstance(value, str):
        h = _hash(vocab, value)
        return lambda v: v == h
    if not isinstance(value, dict) or len(value) != 1:
        return None
    (op, arg), = value.items()
    if op == "IN":
        allowed = frozenset(_hash(vocab, a) for a in arg)
        return lambda v: v in allowed
    if op == "NOT_IN":
        banned = frozenset(_hash(vocab, a) for a in arg)
        return lambda v: v not in banned
    if op == "REGEX":
        pattern = re.compile(arg)
        return lambda v: bool(pattern.search(vocab.strings[v] if v else ""))
    return None


def _index_keys(vocab, first: dict) -> list[tuple[int, int]] | None:
    """Index entries for a pattern's first token: its TAG, LOWER or DEP value(s); None if it has none."""
    for name in INDEXED:
        value = first.get(name)
        if isinstance(value, str):
            return [(COLUMNS[name], _hash(vocab, value))]
        if isinstance(value, dict) and set(value) == {"IN"}:
            return [(COLUMNS[name], _hash(vocab, v)) for v in value["IN"]]
    return None


def indexed_attribute_ruler(nlp: Language) -> bool:
    """Swap the model's "attribute_ruler" for the indexed one in place; False if kept as it was."""
    name = "attribute_ruler"
    if name not in nlp.pipe_names or not isinstance(nlp.get_pipe(name), AttributeRuler):
        return False
    if not Language.has_factory(FACTORY):
        Language.factory(FACTORY, func=lambda nlp, name: IndexedAttributeRuler(nlp.vocab, name))
    original = nlp.get_pipe(name)
    fast = IndexedAttributeRuler(nlp.vocab, name)
    if not fast.load_from(original):
        return False
    nlp.replace_pipe(name, FACTORY)
    nlp.get_pipe(name).load_from(original)
    return True
