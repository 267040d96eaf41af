"""CSV import of customers (I1): upload → column mapping → a background task that checks the
whole file, then writes it in chunks, with live counts and a per-row error report.

The rule, also shown to the marketer: a file whose *structure* is wrong (not UTF-8 text, not
CSV, no header row, a row with a different number of cells than the header — usually the
wrong delimiter —, more than MAX_ROWS rows, no column mapped to customer id or email)
imports nothing: the whole file is read and checked before anything is written. A row whose
*values* are wrong (an invalid email, a revenue that is not a number…) is skipped and listed
in the error report; the other rows are imported. Re-running a file changes nothing: rows
whose values are already stored are counted as unchanged and not written.

The file is streamed twice with Python's csv module (never held in memory as rows), and
written in chunks of CHUNK rows with multi-row INSERTs and bulk UPDATEs of changed rows only.
"""

import codecs
import csv
import io
import logging
import re
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chorus.core.errors import InvalidInput
from chorus.programs.currencies import minor_unit_exponent

from .customers import (
    CREATED,
    UNCHANGED,
    UPDATED,
    CustomerWriter,
    RowInvalid,
    attribute_key,
    attribute_value,
    check_values,
    parse_amount,
    parse_date,
)
from .models import ImportJob

logger = logging.getLogger("chorus.imports")

MAX_ROWS = 100_000
MAX_BYTES = 100 * 1024 * 1024
CHUNK = 1000
HEAD_BYTES = 64 * 1024
SAMPLE_ROWS = 5
DELIMITERS = {",": gettext_lazy("Comma (,)"), ";": gettext_lazy("Semicolon (;)"), "\t": gettext_lazy("Tab"),
              "|": gettext_lazy("Vertical bar (|)")}
ATTRIBUTE = "attribute"
TARGETS = {
    "external_id": gettext_lazy("Customer id"),
    "email": gettext_lazy("Email"),
    "name": gettext_lazy("Name"),
    "language": gettext_lazy("Language"),
    "plan": gettext_lazy("Plan"),
    "revenue": gettext_lazy("Revenue"),
    "signed_up_at": gettext_lazy("Signup date"),
    "account_name": gettext_lazy("Account (company) name"),
    "account_domain": gettext_lazy("Account domain"),
}
SYNONYMS = {
    "external_id": {"id", "customer id", "customerid", "external id", "user id", "userid", "client id", "contact id"},
    "email": {"email", "e mail", "email address", "mail", "e mail address"},
    "name": {"name", "full name", "customer name", "contact name", "contact"},
    "language": {"language", "lang", "locale", "preferred language"},
    "plan": {"plan", "tier", "subscription", "package", "plan name", "pricing plan"},
    "revenue": {"revenue", "ltv", "lifetime value", "total spent", "total revenue", "spend", "arr"},
    "signed_up_at": {"signup date", "signed up", "sign up date", "signed up at", "signup", "created at", "created",
                     "customer since", "start date", "joined", "joined at", "signup at"},
    "account_name": {"company", "account", "account name", "organisation", "organization", "company name"},
    "account_domain": {"domain", "company domain", "website", "account domain", "company website"},
}
csv.field_size_limit(1024 * 1024)


class MalformedFile(InvalidInput):
    code = "malformed_file"


# --- upload and mapping ------------------------------------------------------------------------

def guess_target(header: str) -> str:
    """The field a column header most likely means, "attribute" for anything else."""
    words = re.sub(r"[\s_\-]+", " ", (header or "").strip().lower())
    for target, names in SYNONYMS.items():
        if words in names:
            return target
    return ATTRIBUTE if attribute_key(header) else ""


def _decode_head(head: bytes, complete: bool) -> str:
    try:
        return codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=complete)
    except UnicodeDecodeError as error:
        raise MalformedFile(_("The file is not UTF-8 text (unreadable byte at position %(position)d). In your "
                              "spreadsheet, save it as “CSV UTF-8” and upload it again.")
                            % {"position": error.start + 1}) from None


def sniff_delimiter(header_line: str) -> str:
    """The candidate that splits the header line into the most cells (comma when tied)."""
    counts = {delimiter: len(next(csv.reader([header_line], delimiter=delimiter), [])) for delimiter in DELIMITERS}
    return max(counts, key=lambda delimiter: (counts[delimiter], delimiter == ","))


