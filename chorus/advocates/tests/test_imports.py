"""CSV import: mapping guesses, the whole file checked before anything is written, per-row
errors, re-runs that change nothing, progress counts."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chorus.advocates.imports import MalformedFile, guess_target, queue_import, start_import
from chorus.advocates.models import Account, Customer, ImportJob
from chorus.core.errors import InvalidInput

pytestmark = pytest.mark.django_db

GOOD = (
    "Customer ID,E-mail,Full name,Language,Plan,Revenue,Signup date,Company,Domain,Followers,Posts per month\n"
    "c1,ann@example.com,Ann Lee,de-DE,Pro,\"1,234.50\",2024-03-01,Initech,initech.com,5400,12\n"
    "c2,bob@example.com,Bob Roe,en,Free,0,2025-01-15T10:00:00Z,Initech,initech.com,80,1\n"
    "c3,not-an-email,Cy,ja,Pro,lots,yesterday,,,10,\n"
    ",dee@example.com,Dee,pl,Enterprise,99,2023/12/31,Globex,,,3.5\n"
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(text: str | bytes, name="customers.csv"):
    data = text.encode() if isinstance(text, str) else text
    return SimpleUploadedFile(name, data, content_type="text/csv")


def run(job, capture, mapping=None):
    with capture(execute=True):
        queue_import(job, mapping or job.mapping)
    job.refresh_from_db()
    return job


def test_headers_are_guessed():
    assert [guess_target(h) for h in ["ID", "email_address", "Name", "Locale", "tier", "LTV", "Customer since",
                                      "Company", "website", "Followers", ""]] == \
        ["external_id", "email", "name", "language", "plan", "revenue", "signed_up_at", "account_name",
         "account_domain", "attribute", ""]


def test_import_maps_columns_reports_bad_rows_and_a_rerun_changes_nothing(program, owner,
                                                                           django_capture_on_commit_callbacks):
    job = start_import(program, owner, upload(GOOD))
    assert job.mapping == ["external_id", "email", "name", "language", "plan", "revenue", "signed_up_at",
                           "account_name", "account_domain", "attribute:followers", "attribute:posts_per_month"]
    assert job.sample[0][:2] == ["c1", "ann@example.com"]
    job = run(job, django_capture_on_commit_callbacks)
    assert (job.status, job.total_rows, job.processed, job.created, job.updated, job.unchanged, job.failed) == \
        ("done", 4, 4, 3, 0, 0, 1)
    ann = Customer.objects.get(external_id="c1")
    assert (ann.email, ann.name, ann.language, ann.plan, ann.revenue, ann.signed_up_at.isoformat()) == \
        ("ann@example.com", "Ann Lee", "de", "Pro", 123450, "2024-03-01T00:00:00+00:00")
    assert ann.attributes == {"followers": 5400, "posts_per_month": 12}
    assert ann.account.name == "Initech" and Customer.objects.get(external_id="c2").account_id == ann.account_id
    dee = Customer.objects.get(email="dee@example.com")
    assert (dee.external_id, dee.revenue, dee.attributes, dee.account.name) == ("", 9900, {"posts_per_month": 3.5},
                                                                                "Globex")
    report = list(csv.reader(io.StringIO(job.error_report.open("rb").read().decode("utf-8-sig"))))
    assert report == [["row", "column", "message"],
                      ["4", "Revenue", "Not an amount: lots (use e.g. 1234.50)."],
                      ["4", "Signup date", "Not a date: yesterday (use e.g. 2025-03-31)."],
                      ["4", "E-mail", "Enter a valid email address."]]
    stamps = dict(Customer.objects.values_list("pk", "updated_at"))
    again = run(start_import(program, owner, upload(GOOD)), django_capture_on_commit_callbacks)
    assert (again.created, again.updated, again.unchanged, again.failed) == (0, 0, 3, 1)
    assert dict(Customer.objects.values_list("pk", "updated_at")) == stamps
    assert (Customer.objects.count(), Account.objects.count()) == (3, 2)


def test_changed_values_update_only_those_customers(program, owner, django_capture_on_commit_callbacks):
    run(start_import(program, owner, upload("id,email,plan\nc1,a@example.com,Free\nc2,b@example.com,Free\n")),
        django_capture_on_commit_callbacks)
    job = run(start_import(program, owner, upload("id,email,plan\nc1,a@example.com,Pro\nc2,b@example.com,\n")),
              django_capture_on_commit_callbacks)
    assert (job.created, job.updated, job.unchanged) == (0, 1, 1)
    assert dict(Customer.objects.values_list("external_id", "plan")) == {"c1": "Pro", "c2": "Free"}


def test_custom_mapping_and_ignored_columns(program, owner, django_capture_on_commit_callbacks):
    job = start_import(program, owner, upload("Kundennummer;Mail;Secret;Reichweite\nk1;k1@example.com;x;300\n"))
    assert job.delimiter == ";"
    job = run(job, django_capture_on_commit_callbacks, ["external_id", "email", "", "attribute:followers"])
    customer = Customer.objects.get()
    assert (customer.external_id, customer.attributes) == ("k1", {"followers": 300})


@pytest.mark.parametrize(("content", "message"), [
    (b"", "The file is empty: it needs a header row naming the columns, then one row per customer."),
    ("id,email\nc1,caf\u00e9@example.com\n".encode("latin-1"),
     "The file is not UTF-8 text (unreadable byte at position 16). In your spreadsheet, save it as "
     "\u201cCSV UTF-8\u201d and upload it again."),
    (b"c1,ann@example.com\nc2,bob@example.com\n",
     "The first row looks like data (ann@example.com), not column names. Add a header row, e.g. "
     "\u201cid,email,name\u201d."),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "The file is not UTF-8 text (unreadable byte at position 1). In your "
     "spreadsheet, save it as \u201cCSV UTF-8\u201d and upload it again."),
])
def test_unreadable_uploads_are_refused_at_once(program, owner, content, message):
    with pytest.raises(MalformedFile) as refused:
        start_import(program, owner, upload(content))
    assert refused.value.message == message
    assert not ImportJob.objects.exists()


def test_a_mapping_without_id_or_email_is_refused(program, owner):
    job = start_import(program, owner, upload("name,plan\nAnn,Pro\n"))
    with pytest.raises(InvalidInput) as refused:
        queue_import(job, job.mapping)
    assert refused.value.field_errors == {
        "mapping": ["Map one column to Customer id or Email: customers are found and updated by them."]}
    with pytest.raises(InvalidInput) as twice:
        queue_import(job, ["plan", "plan"])
    assert twice.value.field_errors == {"column_1": ["\u201cname\u201d is already mapped to this."]}
    job.refresh_from_db()
    assert job.status == "mapping"


def bad_file_late(rows_after: str) -> str:
    good = "".join(f"c{i},c{i}@example.com,Name {i}\n" for i in range(2500))
    return "id,email,name\n" + good + rows_after


@pytest.mark.parametrize(("tail", "message"), [
    ("c9,c9@example.com,Nine,extra\n", "Row 2502 has 4 cells but the header has 3 columns. Check the delimiter "
     "(Comma (,)) and that text with delimiters or line breaks is in quotes."),
    ("c9,\"unterminated,x\n", "The file is not valid CSV after row 2501: unexpected end of data."),
    ("c9,caf\xe9,x\n", None),
])
def test_a_file_broken_after_thousands_of_good_rows_imports_nothing(program, owner, tail, message,
                                                                    django_capture_on_commit_callbacks):
    data = bad_file_late(tail).encode("utf-8") if message else bad_file_late(tail).encode("latin-1")
    job = run(start_import(program, owner, upload(data)), django_capture_on_commit_callbacks)
    assert (job.status, job.created, job.processed) == ("failed", 0, 0)
    if message:
        assert job.message == message
    else:
        assert job.message.startswith("The file is not UTF-8 text (unreadable byte at position")
    assert not Customer.objects.exists()


def test_too_many_rows_imports_nothing(program, owner, django_capture_on_commit_callbacks):
    rows = "".join(f"c{i}\n" for i in range(100_001))
    job = run(start_import(program, owner, upload("id\n" + rows)), django_capture_on_commit_callbacks)
    assert (job.status, job.message) == ("failed", "The file has more than 100,000 rows. Split it into files of "
                                                   "at most 100,000 rows.")
    assert not Customer.objects.exists()


def test_wrong_delimiter_guess_is_caught(program, owner, django_capture_on_commit_callbacks):
    # the header splits as well on its commas as on its tabs; the rows are tab-separated
    text = "id\tname, first, last\temail\nc1\tAnn Lee\ta@example.com\n"
    job = start_import(program, owner, upload(text))
    assert (job.delimiter, job.headers) == (",", ["id\tname", "first", "last\temail"])
    job = run(job, django_capture_on_commit_callbacks, ["external_id", "", ""])
    assert job.status == "failed" and job.message.startswith("Row 2 has 1 cells but the header has 3 columns.")
    assert not Customer.objects.exists()


def test_progress_counts_move_per_chunk(program, owner, django_capture_on_commit_callbacks):
    rows = "".join(f"c{i},c{i}@example.com\n" for i in range(2500))
    job = run(start_import(program, owner, upload("id,email\n" + rows + "c1,broken\n")),
              django_capture_on_commit_callbacks)
    assert (job.total_rows, job.processed, job.created, job.updated, job.failed, job.percent) == \
        (2501, 2501, 2500, 0, 1, 100)
