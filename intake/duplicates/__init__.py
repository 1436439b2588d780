"""The duplicate engine: which existing ideas a piece of text looks like.

Everything outside this package calls only what is imported here:

- the forms and the Slack modal: `find_similar(text)` (a title as it is typed),
  `find_similar_to(title=, body=)`;
- connectors' arrivals and the inbox: `match_signals`, `is_certain_duplicate`,
  `store_likely_ideas`, `suggest_ideas_for_signals`, `is_likely_duplicate`,
  `flags_likely_duplicates`;
- the customer portal's own ranking of what a customer may see: `terms` and `STOPWORDS`
  (words as the engine compares them);
- triage decisions to learn from: `record_decision` (`decisions.py`);
- keeping the index current: `index_ideas`, `rebuild_index` (`manage.py similar_ideas
  --rebuild-index`), `engine_name`.

Inside: `cleaning.py`/`boilerplate.py` take what each source repeats out of every text;
`phrasings.py` says which texts an idea is found by; `lexical.py` and `semantic.py` (with
`vector_scan.py`, and `bert.py` running the default model) are the two indexes and
`engines.py` combines them; `search.py` filters by
thresholds; `decisions.py` learns this instance's weighting and thresholds; `models.py` holds
the tables. bench/bench_duplicates.py measures every engine held out (bench/README.md).
"""

from .decisions import record as record_decision
from .engines import engine_name, threshold
from .index import index_ideas, rebuild_index
from .search import (
    Match,
    auto_attach_idea,
    find_similar,
    find_similar_to,
    flags_likely_duplicates,
    is_certain_duplicate,
    is_likely_duplicate,
    match_signals,
    store_likely_ideas,
    suggest_ideas_for_signals,
)
from .text import STOPWORDS, terms

__all__ = [
    "STOPWORDS",
    "Match",
    "auto_attach_idea",
    "engine_name",
    "find_similar",
    "find_similar_to",
    "flags_likely_duplicates",
    "index_ideas",
    "is_certain_duplicate",
    "is_likely_duplicate",
    "match_signals",
    "rebuild_index",
    "record_decision",
    "store_likely_ideas",
    "suggest_ideas_for_signals",
    "terms",
    "threshold",
]
