"""harness.tables: a table's differences by row and column, and the two tables side by side."""

from harness.tables import contains, differences, same_number, side_by_side

HEADINGS = ["rank", "model", "rating", "battles", "wins", "losses", "draws"]


def _table(*rows: str) -> list[dict[str, str]]:
    return [dict(zip(HEADINGS, row.split(), strict=True)) for row in rows]


EXPECTED = _table("1 gpt-4o-mini 1031.2 2 2 0 0",
                  "2 gpt-3.5-turbo 984.7 2 0 1 1",
                  "3 gpt-3.5-turbo-twin 984.0 2 0 1 1")


def _board(*rows: str) -> list[dict]:
    """The API's leaderboard: numbers, and a field the table does not state."""
    board = []
    for row in rows:
        rank, model, rating, *counts = row.split()
        board.append({"rank": int(rank), "model": model, "rating": float(rating), "elo_k": 32,
                      **dict(zip(HEADINGS[3:], map(int, counts), strict=True))})
    return board


def test_tables_that_agree_have_no_differences():
    seen = _board("1 gpt-4o-mini 1031.2 2 2 0 0", "2 gpt-3.5-turbo 984.7 2 0 1 1", "3 gpt-3.5-turbo-twin 984 2 0 1 1")
    assert differences(EXPECTED, seen, key="model", same={"rating": same_number}) == ""


def test_only_the_cells_that_differ_are_named_by_row_and_column():
    seen = _board("1 gpt-4o-mini 1031.2 2 2 0 0", "2 gpt-3.5-turbo 990.1 2 1 1 0", "3 gpt-3.5-turbo-twin 984 2 0 1 1")
    assert differences(EXPECTED, seen, key="model", same={"rating": same_number}) == (
        "3 rows where the table has 3; 1 differs:\n"
        "  row 2 (model gpt-3.5-turbo): rating expected 984.7, saw 990.1; wins expected 0, saw 1; "
        "draws expected 1, saw 0")


def test_ratings_compare_as_numbers_only_where_asked():
    seen = _board("1 gpt-4o-mini 1031.2 2 2 0 0", "2 gpt-3.5-turbo 984.7 2 0 1 1", "3 gpt-3.5-turbo-twin 984 2 0 1 1")
    seen[2]["rating"] = 984
    assert differences(EXPECTED, seen, key="model").splitlines()[1:] == [
        "  row 3 (model gpt-3.5-turbo-twin): rating expected 984.0, saw 984"]


def test_rows_missing_and_extra_are_counted_and_named():
    seen = _board("1 gpt-4o-mini 1031.2 2 2 0 0", "2 gpt-3.5-turbo 984.7 2 0 1 1")
    assert differences(EXPECTED, seen, key="model", same={"rating": same_number}) == (
        "2 rows where the table has 3; 1 missing:\n"
        "  row 3 (model gpt-3.5-turbo-twin): missing; expected rank 3, model gpt-3.5-turbo-twin, rating 984.0, "
        "battles 2, wins 0, losses 1, draws 1")
    seen = _board("1 gpt-4o-mini 1031.2 2 2 0 0", "2 gpt-3.5-turbo 984.7 2 0 1 1",
                  "3 gpt-3.5-turbo-twin 984 2 0 1 1", "4 claude-3-haiku 1000 0 0 0 0")
    assert differences(EXPECTED, seen, key="model", same={"rating": same_number}) == (
        "4 rows where the table has 3; 1 extra:\n"
        "  extra row (model claude-3-haiku): not in the table; saw rank 4, model claude-3-haiku, rating 1000.0, "
        "battles 0, wins 0, losses 0, draws 0")


def test_an_ordered_table_compares_row_by_row_so_a_swap_shows_in_the_key_column():
    seen = _board("1 gpt-4o-mini 1031.2 2 2 0 0", "2 gpt-3.5-turbo-twin 984.7 2 0 1 1", "3 gpt-3.5-turbo 984 2 0 1 1")
    lines = differences(EXPECTED, seen, key="model", same={"rating": same_number}).splitlines()
    assert lines == ["3 rows where the table has 3; 2 differ:",
                     "  row 2 (model gpt-3.5-turbo): model expected gpt-3.5-turbo, saw gpt-3.5-turbo-twin",
                     "  row 3 (model gpt-3.5-turbo-twin): model expected gpt-3.5-turbo-twin, saw gpt-3.5-turbo"]


def test_an_unordered_table_pairs_rows_by_key():
    expected = [{"model": "a", "results": "3", "cost": "0.012"}, {"model": "b", "results": "3", "cost": "0.5"}]
    seen = [{"model": "c", "results": 1, "cost": 0.1}, {"model": "b", "results": 3, "cost": 0.5},
            {"model": "a", "results": 2, "cost": 0.012}]
    assert differences(expected, seen, key="model", ordered=False, same={"cost": same_number}) == (
        "3 rows where the table has 2; 1 differs, 1 extra:\n"
        "  row 1 (model a): results expected 3, saw 2\n"
        "  extra row (model c): not in the table; saw model c, results 1, cost 0.1")


def test_rows_sharing_a_key_pair_with_the_one_that_matches():
    expected = [{"line": "4", "reason": "missing \"expected\""}, {"line": "4", "reason": "too long"}]
    seen = [{"line": 4, "reason": "input is too long (5000 chars)"}, {"line": 4, "reason": 'missing "expected"'}]
    assert differences(expected, seen, key="line", ordered=False, same={"reason": contains}) == ""
    seen[0]["reason"] = "blank"
    assert differences(expected, seen, key="line", ordered=False, same={"reason": contains}) == (
        "2 rows where the table has 2; 1 differs:\n  row 2 (line 4): reason expected too long, saw blank")


def test_a_column_the_seen_rows_lack_is_named():
    assert differences([{"model": "a", "wins": "1"}], [{"model": "a"}], key="model") == (
        "1 row where the table has 1; 1 differs:\n  row 1 (model a): wins expected 1, saw no such column")


def test_side_by_side_shows_both_tables_and_marks_the_rows_that_differ():
    seen = _board("1 gpt-4o-mini 1031.2 2 2 0 0", "2 gpt-3.5-turbo 990.1 2 1 1 0")
    text = side_by_side(EXPECTED, seen, key="model", same={"rating": same_number})
    lines = text.splitlines()
    assert lines[0].startswith("  expected") and lines[0].endswith("|| seen"), text
    assert lines[1].count("rank") == 2 and lines[1].count("draws") == 2, text
    assert [line[0] for line in lines[2:]] == [" ", "!", "!"], text
    assert "990.1" in lines[3] and "984.7" in lines[3], text
    assert lines[4].split("||")[1].strip() == "(no row)", text  # the missing row
    assert "elo_k" not in text, text
