"""Every diagnostic code is expected by some row, and there are enough kinds of bad input."""

from __future__ import annotations

from kb.diagnostics import CODES
from tests.bad_input.rows import EXPECTED_CODES
from tests.bad_input.test_configuration import CONFIG
from tests.bad_input.test_figures_and_output import MANY_CODES
from tests.bad_input.test_files_and_yaml import READING, YAML
from tests.bad_input.test_pages_and_links import CLEAN, CROSS, LINKS
from tests.bad_input.test_values import DATES, TYPES
from tests.test_build_outcomes import SITE_WARNINGS
from tests.test_hostile import FIGURE_LINES, LINK_LINES, REFUSED, UNWRITABLE
from tests.test_learning import OVERDUE, SOURCE_LINES, STRUCTURE_LINES

# ---------------------------------------------------------------------------
# Coverage of the codes


def test_every_code_is_covered() -> None:
    assert sorted(set(CODES) - EXPECTED_CODES) == []
    assert sorted(EXPECTED_CODES - set(CODES)) == []
    assert MANY_CODES <= EXPECTED_CODES
    assert SITE_WARNINGS and FIGURE_LINES and LINK_LINES and REFUSED and UNWRITABLE  # their modules' rows count too
    assert OVERDUE and SOURCE_LINES and STRUCTURE_LINES


def test_there_are_at_least_35_kinds_of_bad_input() -> None:
    rows = [*READING, *YAML, *TYPES, *DATES, *CROSS, *LINKS, *CLEAN, *CONFIG]
    assert len(rows) >= 35
