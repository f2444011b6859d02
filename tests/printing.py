"""What a workbook looks like printed: LibreOffice (headless) turns it into a PDF, pdftotext reads it back."""

import subprocess


def printed_text(workbook: bytes, tmp_path) -> str:
    path = tmp_path / "printed.xlsx"
    path.write_bytes(workbook)
    subprocess.run(
        ["libreoffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(path)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "printed.pdf"), "-"], capture_output=True, check=True
    ).stdout.decode()
