"""Reading numbers and qualified quantities in French and English text.

Two layers, in :mod:`provenance.text.reading`:

* :func:`parse_number` / :func:`format_number` read and write one number ("3 100", "3,100",
  "1,5 million", "12k", "3 thousand 2 hundred", "half a dozen", "trois cents", "twenty-one")
  — :mod:`provenance.text.reading.tokens`;
* :func:`find_quantities` finds every *count* in a text with its qualifier ("au moins 3 100",
  "une centaine", "between 3 and 7", "equal to 2000 or less") and turns it into an interval
  through the one declaration of each qualifier (:mod:`provenance.core.qualifiers`) —
  :mod:`provenance.text.reading.quantities`. Things that look like numbers but are not counts
  (years, days of the month, ages, clock times, ordinals, percentages, articles) are left out
  — :mod:`provenance.text.reading.not_counts`.

Number *words* are recognised and valued by text2num (``text_to_num.find_numbers``), so there
is no number lexicon here; digits, scale words and set phrases are read by regular expressions.
"""

from __future__ import annotations

from provenance.core.qualifiers import LANGUAGES
from provenance.text.reading.not_counts import PERSON_NOUNS
from provenance.text.reading.quantities import Quantity, find_quantities, read_quantity
from provenance.text.reading.tokens import (
    DECIMAL_MARK,
    GROUP_MARKS,
    GROUP_SPACES,
    format_number,
    parse_number,
)

__all__ = [
    "DECIMAL_MARK",
    "GROUP_MARKS",
    "GROUP_SPACES",
    "LANGUAGES",
    "PERSON_NOUNS",
    "Quantity",
    "find_quantities",
    "format_number",
    "parse_number",
    "read_quantity",
]