def _looks_like_data(cell: str) -> bool:
    cell = cell.strip()
    return "@" in cell or bool(re.fullmatch(r"-?[\d.,]+", cell))


def read_header(text: str, delimiter: str) -> tuple[list[str], list[list[str]]]:
    """The header row and up to SAMPLE_ROWS rows of the file's start; MalformedFile if unusable."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    try:
        header = next((row for row in reader if any(cell.strip() for cell in row)), None)
        sample = []
        for row in reader:
            if any(cell.strip() for cell in row):
                sample.append(row)
            if len(sample) >= SAMPLE_ROWS:
                break
    except csv.Error as error:
        raise MalformedFile(_("The file is not valid CSV: %(problem)s.") % {"problem": error}) from None
    if header is None:
        raise MalformedFile(_("The file is empty: it needs a header row naming the columns, then one row per customer."))
    header = [cell.strip() for cell in header]
    if any(_looks_like_data(cell) for cell in header if cell):
        raise MalformedFile(_("The first row looks like data (%(cell)s), not column names. Add a header row, e.g. "
                              "“id,email,name”.") % {"cell": next(c for c in header if c and _looks_like_data(c))})
    return header, sample


def start_import(program, user, upload) -> ImportJob:
    """Store an uploaded CSV and read its header, for the mapping step (nothing imported yet).
    MalformedFile (nothing stored) if it is too large, not UTF-8, not CSV or has no header."""
    if upload.size > MAX_BYTES:
        raise MalformedFile(_("The file is larger than %(size)d MB. Split it into smaller files.")
                            % {"size": MAX_BYTES // (1024 * 1024)})
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    complete = upload.size <= HEAD_BYTES
    if not complete:  # cut at the last line break so no row or character is split
        head = head[: head.rfind(b"\n") + 1] or head
    text = _decode_head(head, complete)
    first_line = next(iter(text.splitlines()), "")
    delimiter = sniff_delimiter(first_line)
    header, sample = read_header(text, delimiter)
    upload.seek(0)
    job = ImportJob(program=program, created_by=user, original_name=(upload.name or "customers.csv")[:255],
                    size=upload.size, delimiter=delimiter, headers=header, sample=sample,
                    mapping=[_default_mapping(name) for name in header])
    job.file.save(f"customers-{program.pk}.csv", upload, save=False)
    job.save()
    return job


def _default_mapping(header: str) -> str:
    target = guess_target(header)
    return f"{ATTRIBUTE}:{attribute_key(header)}" if target == ATTRIBUTE else target


def change_delimiter(job: ImportJob, delimiter: str) -> ImportJob:
    """Read the header again with another delimiter (the guess was wrong)."""
    if delimiter not in DELIMITERS:
        raise InvalidInput(_("Choose one of the delimiters."), field_errors={"delimiter": [_("Unknown delimiter.")]})
    with job.file.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    complete = job.size <= HEAD_BYTES
    if not complete:
        head = head[: head.rfind(b"\n") + 1] or head
    header, sample = read_header(_decode_head(head, complete), delimiter)
    job.delimiter, job.headers, job.sample = delimiter, header, sample
    job.mapping = [_default_mapping(name) for name in header]
    job.save(update_fields=["delimiter", "headers", "sample", "mapping"])
    return job


def check_mapping(headers: list[str], mapping: list[str]) -> list[str]:
    """The mapping as stored ("email", "attribute:followers", "" for ignored), or InvalidInput."""
    if len(mapping) != len(headers):
        raise InvalidInput(_("Map every column of the file."))
    errors: dict[str, list[str]] = {}
    seen: dict[str, str] = {}
    cleaned = []
    for index, (header, target) in enumerate(zip(headers, mapping, strict=True)):
        target = (target or "").strip()
        if target.startswith(f"{ATTRIBUTE}:"):
            key = attribute_key(target.split(":", 1)[1])
            if not key:
                errors[f"column_{index}"] = [_("Give the attribute a name of letters and digits.")]
                continue
            target = f"{ATTRIBUTE}:{key}"
        elif target and target not in TARGETS:
            errors[f"column_{index}"] = [_("Choose what this column holds.")]
            continue
        if target and target in seen:
            errors[f"column_{index}"] = [_("“%(other)s” is already mapped to this.") % {"other": seen[target]}]
            continue
        if target:
            seen[target] = header or str(index + 1)
        cleaned.append(target)
    if not errors and not {"external_id", "email"} & set(cleaned):
        errors["mapping"] = [_("Map one column to Customer id or Email: customers are found and updated by them.")]
    if errors:
        raise InvalidInput(_("The column mapping needs a fix."), field_errors=errors)
    return cleaned


def queue_import(job: ImportJob, mapping: list[str]) -> ImportJob:
    """Save the mapping and start the import in the background (after commit)."""
    from .tasks import run_import_task

    if job.status != ImportJob.Status.MAPPING:
        raise InvalidInput(_("This import has already started."))
    job.mapping = check_mapping(job.headers, mapping)
    job.status = ImportJob.Status.QUEUED
    job.save(update_fields=["mapping", "status"])
    transaction.on_commit(lambda: run_import_task.enqueue(job.pk))
    return job


# --- the background run --------------------------------------------------------------------------

def _rows(job: ImportJob, handle):
    """(row number, cells) of each non-blank data row; the header is row 1."""
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
    reader = csv.reader(text, delimiter=job.delimiter, strict=True)
    number = 0
    for cells in reader:
        number += 1
        if number == 1 or not any(cells):
            continue
        yield number, cells


def check_structure(job: ImportJob) -> int:
    """Read the whole file; the number of data rows, or MalformedFile saying what is wrong."""
    width = len(job.headers)
    count = 0
    try:
        with job.file.open("rb") as handle:
            header = next(csv.reader(io.TextIOWrapper(handle, encoding="utf-8-sig", newline=""),
                                     delimiter=job.delimiter, strict=True), [])
            if [cell.strip() for cell in header] != job.headers:
                raise MalformedFile(_("The file's header row changed since the columns were mapped."))
        with job.file.open("rb") as handle:
            for number, cells in _rows(job, handle):
                count += 1
                if count > MAX_ROWS:
                    raise MalformedFile(_("The file has more than %(max)s rows. Split it into files of at most "
                                          "%(max)s rows.") % {"max": f"{MAX_ROWS:,}"})
                if len(cells) != width and not (len(cells) > width and not any(cells[width:])):
                    raise MalformedFile(
                        _("Row %(row)d has %(cells)d cells but the header has %(columns)d columns. Check the "
                          "delimiter (%(delimiter)s) and that text with delimiters or line breaks is in quotes.")
                        % {"row": number, "cells": len(cells), "columns": width,
                           "delimiter": DELIMITERS[job.delimiter]})
    except UnicodeDecodeError as error:
        raise MalformedFile(_("The file is not UTF-8 text (unreadable byte at position %(position)d). In your "
                              "spreadsheet, save it as “CSV UTF-8” and upload it again.")
                            % {"position": error.start + 1}) from None
    except csv.Error as error:
        raise MalformedFile(_("The file is not valid CSV after row %(row)d: %(problem)s.")
                            % {"row": count + 1, "problem": error}) from None
    if count == 0:
        raise MalformedFile(_("The file has a header row but no customers."))
    return count


@dataclass
class _Plan:
    """How to turn a row's cells into customer values."""

    fields: list[tuple[int, str, str]]  # (column index, target, header)
    attributes: list[tuple[int, str]]  # (column index, attribute key)
    header_of: dict[str, str]  # target → header, for error messages
    exponent: int


