"""Related papers (``readinglist.related``): the fast computation against a slow, plain-Python
reference of the documented rules on small lists full of ties; the preview's update after
random edits, additions, deletions, renames and moves against the computation from nothing;
golden values."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from unittest.mock import patch

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readinglist import related
from readinglist.commands.bench import synthetic_papers
from readinglist.model import Paper
from readinglist.orderings import newest_first
from readinglist.related import STOP_WORDS, compute, related_papers, update

PROPERTIES = settings(max_examples=200, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


def reference(papers: list[Paper], max_df: int, count: int = 5) -> dict[str, list[str]]:
    """The rules of ``readinglist.related``'s docstring, one pair at a time."""
    n = len(papers)
    counts = []
    for p in papers:
        words = re.findall(r"\b[a-z][a-z0-9-]+\b", f"{p.title} {p.title} {p.abstract}".lower())
        counts.append(Counter(w for w in words if w not in STOP_WORDS))
    df = Counter(term for c in counts for term in set(c))
    weights = [{t: (1 + math.log(k)) * (math.log((1 + n) / (1 + df[t])) + 1) for t, k in c.items() if 2 <= df[t] <= max_df}
               for c in counts]
    norms = [math.sqrt(sum(w * w for w in v.values())) for v in weights]
    result = {}
    for i, p in enumerate(papers):
        ranked = []
        for j, q in enumerate(papers):
            shared_terms = weights[i].keys() & weights[j].keys()
            if j == i or not shared_terms:
                continue
            cosine = sum(weights[i][t] * weights[j][t] for t in shared_terms) / (norms[i] * norms[j])
            ranked.append((-round(cosine, 6), -len(set(p.topics) & set(q.topics)), j))
        result[p.path] = [papers[j].path for *_, j in sorted(ranked)[:count]]
    return result


def paths(result: dict[str, list[Paper]]) -> dict[str, list[str]]:
    return {path: [p.path for p in others] for path, others in result.items()}


# Few words, so that texts repeat and similarities tie; stop words, digits, hyphens and
# non-ASCII letters test the tokenizer; topics from three.
WORDS = ["alpha", "beta", "gamma", "delta", "eps", "zeta", "x-ray", "a1", "the", "of", "3d", "École", "beta-2"]
texts = st.lists(st.sampled_from(WORDS), max_size=8).map(" ".join)
topic_sets = st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=3, unique=True).map(tuple)
_serial = iter(range(10**9))


def make_paper(title: str, abstract: str, topics: tuple[str, ...]) -> Paper:
    return Paper(title=title, published=dt.date(2024, 1, 1), added=dt.date(2024, 1, 2), topics=topics, abstract=abstract,
                 path=f"p{next(_serial)}.md")


papers_lists = st.lists(st.builds(make_paper, texts, texts, topic_sets), max_size=14)


