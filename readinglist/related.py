"""Related papers: for each paper, the most similar others by TF-IDF cosine over title and
abstract, computed once per build, and updated rather than recomputed after an edit in the
preview.

The rules (what ``tests/test_related.py`` checks against a plain-Python reference):

- a paper's text is its title twice and its abstract; its terms are the lowercased words of
  ``_TOKEN`` that are not stop words, with their counts;
- a term found in fewer than 2 papers or in more than ``min(MAX_DF, N // 2)`` of the N papers
  is left out;
- a term's weight in a paper is ``(1 + ln count) * (ln((1 + N) / (1 + df)) + 1)`` (sublinear
  term frequency, smoothed IDF, as scikit-learn's ``TfidfVectorizer(sublinear_tf=True)``);
  each paper's weights are divided by their Euclidean norm;
- the similarity of two papers is the dot product of those unit vectors (float64); papers
  sharing no term are never related;
- a paper's related papers are the ``COUNT`` others with the highest similarity rounded to 6
  decimals (Python's ``round``), ties going to the one sharing more topics, then to the one
  earlier in catalog order (newer).

Cost: papers are rows of a sparse matrix X (SciPy); similarities are X @ X.T, computed in row
blocks so memory stays bounded. The work of a sparse product is the sum over terms of df^2, so
the DF cap is what keeps the cost linear in the number of papers (frequent terms say little
about similarity, their IDF is low). Each block's best entries are picked with array
operations: a lower bound on every row's k-th best similarity (the smallest of the maxima of
k + 1 slices of the row) leaves a few candidates per row, which are sorted by the full rule.

Exactness: every weight is a pure function of the term's count, its DF and N (``math.log``),
each row's terms are stored in alphabetical order and norms and dot products are summed in
that order, so a paper's vector and the similarity of two papers are the same bits however
the rest of the list changes, and ``sim(a, b) == sim(b, a)``. That is what lets ``update``
recompute only what an edit changed and still give, bit for bit, what a clean build computes.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import chain, repeat

import numpy as np
from scipy import sparse

from .model import Paper

COUNT = 5
#: A term found in more papers than this (or in more than half of them) is ignored for
#: similarity (see the module docstring).
MAX_DF = 400
BLOCK = 512
#: The preview keeps each paper's best ``KEPT`` others (not just ``COUNT``): after an edit, a
#: row whose shown papers changed can then usually be put right from the kept ones.
KEPT = 10
#: ``update`` computes everything again when more papers than this changed their text or
#: topics, or when more than 1 in ``AGAIN_SHARE`` papers must be ranked again (then the full
#: computation costs little more, and keeps nothing stale).
MAX_CHANGED = 64
AGAIN_SHARE = 8
#: Candidates within this of a row's bound are kept: rounding to 6 decimals may tie them.
_MARGIN = 2e-6
_TOKEN = re.compile(r"\b[a-z][a-z0-9-]+\b")
#: Common English words; with the DF cap they would be dropped anyway on a large list, this
#: keeps small lists clean too.
STOP_WORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have having
he her here hers him his how i if in into is it its itself just may me more most much must my no nor not
now of off on once only or other our ours out over own same she should so some such than that the their
them then there these they this those through to too under until up very was we were what when where
which while who whom why will with would you your yours via using use used show shows propose proposed
paper approach method methods based new results work study also however while whereas thus
""".split())

Inputs = tuple[str, str, tuple[str, ...]]


def terms_of(text: str) -> Counter:
    """A text's terms and their counts, stop words left out, in order of first occurrence."""
    terms = Counter(_TOKEN.findall(text.lower()))
    for word in STOP_WORDS.intersection(terms):
        del terms[word]
    return terms


def text_of(paper: Paper) -> str:
    """The text a paper's terms come from: the title counts twice."""
    return f"{paper.title} {paper.title} {paper.abstract}"


def related_papers(papers: list[Paper], count: int = COUNT, terms_cache: dict[str, Counter] | None = None) -> dict[str, list[Paper]]:
    """``paper.path -> up to `count` related papers``, most similar first, for every paper.

    ``papers`` must be in catalog order (newest first): that order breaks the last ties.
    ``terms_cache`` keeps each text's terms between calls (``mkdocs serve``): the result is
    the same with or without it."""
    return compute(papers, count, terms_cache).related(papers, count)


