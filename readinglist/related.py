"""Related papers: for each paper, the most similar others by TF-IDF cosine over title and
abstract, computed once per build.

Cost: papers are rows of a sparse TF-IDF matrix X; similarities are X @ X.T, computed in row
blocks so memory stays bounded. The work of a sparse product is the sum over terms of df^2, so
terms found in more than ``MAX_DF`` papers are left out: they say little about similarity
(their IDF is low) and they are what would make the product quadratic. With that cap the cost
grows linearly with the number of papers. The result is deterministic: ties go to the paper
sharing more topics, then to the newer one.
"""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from .model import Paper

COUNT = 5
#: A term found in more papers than this (or in more than half of them) is ignored for
#: similarity (see the module docstring).
MAX_DF = 400
BLOCK = 512
_TOKEN = r"(?u)\b[a-zA-Z][a-zA-Z0-9-]+\b"  # noqa: S105 - a regex, not a password


def related_papers(papers: list[Paper], count: int = COUNT) -> dict[str, list[Paper]]:
    """``paper.path -> up to `count` related papers``, most similar first, for every paper.

    ``papers`` must be in catalog order (newest first): that order breaks the last ties."""
    if len(papers) < 2:
        return {p.path: [] for p in papers}
    texts = [f"{p.title} {p.title} {p.abstract}" for p in papers]  # the title counts twice
    vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True, min_df=2,
                                 max_df=MAX_DF if len(papers) * 0.5 > MAX_DF else 0.5,
                                 token_pattern=_TOKEN, dtype=np.float32)
    try:
        matrix = vectorizer.fit_transform(texts).tocsr()
    except ValueError:  # no term shared by two papers: nothing is related
        return {p.path: [] for p in papers}
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
