"""Leads in and out as CSV: importing deals from other channels (all or nothing), exporting leads.

Import columns (a header line naming them, any order; name and company required):
name, company, email, channel, stage, deal_value, submitted_at, qualified_at, closed_at, lost_reason.
Dates are ISO 8601 (2026-03-01 or 2026-03-01T09:30:00+01:00); a date alone means midnight UTC.
"""

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chorus.core.emails import clean_email, normalize_email
from chorus.core.errors import InvalidInput
from chorus.core.models import audit

from ..models import Lead
from .leads import MAX_DEAL_VALUE

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
COLUMNS = ("name", "company", "email", "channel", "stage", "deal_value", "submitted_at", "qualified_at", "closed_at",
           "lost_reason")
REQUIRED = ("name", "company", "submitted_at")
EXPORT_COLUMNS = ("id", "source", "advocate_email", "channel", "name", "company", "email", "phone", "stage",
                  "deal_value", "currency", "submitted_at", "qualified_at", "closed_at", "lost_reason", "entered_via")


@dataclass
class LeadImport:
    added: int


def _file_error(message: str) -> InvalidInput:
    return InvalidInput(message, field_errors={"file": [message]})


def _bad_line(line: int, problem: str) -> InvalidInput:
    message = _("Line %(line)s: %(problem)s. Nothing was imported.") % {"line": line, "problem": problem}
    return InvalidInput(message, field_errors={"file": [message]})


def _moment(value: str) -> datetime | None:
    if not value:
        return None
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), datetime.min.time(), tzinfo=UTC)
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(_("“%(value)s” is not a date such as 2026-03-01") % {"value": value}) from None
    if parsed.tzinfo is None:
        raise ValueError(_("“%(value)s” needs a time zone, e.g. 2026-03-01T09:30:00+01:00") % {"value": value})
    return parsed.astimezone(UTC)


def _row_to_lead(program, row: dict, now: datetime) -> Lead:
    """One row as an unsaved Lead, or ValueError saying what is wrong with it."""
    for column in REQUIRED:
        if not row.get(column):
            raise ValueError(_("the column “%(column)s” is empty") % {"column": column})
    if len(row["name"]) > 200 or len(row["company"]) > 200 or len(row.get("channel", "")) > 100 \
            or len(row.get("lost_reason", "")) > 300:
        raise ValueError(_("a value is too long (names 200, channel 100, lost reason 300 characters)"))
    email = row.get("email", "")
    if email:
        try:
            email = clean_email(email)
        except ValueError:
            raise ValueError(_("“%(value)s” is not an email address") % {"value": email}) from None
    stage = (row.get("stage") or Lead.Stage.SUBMITTED).lower()
    if stage not in Lead.Stage.values:
        raise ValueError(_("the stage is “%(value)s”; use submitted, qualified, won or lost") % {"value": stage})
    raw_value = row.get("deal_value") or "0"
    if not raw_value.isdigit() or int(raw_value) > MAX_DEAL_VALUE:
        raise ValueError(_("the deal value “%(value)s” is not a whole number of minor units (cents)") % {"value": raw_value})
    submitted_at, qualified_at, closed_at = (_moment(row.get(column, "")) for column in
                                             ("submitted_at", "qualified_at", "closed_at"))
    if stage in (Lead.Stage.WON, Lead.Stage.LOST) and closed_at is None:
        raise ValueError(_("a won or lost deal needs its closed_at date"))
    if stage in (Lead.Stage.SUBMITTED, Lead.Stage.QUALIFIED) and closed_at is not None:
        raise ValueError(_("an open deal has no closed_at date"))
    moments = [moment for moment in (submitted_at, qualified_at, closed_at) if moment is not None]
    if moments != sorted(moments):
        raise ValueError(_("the dates are out of order (submitted, then qualified, then closed)"))
    if moments[-1] > now:
        raise ValueError(_("a date is in the future"))
    return Lead(program=program, source=Lead.Source.OTHER, channel=row.get("channel", ""), name=row["name"],
                company=row["company"], email=email, email_normalized=normalize_email(email) if email else "",
                stage=stage, deal_value=int(raw_value), submitted_at=submitted_at, qualified_at=qualified_at,
                closed_at=closed_at, lost_reason=row.get("lost_reason", "") if stage == Lead.Stage.LOST else "",
                entered_via=Lead.EnteredVia.IMPORT)


