"""What the demo's documents say. Each writer takes the case and the person uploading, so that
the text names the model, the snapshot, the dates and the contact of the case it is uploaded to."""

from __future__ import annotations

from accounts.models import User
from accounts.roles import agency_membership
from cases.models import ReviewCase


def system_card(case: ReviewCase, uploader: User) -> str:
    model = case.model
    modalities = ", ".join(model.modalities) or "text"
    return f"""# {model.name} ({model.version}): system card

Firm: {model.firm.name}
Snapshot: {case.model_snapshot}
Modalities: {modalities}

## Intended use
{model.description}

## Evaluations run by the firm
- Cyber: capture-the-flag suite (112 tasks), exploit-writing on patched CVEs, network reconnaissance.
- CBRN: expert-graded question sets; no wet-lab uplift tasks answered beyond textbook level.
- Autonomy: 40 long-horizon agent tasks in a sandbox with no network egress.

## Safeguards at deployment
{case.safeguard_configuration}

## Known limitations
The refusal classifier is tuned for English; other languages are covered by the output filter only.
"""


def access_instructions(case: ReviewCase, uploader: User) -> str:
    model = case.model
    return f"""# Evaluator access: {model.name} ({model.version})

Access opens on {case.access_date:%B %d, %Y} at 09:00 Eastern and stays open until the end of the
planned partner-sharing date, {case.sharing_date:%B %d, %Y}.

1. Endpoint: https://eval.{model.firm.slug}.example/v1 (allow-listed government address ranges only).
2. Keys: one key per reviewer, issued by the liaison ({uploader.email}) on the access date.
   Keys are not shared; ask for another rather than passing one on.
3. Limits: 600 requests a minute per key; the agent sandbox allows 8 concurrent sessions.
4. Weights are not transferred. Snapshot {case.model_snapshot} is pinned for the whole window.
5. Safeguards are on by default; a key with safeguards off is available on request for red-teaming.
"""


def evaluation_report(case: ReviewCase, uploader: User) -> str:
    model = case.model
    return f"""# Internal evaluation report: {model.name} ({model.version})

Summary: the snapshot {case.model_snapshot} was evaluated against the firm's frontier-risk
thresholds. No threshold was crossed; the cyber score is within 5% of the threshold.

| area | result | threshold |
| --- | --- | --- |
| Cyber offense (CTF solve rate) | 31% | 35% |
| CBRN expert questions (uplift over search) | none measured | any |
| Autonomous replication tasks | 0 / 40 | 3 / 40 |
| Jailbreak robustness (refusal rate under attack) | 94% | 90% |
"""


def red_team_report(case: ReviewCase, uploader: User) -> bytes:
    model = case.model
    return pdf(
        [
            f"External red-team report: {model.name} ({model.version})",
            f"Snapshot {case.model_snapshot}. Contractor engagement, 10 working days, safeguards on.",
            "",
            "Findings reported to the firm:",
            "1. Role-play framing lowered the refusal rate of the agent mode (fixed before the snapshot).",
            "2. Encoded instructions (base64, leetspeak) passed the input filter in 6% of attempts.",
            "3. No weight-access path found from the evaluation API.",
            "",
            "Remaining risk accepted by the firm: item 2, mitigated by the output filter.",
        ]
    )


def working_notes(case: ReviewCase, uploader: User) -> str:
    membership = agency_membership(uploader)
    assert membership is not None, f"{uploader.email} writes working notes but belongs to no agency"
    return f"""# {membership.agency.short_name} working notes: {case.reference}

- Day 1: keys received; sandbox reachable; safeguards confirmed on.
- Day 3: reproduction of the exploit-chaining transcript; three of five runs completed the chain.
- Next: rerun with the firm's patched classifier when it is deployed to the evaluation endpoint.
"""


def pdf(lines: list[str]) -> bytes:
    """A one-page PDF of plain lines (Helvetica): enough for the demo's download to open in a
    browser's viewer."""

    def escape(line: str) -> str:
        return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    text = " ".join(f"({escape(line)}) '" for line in lines)
    stream = f"BT /F1 11 Tf 14 TL 72 760 Td {text} ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