@dataclass
class Related:
    """The related papers of a list, and what ``update`` needs to redo them after an edit."""

    paths: list[str]
    inputs: list[Inputs]
    """Each paper's title, abstract and topics: what its row depends on."""
    terms: list[Counter]
    df: Counter
    """Each term's document frequency (terms outside the vocabulary too)."""
    vocabulary: list[str]
    """The terms kept, sorted: the matrix's columns."""
    matrix: sparse.csr_matrix
    """Unit-length TF-IDF rows (float64), each row's columns in increasing order."""
    best: np.ndarray
    """``(N, k)``: each paper's best others (row numbers), best first, ``-1`` past the last."""
    sims: np.ndarray
    """Their similarities."""
    trusted: np.ndarray
    """How many of each row's ``best`` are certainly its best (an update may shorten it)."""
    complete: np.ndarray
    """Whether ``best`` holds every paper with a similarity above 0."""

    def related(self, papers: list[Paper], count: int = COUNT) -> dict[str, list[Paper]]:
        """``path -> its related papers`` for ``papers``, the list this was computed for."""
        return {paper.path: [papers[j] for j in row if j >= 0] for paper, row in zip(papers, self.best[:, :count].tolist(), strict=True)}


def compute(papers: list[Paper], kept: int = COUNT, terms_cache: dict[str, Counter] | None = None) -> Related:
    """Every paper's ``kept`` best others, computed from nothing (``terms_cache`` aside)."""
    texts = [text_of(p) for p in papers]
    terms = _terms(texts, terms_cache)
    if terms_cache is not None and len(terms_cache) > len(texts):  # forget texts no longer in the list
        current = set(texts)
        for text in [t for t in terms_cache if t not in current]:
            del terms_cache[text]
    n = len(papers)
    # Every term numbered once; a Counter's keys are distinct, so counting numbers gives the DF.
    flat = list(chain.from_iterable(terms))
    number = {term: i for i, term in enumerate(dict.fromkeys(flat))}
    numbers = np.fromiter(map(number.__getitem__, flat), dtype=np.int64, count=len(flat))
    df = Counter(dict(zip(number, np.bincount(numbers, minlength=len(number)).tolist(), strict=True)))
    max_df = min(MAX_DF, n // 2)
    vocabulary = sorted(term for term, d in df.items() if 2 <= d <= max_df)
    column = np.full(len(number), -1, dtype=np.int64)
    column[np.fromiter((number[term] for term in vocabulary), dtype=np.int64, count=len(vocabulary))] = np.arange(len(vocabulary))
    matrix = _matrix(terms, vocabulary, df, n, column[numbers])
    best, sims, positives = _best_of_rows(matrix, np.arange(n), _topic_bits(papers), kept)
    return Related([p.path for p in papers], [(p.title, p.abstract, p.topics) for p in papers], terms, df, vocabulary,
                   matrix, best, sims, np.minimum(positives, kept), positives <= kept)


def update(previous: Related | None, papers: list[Paper], terms_cache: dict[str, Counter] | None = None,
           kept: int = KEPT) -> Related:
    """``previous`` brought up to date for ``papers``: the same as ``compute(papers, kept)``
    would give for the first ``COUNT`` of each row, computing only what changed.

    An edited text changes the DF (so the IDF, weights and norms) of the terms it gained or
    lost, and nothing else: only the papers containing such a term (if it is in the
    vocabulary before or after) get new vectors. A paper whose vector, topics or place in the
    catalog order changed is ranked again against every paper; every other paper's best list
    is merged with its similarities to those (the same numbers, by symmetry). Added, deleted
    or renamed papers change N, so every IDF: those, and more than ``MAX_CHANGED`` changed
    papers, are computed again in full."""
    n = len(papers)
    if previous is None or n != len(previous.paths) or n < 2 or previous.best.shape[1] != kept:
        return compute(papers, kept, terms_cache)
    where = {path: i for i, path in enumerate(previous.paths)}
    old = [where.get(p.path, -1) for p in papers]
    if -1 in old:
        return compute(papers, kept, terms_cache)
    inputs = [(p.title, p.abstract, p.topics) for p in papers]
    texts_changed = [i for i in range(n) if inputs[i][:2] != previous.inputs[old[i]][:2]]
    topics_changed = [i for i in range(n) if set(inputs[i][2]) != set(previous.inputs[old[i]][2])]
    if len(texts_changed) + len(topics_changed) > MAX_CHANGED:
        return compute(papers, kept, terms_cache)
    if not texts_changed and not topics_changed and old == list(range(n)):
        previous.inputs = inputs  # equal texts, topics and order: the same answer
        return previous

    terms = [previous.terms[o] for o in old]
    for i in texts_changed:
        terms[i] = _terms([text_of(papers[i])], terms_cache)[0]
    df = previous.df.copy()
    touched: set[str] = set()
    for i in texts_changed:
        before, after = previous.terms[old[i]].keys(), terms[i].keys()
        df.subtract(before - after)
        df.update(after - before)
        touched |= before ^ after
    max_df = min(MAX_DF, n // 2)

    def in_vocabulary(d: int) -> bool:
        return 2 <= d <= max_df
    effective = [t for t in touched if previous.df[t] != df[t] and (in_vocabulary(previous.df[t]) or in_vocabulary(df[t]))]
    for term in touched:
        if df[term] <= 0:
            del df[term]
    vocabulary = previous.vocabulary
    if any(in_vocabulary(previous.df[t]) != in_vocabulary(df[t]) for t in effective):
        vocabulary = sorted(term for term, d in df.items() if in_vocabulary(d))
    changed_vectors = set(texts_changed)
    if effective:
        changed_vectors.update(i for i, row_terms in enumerate(terms) if any(t in row_terms for t in effective))
    # Of the others, the fewest whose move explains the new order are ranked again too; the
    # rest keep their order relative to each other, so their ties break as before.
    regrouped = set(topics_changed)
    steady = [i for i in range(n) if i not in changed_vectors and i not in regrouped]
    moved = [steady[k] for k in _out_of_order([old[i] for i in steady])]
    again = sorted(changed_vectors.union(regrouped, moved))
    if len(again) > n // AGAIN_SHARE:
        return compute(papers, kept, terms_cache)

    matrix = _updated_matrix(previous, old, terms, sorted(changed_vectors), vocabulary, df, n)
    topics = _topic_bits(papers)
    best = np.full((n, kept), -1, dtype=np.int64)
    sims = np.zeros((n, kept))
    trusted = np.zeros(n, dtype=np.int64)
    complete = np.zeros(n, dtype=bool)
    again_rows = np.asarray(again, dtype=np.int64)
    is_again = np.zeros(n, dtype=bool)
    is_again[again_rows] = True

    # Rows ranked again, and every other row's candidates among them (sim(r, c) == sim(c, r)).
    transposed = matrix.T.tocsr()
    has_terms = np.diff(matrix.indptr) > 0
    found_rows, found_cols, found_sims = [], [], []
    positives_among = np.zeros(n, dtype=np.int64)
    for start in range(0, len(again_rows), BLOCK):
        ids = again_rows[start:start + BLOCK]
        block = sparse.csr_matrix(matrix[ids] @ transposed)
        b, s, p = _best_of_block(block, ids, has_terms[ids], topics, kept)
        best[ids], sims[ids], trusted[ids], complete[ids] = b, s, np.minimum(p, kept), p <= kept
        columns = sparse.csr_matrix(block.T)  # row r: its similarities to the papers of ids
        positives_among += np.diff(columns.indptr)
        local, cols, values = _candidates(columns, kept, None)  # a row's own paper is not a column here unless it is ranked again
        keep = ~is_again[local]
        found_rows.append(local[keep])
        found_cols.append(ids[cols[keep]])
        found_sims.append(values[keep])

    # What each other row kept, renumbered, less the papers ranked again.
    new_of_old = np.empty(n, dtype=np.int64)
    new_of_old[np.asarray(old)] = np.arange(n)
    others = np.flatnonzero(~is_again)
    previous_rows = np.asarray(old)[others]
    width = previous.best.shape[1]
    lengths = previous.trusted[previous_rows]
    mask = np.arange(width)[None, :] < lengths[:, None]
    kept_cols = new_of_old[np.where(mask, previous.best[previous_rows], 0)]
    mask &= ~is_again[kept_cols]
    rows_u = np.repeat(others, width).reshape(len(others), width)[mask]
    cols_u, sims_u = kept_cols[mask], previous.sims[previous_rows][mask]
    count_u = np.bincount(rows_u, minlength=n)

    rows_all = np.concatenate([rows_u, *found_rows])
    cols_all = np.concatenate([cols_u, *found_cols])
    sims_all = np.concatenate([sims_u, *found_sims])
    from_kept = np.zeros(len(rows_all), dtype=bool)
    from_kept[:len(rows_u)] = True
    order = _ranking(rows_all, cols_all, sims_all, topics)
    rows_all, cols_all, sims_all, from_kept = rows_all[order], cols_all[order], sims_all[order], from_kept[order]
    rank = np.arange(len(rows_all)) - np.searchsorted(rows_all, rows_all)
    top = rank < kept
    best[rows_all[top], rank[top]] = cols_all[top]
    sims[rows_all[top], rank[top]] = sims_all[top]
    last_kept = np.full(n, -1, dtype=np.int64)
    np.maximum.at(last_kept, rows_all[from_kept], rank[from_kept])
    total = count_u + positives_among
    was_complete = previous.complete[np.asarray(old)]
    complete[others] = was_complete[others] & (total[others] <= kept)
    # A complete list had every paper above 0, so its merge is exact to the end; otherwise
    # unchanged papers it did not keep rank below the last it kept: exact down to that one.
    trusted[others] = np.where(was_complete[others], np.minimum(total[others], kept), np.minimum(last_kept[others] + 1, kept))
    short = others[(trusted[others] < COUNT) & ~complete[others]]
    if len(short):  # too few left to be sure: ranked again against every paper
        for start in range(0, len(short), BLOCK):
            ids = short[start:start + BLOCK]
            b, s, p = _best_of_block(sparse.csr_matrix(matrix[ids] @ transposed), ids, has_terms[ids], topics, kept)
            best[ids], sims[ids], trusted[ids], complete[ids] = b, s, np.minimum(p, kept), p <= kept
    return Related([p.path for p in papers], inputs, terms, df, vocabulary, matrix, best, sims, trusted, complete)


def _terms(texts: Iterable[str], cache: dict[str, Counter] | None) -> list[Counter]:
    if cache is None:
        return [terms_of(text) for text in texts]
    found = []
    for text in texts:
        terms = cache.get(text)
        if terms is None:
            terms = cache[text] = terms_of(text)
        found.append(terms)
    return found


def _logs(values: np.ndarray, of: Callable[[int], float]) -> np.ndarray:
    """``of(v)`` for each value, computed once per distinct value with ``math.log`` (whose
    result never depends on the array around it, unlike a vectorised logarithm)."""
    distinct, inverse = np.unique(values, return_inverse=True)
    return np.array([of(v) for v in distinct.tolist()], dtype=np.float64)[inverse]


def _matrix(terms: Sequence[Counter], vocabulary: list[str], df: Counter, n: int, ids: np.ndarray | None = None) -> sparse.csr_matrix:
    """Unit-length TF-IDF rows of ``terms`` over ``vocabulary`` (sorted), columns in order.
    ``ids``: each term's column (``-1``: none), in the order of ``terms``, if known."""
    if ids is None:
        column = {term: i for i, term in enumerate(vocabulary)}
        flat = list(chain.from_iterable(terms))
        ids = np.fromiter(map(column.get, flat, repeat(-1)), dtype=np.int64, count=len(flat))
    counts = np.fromiter(chain.from_iterable(t.values() for t in terms), dtype=np.int64, count=len(ids))
    rows = np.repeat(np.arange(len(terms)), np.fromiter(map(len, terms), dtype=np.int64, count=len(terms)))
    keep = ids >= 0
    rows, ids, counts = rows[keep], ids[keep], counts[keep]
    order = np.lexsort((ids, rows))
    rows, ids, counts = rows[order], ids[order], counts[order]
    frequencies = np.fromiter((df[term] for term in vocabulary), dtype=np.int64, count=len(vocabulary))
    idf = _logs(frequencies, lambda d: math.log((1 + n) / (1 + d)) + 1.0)
    weights = _logs(counts, lambda c: 1.0 + math.log(c)) * idf[ids]
    indptr = np.concatenate(([0], np.cumsum(np.bincount(rows, minlength=len(terms)))))
    squares = sparse.csr_matrix((weights * weights, ids, indptr), shape=(len(terms), len(vocabulary)))
    norms = np.sqrt(squares @ np.ones(len(vocabulary)))  # each row summed in column order (csr_matvec)
    weights /= np.repeat(norms, np.diff(indptr))
    return sparse.csr_matrix((weights, ids.astype(np.int32), indptr), shape=(len(terms), len(vocabulary)))


def _updated_matrix(previous: Related, old: list[int], terms: list[Counter], changed: list[int],
                    vocabulary: list[str], df: Counter, n: int) -> sparse.csr_matrix:
    """The previous rows, renumbered, with the rows ``changed`` made again."""
    unchanged = np.setdiff1d(np.arange(n), changed)
    part = previous.matrix[np.asarray(old)[unchanged]]
    indices = part.indices
    if vocabulary is not previous.vocabulary:  # unchanged rows hold no term that came or went
        column = {term: i for i, term in enumerate(vocabulary)}
        renumber = np.fromiter((column.get(t, -1) for t in previous.vocabulary), dtype=np.int32, count=len(previous.vocabulary))
        indices = renumber[indices]
    part = sparse.csr_matrix((part.data, indices, part.indptr), shape=(len(unchanged), len(vocabulary)))
    fresh = _matrix([terms[i] for i in changed], vocabulary, df, n)
    stacked = sparse.csr_matrix(sparse.vstack([part, fresh], format="csr"))
    position = np.empty(n, dtype=np.int64)
    position[np.concatenate([unchanged, np.asarray(changed, dtype=np.int64)])] = np.arange(n)
    return sparse.csr_matrix(stacked[position])


def _topic_bits(papers: list[Paper]) -> np.ndarray:
    """``(N, words)`` bit sets of each paper's topics, to count shared topics in bulk (made
    once per distinct set of topics: a list has few)."""
    ids: dict[str, int] = {}
    kinds: dict[tuple[str, ...], int] = {}
    of_paper = np.fromiter((kinds.setdefault(p.topics, len(kinds)) for p in papers), dtype=np.int64, count=len(papers))
    for topics in kinds:
        for topic in topics:
            ids.setdefault(topic, len(ids))
    table = np.zeros((len(kinds), max(1, -(-len(ids) // 64))), dtype=np.uint64)
    for row, topics in enumerate(kinds):
        for bit in {ids[topic] for topic in topics}:
            table[row, bit // 64] |= np.uint64(1 << (bit % 64))
    return table[of_paper]


def _rounded(sims: np.ndarray) -> np.ndarray:
    """``round(s, 6) * 10**6`` as integers, exactly as Python's ``round`` decides (``s * 1e6``
    may be an ulp off the exact product: values that near a half are left to Python)."""
    scaled = sims * 1e6
    keys = np.rint(scaled)
    for i in np.flatnonzero(np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6).tolist():
        keys[i] = round(round(float(sims[i]), 6) * 1e6)
    return keys.astype(np.int64)


def _ranking(rows: np.ndarray, cols: np.ndarray, sims: np.ndarray, topics: np.ndarray) -> np.ndarray:
    """The order of candidate pairs: by row, then by the rule (rounded similarity, shared
    topics, catalog order), best first."""
    shared = np.bitwise_count(topics[rows] & topics[cols]).sum(axis=1, dtype=np.int64)
    return np.lexsort((cols, -shared, -_rounded(sims), rows))


def _candidates(block: sparse.csr_matrix, k: int, own: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Entries of ``block`` that may be among a row's ``k`` best: (local row, column,
    similarity); ``own[row]`` (the paper of each row, if its column may be there) left out.

    The row is cut into slices; the largest ``k + 1`` of their maxima are ``k + 1`` entries, at
    most one the row's own, so at least ``k`` others are at least the smallest of them: every
    entry that can be among the best ``k`` (ties by rounding included) is above that bound less
    a margin. (Slices, not one slice per candidate: SciPy's product gives a row's entries in an
    order where the large ones tend to come together.)"""
    indptr, data = block.indptr, block.data
    lengths = np.diff(indptr)
    parts = 4 * (k + 1)
    starts = indptr[:-1, None] + (np.arange(parts + 1) * lengths[:, None]) // parts
    if len(data):
        maxima = np.maximum.reduceat(data, np.minimum(starts[:, :-1], len(data) - 1).ravel()).reshape(-1, parts)
        maxima[starts[:, 1:] == starts[:, :-1]] = -np.inf  # empty slices (reduceat gave some entry)
        bound = np.partition(maxima, parts - k - 1, axis=1)[:, parts - k - 1]
    else:
        bound = np.zeros(len(lengths))
    at = np.flatnonzero(data >= np.repeat(bound - _MARGIN, lengths))
    local = np.searchsorted(indptr, at, side="right") - 1
    cols, values = block.indices[at].astype(np.int64), data[at]
    keep = values > 0 if own is None else (values > 0) & (cols != own[local])
    return local[keep], cols[keep], values[keep]


def _best_of_block(block: sparse.csr_matrix, rows: np.ndarray, has_terms: np.ndarray, topics: np.ndarray,
                   k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The best ``k`` others of each row of ``block`` (the similarities of papers ``rows`` to
    every paper), their similarities, and how many others are above 0."""
    local, cols, values = _candidates(block, k, rows)
    order = _ranking(rows[local], cols, values, topics)
    local, cols, values = local[order], cols[order], values[order]
    rank = np.arange(len(local)) - np.searchsorted(local, local)
    top = rank < k
    best = np.full((len(rows), k), -1, dtype=np.int64)
    sims = np.zeros((len(rows), k))
    best[local[top], rank[top]] = cols[top]
    sims[local[top], rank[top]] = values[top]
    return best, sims, np.diff(block.indptr) - has_terms  # a row with terms has its own entry


def _best_of_rows(matrix: sparse.csr_matrix, rows: np.ndarray, topics: np.ndarray,
                  k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``_best_of_block`` for ``rows``, a block of rows at a time."""
    transposed = matrix.T.tocsr()
    has_terms = np.diff(matrix.indptr) > 0
    best = np.full((len(rows), k), -1, dtype=np.int64)
    sims = np.zeros((len(rows), k))
    positives = np.zeros(len(rows), dtype=np.int64)
    for start in range(0, len(rows), BLOCK):
        ids = rows[start:start + BLOCK]
        block = sparse.csr_matrix(matrix[ids] @ transposed)
        best[start:start + len(ids)], sims[start:start + len(ids)], positives[start:start + len(ids)] = \
            _best_of_block(block, ids, has_terms[ids], topics, k)
    return best, sims, positives


def _out_of_order(sequence: list[int]) -> list[int]:
    """Positions in ``sequence`` outside one of its longest increasing subsequences: the
    fewest papers whose move explains a new catalog order."""
    tails: list[int] = []  # tails[k]: the smallest last value of an increasing run of k + 1
    tail_at: list[int] = []
    before = [-1] * len(sequence)
    for i, value in enumerate(sequence):
        k = bisect_left(tails, value)
        before[i] = tail_at[k - 1] if k else -1
        if k == len(tails):
            tails.append(value)
            tail_at.append(i)
        else:
            tails[k], tail_at[k] = value, i
    in_run = set()
    i = tail_at[-1] if tail_at else -1
    while i >= 0:
        in_run.add(i)
        i = before[i]
    return [i for i in range(len(sequence)) if i not in in_run]
