"""Generate the binary fixtures (PDFs) deterministically, instead of committing them blind.

    python scripts/make_fixtures.py        # writes fixtures/documents/*.pdf (git-ignored)

handbook.pdf   3 pages: known text, a blank page (it still counts), more known text (the documents
               feature asks it a question)
corrupt.pdf    starts like a PDF, is not one
encrypted.pdf  handbook.pdf behind a password
"""

from __future__ import annotations

import io
import sys
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

OUT = Path(__file__).resolve().parent.parent / "fixtures" / "documents"
HANDBOOK_PAGES = [
    "Arena employee handbook. Welcome to the team.",
    "",  # a blank page, as between sections: a page nonetheless
    "Employees get 25 vacation days per year. The office opens at 9 in the morning.",
]
FIXED_DATE = datetime(2026, 1, 1, tzinfo=UTC)


def handbook() -> bytes:
    pdf = FPDF()
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_font("helvetica", size=12)
    for text in HANDBOOK_PAGES:
        pdf.add_page()
        if text:
            pdf.multi_cell(0, 8, text)
    return bytes(pdf.output())


def encrypted(source: bytes) -> bytes:
    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(source)).pages:
        writer.add_page(page)
    writer.encrypt(user_password="open-sesame", owner_password="owner-sesame", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def corrupt() -> bytes:
    return b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R\nthis is where the file breaks\n"


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    source = handbook()
    files = {"handbook.pdf": source, "encrypted.pdf": encrypted(source), "corrupt.pdf": corrupt()}
    for name, content in files.items():
        path = OUT / name
        if not path.exists() or path.read_bytes() != content:
            path.write_bytes(content)
    print(f"[fixtures] {len(files)} documents in {OUT.relative_to(OUT.parent.parent)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