def _header(row: list[str]) -> list[str]:
    header = [value.strip().lower() for value in row]
    unknown = [column for column in header if column not in COLUMNS]
    missing = [column for column in REQUIRED if column not in header]
    if unknown or missing or len(set(header)) != len(header):
        problem = _("the header must name the columns %(columns)s (name, company and submitted_at required)") % {
            "columns": ", ".join(COLUMNS)}
        raise _bad_line(1, problem)
    return header


def read_leads(program, upload) -> list[Lead]:
    """The deals of a CSV file as unsaved leads; InvalidInput naming the first bad line."""
    if getattr(upload, "size", 0) > MAX_UPLOAD_BYTES:
        raise _file_error(_("The file is larger than 5 MB; split it into smaller files."))
    now = timezone.now()
    text = io.TextIOWrapper(upload, encoding="utf-8-sig", newline="")
    leads: list[Lead] = []
    seen: dict[str, int] = {}
    try:
        reader = csv.reader(text, strict=True)
        header = None
        for line, row in enumerate(reader, start=1):
            if not any(value.strip() for value in row):
                continue
            if header is None:
                header = _header(row)
                continue
            if len(row) != len(header):
                raise _bad_line(line, _("%(found)d values for %(expected)d columns") % {"found": len(row), "expected": len(header)})
            if "\x00" in "".join(row):
                raise _bad_line(line, _("NUL characters are not allowed"))
            try:
                lead = _row_to_lead(program, {key: value.strip() for key, value in zip(header, row, strict=True)}, now)
            except ValueError as error:
                raise _bad_line(line, str(error)) from None
            if lead.email_normalized in seen:
                raise _bad_line(line, _("%(email)s is also on line %(other)d") % {"email": lead.email, "other": seen[lead.email_normalized]})
            if lead.email_normalized:
                seen[lead.email_normalized] = line
            lead._line = line
            leads.append(lead)
            if len(leads) > MAX_ROWS:
                raise _file_error(_("At most %(max)s deals per file.") % {"max": MAX_ROWS})
    except UnicodeDecodeError:
        raise _file_error(_("The file is not UTF-8 text. Save it as CSV (UTF-8).")) from None
    except csv.Error as error:
        raise _file_error(_("The file is not valid CSV: %(error)s.") % {"error": error}) from None
    finally:
        text.detach()
    if not leads:
        raise _file_error(_("The file holds no deals."))
    return leads


def import_deals(program, upload, *, user=None) -> LeadImport:
    """Import other-channel deals from a CSV file: all of them or, on any error, none."""
    leads = read_leads(program, upload)
    emails = [lead.email_normalized for lead in leads if lead.email_normalized]
    taken = set()
    for start in range(0, len(emails), 1000):
        taken.update(Lead.objects.filter(program=program, email_normalized__in=emails[start:start + 1000])
                     .values_list("email_normalized", flat=True))
    for lead in leads:
        if lead.email_normalized in taken:
            raise _bad_line(lead._line, _("%(email)s is already a lead in this program") % {"email": lead.email})
    try:
        with transaction.atomic():
            Lead.objects.bulk_create(leads, batch_size=1000)
            audit(action="lead.imported", target=program, actor=user, workspace=program.workspace, count=len(leads))
    except IntegrityError:
        raise _file_error(_("Some of these deals were added meanwhile; nothing was imported. Try again.")) from None
    return LeadImport(added=len(leads))


# --- export --------------------------------------------------------------------------------

class _Echo:
    def write(self, value):
        return value


def _safe(value) -> str:
    """Cells a spreadsheet would run as a formula get a leading apostrophe."""
    text = "" if value is None else value.isoformat() if isinstance(value, datetime) else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export_rows(program, leads):
    """The CSV lines (header first) of these leads, produced one by one for streaming."""
    writer = csv.writer(_Echo())
    yield writer.writerow(EXPORT_COLUMNS)
    for lead in leads.select_related("advocate").order_by("pk").iterator(chunk_size=1000):
        yield writer.writerow([_safe(value) for value in (
            lead.pk, lead.source, lead.advocate.email if lead.advocate else "", lead.channel, lead.name, lead.company,
            lead.email, lead.phone, lead.stage, lead.deal_value, program.currency, lead.submitted_at,
            lead.qualified_at, lead.closed_at, lead.lost_reason, lead.entered_via)])