@PROPERTIES
@given(papers_lists, st.sampled_from([400, 2, 3]), st.sampled_from([512, 1, 3]), st.sampled_from([5, 1, 8]))
def test_matches_the_reference(papers, max_df, block, count):
    with patch.object(related, "MAX_DF", max_df), patch.object(related, "BLOCK", block):
        fast = paths(related_papers(papers, count=count))
    assert fast == reference(papers, min(max_df, len(papers) // 2), count)


def test_ties_go_to_shared_topics_then_catalog_order():
    same = "alpha beta gamma"
    papers = [make_paper(same, "", ("a",)) for _ in range(4)] + [make_paper(same, "", ("b",)), make_paper(same, "", ("b",))]
    papers += [make_paper("delta eps", "", ("a",)) for _ in range(6)]  # so that alpha, beta, gamma stay under N // 2
    result = paths(related_papers(papers))
    # Paper 4 (topic b): all five others tie on similarity; paper 5 shares its topic, the rest by order.
    assert result[papers[4].path] == [papers[5].path, papers[0].path, papers[1].path, papers[2].path, papers[3].path]
    assert result[papers[3].path] == [papers[0].path, papers[1].path, papers[2].path, papers[4].path, papers[5].path]


def test_rounding_is_pythons():
    rng = np.random.default_rng(3)
    # Random similarities, and values a hair either side of a half in the 7th decimal.
    values = np.concatenate([rng.random(20000), (np.arange(1, 2000) + 0.5) / 1e6, np.nextafter((np.arange(1, 2000) + 0.5) / 1e6, 0),
                             np.nextafter((np.arange(1, 2000) + 0.5) / 1e6, 1)])
    expected = [round(round(v, 6) * 1e6) for v in values.tolist()]
    assert related._rounded(values).tolist() == expected


def test_out_of_order_is_the_fewest_moves():
    assert related._out_of_order([0, 1, 2, 3]) == []
    assert related._out_of_order([0, 3, 1, 2]) == [1]
    assert related._out_of_order([3, 0, 1, 2]) == [0]
    assert len(related._out_of_order([4, 3, 2, 1, 0])) == 4


# --- The preview's update ---------------------------------------------------------------------

# Mostly what ``update`` does row by row (edits, moves); sometimes what makes it start again.
edits = st.one_of(
    st.tuples(st.just("title"), st.integers(0, 99), texts),
    st.tuples(st.just("abstract"), st.integers(0, 99), texts),
    st.tuples(st.just("topics"), st.integers(0, 99), topic_sets),
    st.tuples(st.just("move"), st.integers(0, 99), st.integers(0, 99)),
    st.tuples(st.just("title"), st.integers(0, 99), texts),
    st.tuples(st.just("abstract"), st.integers(0, 99), texts),
    st.tuples(st.just("move"), st.integers(0, 99), st.integers(0, 99)),
    st.tuples(st.sampled_from(["add", "delete", "rename"]), st.integers(0, 99), st.builds(make_paper, texts, texts, topic_sets)),
)


def apply(papers: list[Paper], edit: tuple) -> list[Paper]:
    kind, at, value = edit
    papers = list(papers)
    if kind == "add":
        papers.insert(at % (len(papers) + 1), value)
        return papers
    if not papers:
        return papers
    i = at % len(papers)
    p = papers[i]
    if kind in ("title", "abstract", "topics"):
        papers[i] = Paper(**{**{f: getattr(p, f) for f in ("title", "published", "added", "topics", "abstract")}, kind: value}, path=p.path)
    elif kind == "move":
        papers.insert(value % len(papers), papers.pop(i))
    elif kind == "delete":  # value: unused
        del papers[i]
    elif kind == "rename":
        papers[i] = Paper(p.title, p.published, p.added, p.topics, p.abstract, path=f"r{next(_serial)}.md")
    return papers


@PROPERTIES
@given(st.lists(st.builds(make_paper, texts, texts, topic_sets), min_size=2, max_size=14),
       st.lists(st.lists(edits, min_size=1, max_size=3), max_size=6), st.sampled_from([5, 6, 10, 20]), st.sampled_from([400, 3]),
       st.sampled_from([1, 1, 8]))
def test_update_equals_the_computation_from_nothing(papers, steps, kept, max_df, again_share):
    cache: dict[str, Counter] = {}
    with patch.object(related, "MAX_DF", max_df), patch.object(related, "AGAIN_SHARE", again_share), \
            patch.object(related, "BLOCK", 4):
        state = update(None, papers, cache, kept=kept)
        for step in steps:
            for edit in step:
                papers = apply(papers, edit)
            state = update(state, papers, cache, kept=kept)
            assert paths(state.related(papers)) == paths(related_papers(papers))
            # What the next update builds on is what a computation from nothing holds.
            fresh = compute(papers, kept)
            assert np.array_equal(state.matrix.toarray(), fresh.matrix.toarray())
            assert state.vocabulary == fresh.vocabulary
            trusted = np.arange(kept)[None, :] < state.trusted[:, None]
            assert np.array_equal(np.where(trusted, state.best, -1), np.where(trusted, fresh.best, -1))


def test_updates_of_titles_among_many_rank_few_again():
    papers = sorted(synthetic_papers(600), key=newest_first)
    cache: dict[str, Counter] = {}
    state = update(None, papers, cache)
    for edited, source in ((300, 10), (301, 300), (20, 599), (301, 5)):  # titles made of other papers' words
        p = papers[edited]
        papers = [*papers[:edited], Paper(papers[source].title, p.published, p.added, p.topics, p.abstract, path=p.path),
                  *papers[edited + 1:]]
        with patch.object(related, "compute", side_effect=AssertionError("computed from nothing")), \
                patch.object(related, "AGAIN_SHARE", 1):
            state = update(state, papers, cache)
        assert paths(state.related(papers)) == paths(related_papers(papers))


def test_golden_values_of_synthetic_papers():
    # Computed by the first implementation (float32 weights, a Python loop per row).
    papers = sorted(synthetic_papers(2000), key=newest_first)
    result = paths(related_papers(papers))
    assert [result[papers[i].path] for i in (0, 1000)] == GOLDEN


GOLDEN = [
    [
        "2023/zero-shot-llms-across-models-models-lms-llms-precision-485.md",
        "2023/high-quality-concerns-pre-trained-like-prior-operation-mathematical-broader-493.md",
        "2017/sophisticated-special-models-models-this-can-the-829.md",
        "2018/they-modeling-simpler-attention-there-meanwhile-1764.md",
        "2025/head-precision-these-scenarios-model-has-582.md",
    ],
    [
        "2017/distinguishing-training-the-previously-lexical-head-propose-1293.md",
        "2017/that-thalamic-grounded-powerful-head-the-capabilities-the-hallucinated-ones.md",
        "2020/the-performance-our-box-head-small-furthermore-models-single-language-series-661.md",
        "2023/mutual-generation-detect-specifically-resulting-and-hmms-the-1060.md",
        "2019/two-investigate-these-notable-processing-remarkable-and-qwenlong-cprs-special.md",
    ],
]


def test_update_when_a_tied_paper_moves_or_gains_topics():
    # Twelve papers with one text: every similarity ties, so each row keeps the first of its
    # tied others (kept=5 of 11); a paper that moves to the front, or that comes to share more
    # topics, must enter lists that did not keep it.
    papers = [make_paper("alpha beta", "", ("a",)) for _ in range(12)] + [make_paper("gamma delta", "", ("a",)) for _ in range(14)]
    cache: dict[str, Counter] = {}
    state = update(None, papers, cache, kept=5)
    with patch.object(related, "AGAIN_SHARE", 1):
        moved = [papers[10], *papers[:10], *papers[11:]]
        state = update(state, moved, cache, kept=5)
        assert paths(state.related(moved)) == paths(related_papers(moved))
        assert state.related(moved)[moved[1].path][0] is papers[10]
        p = moved[11]
        regrouped = [*moved[:11], Paper(p.title, p.published, p.added, ("a", "b"), p.abstract, path=p.path), *moved[12:]]
        regrouped[1] = Paper(regrouped[1].title, p.published, p.added, ("a", "b"), regrouped[1].abstract, path=regrouped[1].path)
        state = update(state, regrouped, cache, kept=5)
        assert paths(state.related(regrouped)) == paths(related_papers(regrouped))
        assert state.related(regrouped)[regrouped[1].path][0].path == p.path