def _plan(job: ImportJob) -> _Plan:
    fields, attributes, header_of = [], [], {}
    for index, (header, target) in enumerate(zip(job.headers, job.mapping, strict=True)):
        if target.startswith(f"{ATTRIBUTE}:"):
            attributes.append((index, target.split(":", 1)[1]))
            header_of[target] = header
        elif target:
            fields.append((index, target, header))
            header_of[target] = header
    return _Plan(fields, attributes, header_of, minor_unit_exponent(job.program.currency))


def _values(plan: _Plan, cells: list[str]) -> tuple[dict, list[tuple[str, str]]]:
    """The row's values by field, and (column, message) for cells that could not be read."""
    values: dict = {}
    problems = []
    for index, target, header in plan.fields:
        text = cells[index].strip()
        if not text:
            continue
        if target == "revenue":
            try:
                values[target] = parse_amount(text, plan.exponent)
            except ValueError:
                problems.append((header, _("Not an amount: %(value)s (use e.g. 1234.50).") % {"value": text[:50]}))
        elif target == "signed_up_at":
            try:
                values[target] = parse_date(text)
            except ValueError:
                problems.append((header, _("Not a date: %(value)s (use e.g. 2025-03-31).") % {"value": text[:50]}))
        else:
            values[target] = text
    attributes = {key: attribute_value(cells[index].strip()) for index, key in plan.attributes if cells[index].strip()}
    if attributes:
        values["attributes"] = attributes
    return values, problems


