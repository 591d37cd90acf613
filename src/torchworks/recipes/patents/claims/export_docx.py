"""A checked claim set as a Word document: the claims as filed, then every finding with its fix.

Attorneys pass claim sets around as .docx; python-docx writes the file in memory (no template,
no temp files), so the server can hand it back in the check answer.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from torchworks.errors import require
from torchworks.recipes.patents.claims.findings import Finding, Report


def claim_set_docx(claims_text: str, report: Report, title: str = "Claims",
                   skipped: Iterable[Finding] = (), accepted: Iterable[Finding] = ()) -> bytes:
    """The document's bytes. `skipped` findings (those the user chose to ignore) are listed
    apart, so the reader sees what was looked at and set aside; `accepted` ones (the reviewer
    agrees and will fix them) stay in the list, marked as accepted."""
    docx = require("docx", "nlp")
    document = docx.Document()
    document.add_heading(title, level=1)
    for line in claims_text.strip().splitlines():
        if line.strip():
            document.add_paragraph(line.strip())
    skipped = list(skipped)
    shown = [f for f in report.findings if f not in skipped]
    document.add_heading(f"Findings ({report.errors} errors, {report.warnings} warnings)",
                         level=2)
    if not shown:
        document.add_paragraph("No findings.")
    accepted = list(accepted)
    for finding in shown:
        _finding_paragraph(document, finding, accepted=finding in accepted)
    if skipped:
        document.add_heading("Findings set aside by the reviewer", level=2)
        for finding in skipped:
            _finding_paragraph(document, finding)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _finding_paragraph(document, finding: Finding, accepted: bool = False) -> None:
    where = f"Claim {finding.claim}" if finding.claim is not None else "Claim set"
    paragraph = document.add_paragraph(style="List Bullet")
    mark = ", accepted by the reviewer" if accepted else ""
    paragraph.add_run(f"{where}, {finding.severity}{mark} ({finding.rule}): ").bold = True
    paragraph.add_run(f"{finding.message}. Fix: {finding.fix}")
