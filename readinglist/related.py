"""Related papers: for each paper, the most similar others by TF-IDF cosine over title and
abstract, computed once per build.

Cost: papers are rows of a sparse TF-IDF matrix X (SciPy); similarities are X @ X.T, computed
in row blocks so memory stays bounded. The work of a sparse product is the sum over terms of
df^2, so terms found in more than ``MAX_DF`` papers (or in more than half of them) are left
out: they say little about similarity (their IDF is low) and they are what would make the
product quadratic. With that cap the cost grows linearly with the number of papers. The result
is deterministic: ties go to the paper sharing more topics, then to the newer one.

The TF-IDF itself is a few lines of NumPy (sublinear term frequency, smoothed IDF, rows
normalised to unit length, as scikit-learn's ``TfidfVectorizer(sublinear_tf=True)`` does):
scikit-learn would add a second of import time to every build for no gain here.
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
from scipy import sparse

from .model import Paper

COUNT = 5
#: A term found in more papers than this (or in more than half of them) is ignored for
#: similarity (see the module docstring).
MAX_DF = 400
BLOCK = 512
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


def terms_of(text: str) -> Counter:
    """A text's terms and their counts, stop words left out, in order of first occurrence."""
    terms = Counter(_TOKEN.findall(text.lower()))
    for word in STOP_WORDS.intersection(terms):
        del terms[word]
    return terms


def tfidf(texts: list[str], max_df: int, terms_cache: dict[str, Counter] | None = None) -> sparse.csr_matrix:
    """Rows of unit-length TF-IDF vectors; terms in fewer than 2 or more than ``max_df``
    texts are dropped. ``terms_cache`` (text -> its terms) may be kept between calls."""
    vocabulary: dict[str, int] = {}
    indptr: list[int] = [0]
    indices: list[int] = []
    counts: list[int] = []
    for text in texts:
        cached = terms_cache.get(text) if terms_cache is not None else None
        terms = cached if cached is not None else terms_of(text)
        if terms_cache is not None and cached is None:
            terms_cache[text] = terms
        indices += [vocabulary.setdefault(term, len(vocabulary)) for term in terms]
        counts += terms.values()
        indptr.append(len(indices))
    matrix: sparse.csr_matrix = sparse.csr_matrix((np.asarray(counts, dtype=np.float32), np.asarray(indices, dtype=np.int32), indptr),
                                                  shape=(len(texts), len(vocabulary)))
    df = np.bincount(matrix.indices, minlength=len(vocabulary))
    keep = np.flatnonzero((df >= 2) & (df <= max_df))
    matrix = matrix[:, keep].tocsr()
    matrix.data = (1.0 + np.log(matrix.data)).astype(np.float32)
    idf = (np.log((1 + len(texts)) / (1 + df[keep])) + 1.0).astype(np.float32)
    matrix = sparse.csr_matrix(matrix @ sparse.diags(idf))
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags((1.0 / norms).astype(np.float32)) @ matrix)


def related_papers(papers: list[Paper], count: int = COUNT, terms_cache: dict[str, Counter] | None = None) -> dict[str, list[Paper]]:
    """``paper.path -> up to `count` related papers``, most similar first, for every paper.

    ``papers`` must be in catalog order (newest first): that order breaks the last ties.
    ``terms_cache`` keeps each text's terms between calls (``mkdocs serve``): the result is
    the same with or without it."""
    if len(papers) < 2:
        return {p.path: [] for p in papers}
    texts = [f"{p.title} {p.title} {p.abstract}" for p in papers]  # the title counts twice
    matrix = tfidf(texts, max_df=min(MAX_DF, len(papers) // 2), terms_cache=terms_cache)
    if terms_cache is not None and len(terms_cache) > len(texts):  # forget texts no longer in the list
        current = set(texts)
        for text in [t for t in terms_cache if t not in current]:
            del terms_cache[text]
    topics = [frozenset(p.topics) for p in papers]
    result: dict[str, list[Paper]] = {}
    transposed = matrix.T.tocsc()
    for start in range(0, len(papers), BLOCK):
        block = (matrix[start:start + BLOCK] @ transposed).tocsr()
        for row in range(block.shape[0]):
            i = start + row
            lo, hi = block.indptr[row], block.indptr[row + 1]
            cols, sims = block.indices[lo:hi], block.data[lo:hi]
            keep = (cols != i) & (sims > 0)
            cols, sims = cols[keep], sims[keep]
            if len(cols) > count * 4:  # only the best few need the exact tie-breaking below
                top = np.argpartition(-sims, count * 4)[:count * 4]
                cols, sims = cols[top], sims[top]
            ranked = sorted(zip(cols.tolist(), sims.tolist(), strict=True),
                            key=lambda cs: (-round(cs[1], 6), -len(topics[i] & topics[cs[0]]), cs[0]))
            result[papers[i].path] = [papers[j] for j, _ in ranked[:count]]
    return result