def run_import(job_id: int) -> str:
    """The background task: claim the queued job, check the whole file, then import it.
    Does nothing if the job is not queued (a second delivery of the task)."""
    if not ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
            status=ImportJob.Status.CHECKING, started_at=timezone.now()):
        return "skipped"
    job = ImportJob.objects.select_related("program").get(pk=job_id)
    try:
        total = check_structure(job)
    except MalformedFile as error:
        _finish(job, ImportJob.Status.FAILED, message=error.message)
        return "failed"
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, total_rows=total)
    try:
        errors = _import_rows(job)
    except Exception:
        logger.exception("customer import %s failed", job.pk)
        _finish(job, ImportJob.Status.FAILED,
                message=_("The import stopped on an unexpected error after %(count)d rows; it has been logged. "
                          "Running the same file again is safe.") % {"count": job.processed})
        raise
    if errors:
        job.error_report.save(f"customers-{job.program_id}-errors.csv", ContentFile(_error_csv(errors)), save=False)
        ImportJob.objects.filter(pk=job.pk).update(error_report=job.error_report.name)
    _finish(job, ImportJob.Status.DONE)
    from .health import schedule_health

    schedule_health(job.program)
    return "done"


def _import_rows(job: ImportJob) -> list[tuple[int, str, str]]:
    plan = _plan(job)
    writer = CustomerWriter(job.program)
    errors: list[tuple[int, str, str]] = []
    counts = {CREATED: 0, UPDATED: 0, UNCHANGED: 0, "failed": 0, "processed": 0}
    chunk = []
    with job.file.open("rb") as handle:
        for number, cells in _rows(job, handle):
            chunk.append((number, cells))
            if len(chunk) >= CHUNK:
                _write_chunk(job, plan, writer, chunk, counts, errors)
                chunk = []
        if chunk:
            _write_chunk(job, plan, writer, chunk, counts, errors)
    return errors


def _write_chunk(job, plan: _Plan, writer: CustomerWriter, chunk: list, counts: dict, errors: list) -> None:
    rows = []
    for number, cells in chunk:
        cells = cells + [""] * (len(job.headers) - len(cells))
        values, problems = _values(plan, cells)
        try:
            checked = check_values(values)
        except RowInvalid as invalid:
            problems += [(plan.header_of.get(field, field), message)
                         for field, messages in invalid.errors.items() for message in messages]
        if problems:
            errors.extend((number, header, message) for header, message in problems)
            counts["failed"] += 1
        else:
            rows.append(checked)
    for outcome in writer.write(rows):
        counts[outcome.status] += 1
    counts["processed"] += len(chunk)
    job.processed, job.created, job.updated = counts["processed"], counts[CREATED], counts[UPDATED]
    job.unchanged, job.failed = counts[UNCHANGED], counts["failed"]
    ImportJob.objects.filter(pk=job.pk).update(processed=job.processed, created=job.created, updated=job.updated,
                                               unchanged=job.unchanged, failed=job.failed)


def _error_csv(errors: list[tuple[int, str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("row"), _("column"), _("message")])
    writer.writerows(errors)
    return buffer.getvalue().encode("utf-8-sig")


def _finish(job: ImportJob, status: str, message: str = "") -> None:
    ImportJob.objects.filter(pk=job.pk).update(status=status, message=message, finished_at=timezone.now())
