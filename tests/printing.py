"""What a workbook looks like printed, or saved in another format: LibreOffice (headless) converts it (to a PDF
that pdftotext reads back, or to an Excel 97–2003 .xls as offices still keep their registers)."""

import subprocess


def converted(workbook: bytes, tmp_path, to: str) -> bytes:
    """``workbook`` (an .xlsx) as LibreOffice saves it in the format ``to`` ("pdf", "xls")."""
    path = tmp_path / "converted.xlsx"
    path.write_bytes(workbook)
    subprocess.run(
        ["libreoffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", to,
         "--outdir", str(tmp_path), str(path)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return path.with_suffix(f".{to}").read_bytes()


def printed_text(workbook: bytes, tmp_path) -> str:
    (tmp_path / "printed.pdf").write_bytes(converted(workbook, tmp_path, "pdf"))
    return subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "printed.pdf"), "-"], capture_output=True, check=True
    ).stdout.decode()
