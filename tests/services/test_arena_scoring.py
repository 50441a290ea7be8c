import pytest

from arena.runs.scoring import SCORERS, contains, exact_match


@pytest.mark.parametrize(("output", "expected", "score"), [
    ("5", "5", 1.0),
    ("  Paris \n", "paris", 1.0),
    ("The answer is 5.", "5", 0.0),
    ("50", "5", 0.0),
])
def test_exact_match_ignores_case_and_surrounding_whitespace_only(output, expected, score):
    assert exact_match(output, expected) == score


@pytest.mark.parametrize(("output", "expected", "score"), [
    ("The answer is 5.", "5", 1.0),
    ("It is PARIS, of course", "paris", 1.0),
    ("I don't know.", "42", 0.0),
])
def test_contains_finds_the_expected_answer_anywhere(output, expected, score):
    assert contains(output, expected) == score


def test_the_registry_names_the_scorers_the_api_accepts():
    assert sorted(SCORERS) == ["contains", "exact_match"]
