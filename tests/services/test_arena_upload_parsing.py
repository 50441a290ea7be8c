"""Dataset rows and PDF text: what is accepted, and how bad input is named."""

from pathlib import Path

import pytest

from arena.errors import ApiError
from arena.uploads.parsing import extract_pdf, has_rows, parse_csv, parse_jsonl
from arena.uploads.receive import check_file_name

DOCUMENTS = Path(__file__).resolve().parents[2] / "fixtures" / "documents"


def test_jsonl_rows_are_kept_and_bad_lines_named_with_their_number():
    parsed = parse_jsonl('{"input": "a", "expected": "b"}\n\n{"input": "c"}\nnot json\n{"input": "d", "expected": 5}\n')
    assert parsed.rows == [{"input": "a", "expected": "b"}]
    assert [(e["line"], e["reason"]) for e in parsed.errors] == [
        (3, 'missing "expected"'), (4, "not valid JSON (Expecting value)"), (5, '"expected" must be non-empty text')]


def test_csv_needs_the_two_columns_and_keeps_unicode_and_commas():
    parsed = parse_csv('input,expected\n"Où est Paris, déjà ?",France\n')
    assert parsed.rows == [{"input": "Où est Paris, déjà ?", "expected": "France"}] and parsed.errors == []
    assert parse_csv("question,answer\nx,y\n").errors[0]["line"] == 1


def test_a_csv_header_alone_has_no_rows():
    assert not has_rows("input,expected\n", ".csv")
    assert has_rows('{"input": "a", "expected": "b"}', ".jsonl")


@pytest.mark.parametrize(("name", "problem"), [
    ("../x.jsonl", "path separators"), ("a\\b.csv", "path separators"),
    ("bell\x07.jsonl", "control characters"), ("q" * 256, "the limit is 255"), ("", "no file name"),
])
def test_hostile_file_names_are_refused_with_the_reason(name, problem):
    with pytest.raises(ApiError) as err:
        check_file_name(name)
    assert err.value.status == 422 and problem in err.value.message


@pytest.mark.skipif(not (DOCUMENTS / "handbook.pdf").exists(), reason="run scripts/make_fixtures.py")
def test_pdf_text_pages_and_the_reasons_for_unreadable_ones():
    assert extract_pdf(DOCUMENTS / "handbook.pdf").page_count == 3  # the blank page counts too
    with pytest.raises(ValueError, match="encrypted"):
        extract_pdf(DOCUMENTS / "encrypted.pdf")
    with pytest.raises(ValueError, match="not a readable PDF"):
        extract_pdf(DOCUMENTS / "corrupt.pdf")


@pytest.mark.parametrize("row", ['{"input": "a\\u0000b", "expected": "c"}', '{"input": "a", "expected": "\\ud800"}'])
def test_rows_a_database_cannot_store_are_named_not_crashed_on(row):
    parsed = parse_jsonl(row + "\n")
    assert parsed.rows == [] and parsed.errors[0]["line"] == 1, parsed
    assert "NUL character or a lone surrogate" in parsed.errors[0]["reason"]


def test_a_csv_of_ten_thousand_columns_is_refused_by_its_header():
    header = ",".join(["input", "expected", *(f"c{i}" for i in range(9_998))])
    parsed = parse_csv(header + "\n" + ",".join(["a", "b", *([""] * 9_998)]) + "\n")
    assert parsed.rows == [] and "10,000 columns" in parsed.errors[0]["reason"], parsed.errors


def test_a_pdf_of_thousands_of_pages_is_refused_before_its_text_is_read(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    for _ in range(1_500):
        pdf.add_page()
    path = tmp_path / "long.pdf"
    pdf.output(str(path))
    with pytest.raises(ValueError, match="1,500 pages; the limit is 1,000"):
        extract_pdf(path)
