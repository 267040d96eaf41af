"""The B2B lead pipeline: the hub's refer-a-colleague form, duplicates, the console (teammates
log and move leads), stage transitions, rewards on "won", reports, CSV import and export."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from chorus.advocates.models import Advocate
from chorus.advocates.services import issue_login_token
from chorus.core.errors import Conflict, InvalidInput
from chorus.core.models import AuditEvent
from chorus.referrals.models import Conversion, Lead, Referral
from chorus.referrals.services import lead_csv
from chorus.referrals.services.conversions import ConversionInput, record_conversion
from chorus.referrals.services.lead_reports import lead_report
from chorus.referrals.services.leads import (
    LeadInput,
    create_lead,
    reward_won_lead,
    set_show_deal_values,
    update_lead,
)
from chorus.rewards.models import LedgerEntry, Reward, RewardRule
from chorus.rewards.services import balance
from chorus.testing import factories


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def hub(client, program, advocate):
    client.post(f"/hub/{program.slug}/login/{issue_login_token(advocate)}/")
    return client


GOOD = {"name": "Sam Lee", "company": "Globex", "email": "sam@globex.example", "phone": "+49 30 1234567",
        "note": "Evaluating tools this quarter.", "consent": "on"}


def referred(program, advocate, email="sam@globex.example", **fields) -> Lead:
    data = LeadInput(name=fields.pop("name", "Sam Lee"), company=fields.pop("company", "Globex"), email=email,
                     consent=True, advocate=advocate, **fields)
    return create_lead(program, data, entered_via=Lead.EnteredVia.CONSOLE)


# --- the hub form ----------------------------------------------------------------------------

def test_hub_referral_is_stored_and_listed_without_deal_values(hub, program, advocate):
    response = hub.post(f"/hub/{program.slug}/refer/", GOOD)
    assert response.status_code == 302
    lead = Lead.objects.get()
    assert (lead.name, lead.company, lead.email, lead.phone, lead.source, lead.advocate, lead.stage, lead.entered_via) == (
        "Sam Lee", "Globex", "sam@globex.example", "+49 30 1234567", "referral", advocate, "submitted", "hub")
    assert lead.consent_at is not None
    Lead.objects.filter(pk=lead.pk).update(deal_value=1_200_000)
    html = hub.get(f"/hub/{program.slug}/refer/").content.decode()
    assert "Thank you! We will get in touch with Sam Lee at Globex." in html
    assert '<tr data-stage="submitted">' in html and "Sam Lee" in html
    assert "12,000.00" not in html and "Deal value" not in html  # hidden by default
    set_show_deal_values(program, True)
    html = hub.get(f"/hub/{program.slug}/refer/").content.decode()
    assert "12,000.00 USD" in html


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"name": ""}, "name", "Give your colleague&#x27;s name."),
    ({"company": ""}, "company", "Give the company&#x27;s name."),
    ({"email": ""}, "email", "Give an email address to reach them at."),
    ({"email": "sam@"}, "email", "Enter a valid email address, e.g. name@company.com."),
    ({"phone": "call me"}, "phone", "Use digits with an optional leading +, 7 to 15 digits, e.g. +49 30 1234567."),
    ({"phone": "+1 23"}, "phone", "Use digits with an optional leading +, 7 to 15 digits, e.g. +49 30 1234567."),
    ({"consent": ""}, "consent", "Confirm that your colleague agreed to be contacted."),
    ({"email": "Jane@Example.com"}, "email", "That is your own email address."),
])
def test_hub_form_refuses_bad_input_and_stores_nothing(hub, program, change, field, message):
    data = {**GOOD, **change}
    if data["consent"] == "":
        del data["consent"]
    response = hub.post(f"/hub/{program.slug}/refer/", data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert Lead.objects.count() == 0


def test_hub_refuses_someone_already_a_lead_customer_or_advocate(hub, program, advocate):
    referred(program, factories.make_advocate(program, email="bo@example.com"), email="sam@globex.example")
    record_conversion(program, ConversionInput(type="signup", email="kim@initech.example"))
    factories.make_advocate(program, email="lee@hooli.example")
    cases = [("sam@globex.example", "sam@globex.example has already been referred or logged as a lead in this program."),
             ("Kim@Initech.example", "Kim@initech.example is already a customer of this program."),
             ("lee@hooli.example", "lee@hooli.example is already an advocate in this program.")]
    for email, message in cases:
        response = hub.post(f"/hub/{program.slug}/refer/", {**GOOD, "email": email})
        assert response.status_code == 422
        assert message in response.content.decode()
    assert Lead.objects.count() == 1


def test_hub_form_is_rate_limited_per_advocate(hub, program, monkeypatch):
    from chorus.referrals.services import leads

    monkeypatch.setattr(leads, "LEADS_PER_ADVOCATE_PER_HOUR", 2)
    for number in range(2):
        assert hub.post(f"/hub/{program.slug}/refer/", {**GOOD, "email": f"p{number}@globex.example"}).status_code == 302
    response = hub.post(f"/hub/{program.slug}/refer/", {**GOOD, "email": "p9@globex.example"})
    assert response.status_code == 429
    assert Lead.objects.count() == 2


def test_hub_page_needs_a_logged_in_advocate(client, program):
    response = client.get(f"/hub/{program.slug}/refer/")
    assert response.status_code == 302 and response["Location"] == f"/hub/{program.slug}/login/"


def test_hub_page_in_arabic_is_right_to_left(hub, program, advocate):
    Advocate.objects.filter(pk=advocate.pk).update(language="ar")
    referred(program, advocate)
    html = hub.get(f"/hub/{program.slug}/refer/").content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert 'dir="ltr"' in html  # the email field reads left to right


# --- duplicates and concurrent submissions (service) ------------------------------------------

def test_same_email_in_another_spelling_is_a_duplicate(program, advocate):
    referred(program, advocate, email="sam.lee+work@globex.example")
    with pytest.raises(Conflict) as caught:
        referred(program, advocate, email="SAM.LEE@globex.example")
    assert caught.value.code == "duplicate_lead"
    assert Lead.objects.count() == 1


def test_referred_lead_needs_an_active_advocate_of_the_program(program, advocate, outsider):
    from chorus.programs.models import Program

    stranger = factories.make_advocate(Program.objects.get(slug="other-program"), email="x@example.com")
    for who in (None, stranger):
        with pytest.raises(InvalidInput) as caught:
            create_lead(program, LeadInput(name="A", company="B", email="a@b.example", consent=True, advocate=who),
                        entered_via="api")
        assert caught.value.field_errors["advocate"] == ["Name an active advocate of this program who referred this lead."]
    assert Lead.objects.count() == 0


# --- console: teammates log and move leads -----------------------------------------------------

def test_teammate_logs_a_referred_lead_on_an_advocates_behalf(client, teammate, program, advocate):
    client.force_login(teammate)
    response = client.post(f"/console/programs/{program.slug}/leads/new/", {
        "source": "referral", "advocate_email": "JANE@example.com", "name": "Sam Lee", "company": "Globex",
        "email": "sam@globex.example", "consent": "on", "deal_value": "500000"})
    assert response.status_code == 302
    lead = Lead.objects.get()
    assert (lead.advocate, lead.created_by, lead.entered_via, lead.deal_value) == (advocate, teammate, "console", 500000)
    event = AuditEvent.objects.get(action="lead.created")
    assert (event.actor, event.target_id, event.data["entered_via"]) == (teammate, str(lead.pk), "console")


def test_teammate_logs_a_deal_from_another_channel(client, teammate, program):
    client.force_login(teammate)
    response = client.post(f"/console/programs/{program.slug}/leads/new/", {
        "source": "other", "channel": "Outbound", "name": "Ana Ruiz", "company": "Initech", "submitted_on": "2026-01-05"})
    assert response.status_code == 302
    lead = Lead.objects.get()
    assert (lead.source, lead.advocate, lead.channel, lead.submitted_at) == (
        "other", None, "Outbound", datetime(2026, 1, 5, tzinfo=UTC))


def test_console_form_errors_store_nothing(client, teammate, program, advocate):
    client.force_login(teammate)
    url = f"/console/programs/{program.slug}/leads/new/"
    response = client.post(url, {"source": "referral", "advocate_email": "nobody@example.com", "name": "A",
                                 "company": "B", "email": "a@b.example", "consent": "on"})
    assert response.status_code == 422 and "No advocate with this email in this program." in response.content.decode()
    response = client.post(url, {"source": "referral", "advocate_email": "jane@example.com", "name": "A",
                                 "company": "B", "email": "a@b.example"})
    assert response.status_code == 422 and "Confirm that your colleague agreed to be contacted." in response.content.decode()
    assert Lead.objects.count() == 0


def test_stage_changes_in_place_with_htmx_and_by_plain_post(client, teammate, program, advocate):
    lead = referred(program, advocate)
    client.force_login(teammate)
    url = f"/console/programs/{program.slug}/leads/{lead.pk}/stage/"
    response = client.post(url, {"stage": "qualified"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith(f'<tr id="lead-{lead.pk}"')
    assert 'data-stage="qualified"' in html and 'value="won"' in html
    response = client.post(url, {"stage": "won", "deal_value": "0"}, HTTP_HX_REQUEST="true")
    assert "Give the deal value of a won lead" in response.content.decode()
    response = client.post(url, {"stage": "won", "deal_value": "900000", "back": "stage=qualified"})
    assert response.status_code == 302 and response["Location"] == f"/console/programs/{program.slug}/leads/?stage=qualified"
    lead.refresh_from_db()
    assert (lead.stage, lead.deal_value) == ("won", 900000)
    page = client.get(f"/console/programs/{program.slug}/leads/?stage=won").content.decode()
    assert f'id="lead-{lead.pk}"' in page and "9,000.00 USD" in page


def test_outsider_gets_404_everywhere(client, outsider, program, advocate):
    lead = referred(program, advocate)
    client.force_login(outsider)
    base = f"/console/programs/{program.slug}/leads/"
    for url in (base, base + "new/", base + "import/", base + "export.csv", base + "report/"):
        assert client.get(url).status_code == 404, url
    assert client.post(base + f"{lead.pk}/stage/", {"stage": "qualified"}).status_code == 404
    assert client.post(base + "settings/", {"show_deal_values": "on"}).status_code == 404
    lead.refresh_from_db()
    assert lead.stage == "submitted"


def test_teammate_cannot_change_lead_settings(client, teammate, program):
    client.force_login(teammate)
    assert client.post(f"/console/programs/{program.slug}/leads/settings/", {"show_deal_values": "on"}).status_code == 404


def test_console_leads_page_in_arabic(client, owner, program, advocate):
    referred(program, advocate)
    client.force_login(owner)
    html = client.get(f"/console/programs/{program.slug}/leads/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert 'dir="rtl"' in html


# --- transitions -----------------------------------------------------------------------------

def test_valid_path_sets_dates_and_audits(program, advocate, owner):
    lead = referred(program, advocate, submitted_at=datetime.now(UTC) - timedelta(days=10))
    qualified_at = lead.submitted_at + timedelta(days=2)
    update_lead(lead, stage="qualified", at=qualified_at, user=owner)
    update_lead(lead, stage="lost", lost_reason="Chose a competitor", user=owner)
    lead.refresh_from_db()
    assert (lead.stage, lead.qualified_at, lead.lost_reason) == ("lost", qualified_at, "Chose a competitor")
    assert lead.closed_at is not None
    moves = [(event.data["stage_from"], event.data["stage_to"])
             for event in AuditEvent.objects.filter(action="lead.stage_changed").order_by("pk")]
    assert moves == [("submitted", "qualified"), ("qualified", "lost")]


@pytest.mark.parametrize(("path", "message"), [
    (["submitted"], "This lead is already at this stage."),
    (["won"], "Qualify the lead before marking it won."),
    (["qualified", "submitted"], "A lead cannot go back to submitted."),
    (["qualified", "won", "submitted"], "This lead is already won; closed leads don't move."),
    (["lost", "qualified"], "This lead is already lost; closed leads don't move."),
])
def test_invalid_transitions_are_refused(program, advocate, path, message):
    lead = referred(program, advocate, deal_value=1000)
    *allowed, refused = path
    for stage in allowed:
        update_lead(lead, stage=stage, lost_reason="No budget")
    with pytest.raises(Conflict) as caught:
        update_lead(lead, stage=refused, lost_reason="x")
    assert caught.value.message == message
    assert Lead.objects.get().stage == (allowed[-1] if allowed else "submitted")


def test_lost_needs_a_reason_and_a_stale_lead_is_refused(program, advocate):
    lead = referred(program, advocate)
    with pytest.raises(InvalidInput) as caught:
        update_lead(lead, stage="lost")
    assert caught.value.field_errors == {"lost_reason": ["Say why the lead was lost."]}
    stale = Lead.objects.get()
    update_lead(lead, stage="qualified")
    with pytest.raises(Conflict) as caught:
        update_lead(stale, stage="lost", lost_reason="gone")  # still thinks it is submitted
    assert caught.value.code == "lead_moved"
    assert Lead.objects.get().stage == "qualified"


# --- rewards on "won" -------------------------------------------------------------------------

def test_winning_a_referred_lead_rewards_the_advocate_once(program, advocate):
    rule = factories.make_rule(program, name="1,000 points per won deal", event=RewardRule.Event.LEAD_WON, amount=1000)
    percent = factories.make_rule(program, name="1% of the deal", event=RewardRule.Event.LEAD_WON,
                                  kind=RewardRule.Kind.PERCENT, percent_basis_points=100, amount=0)
    factories.make_rule(program, name="Purchase rule", event=RewardRule.Event.FIRST_PURCHASE, amount=500)
    lead = referred(program, advocate)
    update_lead(lead, stage="qualified")
    update_lead(lead, stage="won", deal_value=1_200_000)
    conversion = Conversion.objects.get()
    assert (conversion.type, conversion.order_id, conversion.amount, conversion.customer.email) == (
        "lead_won", f"lead-{lead.pk}", 1_200_000, "sam@globex.example")
    assert (conversion.referral.advocate, conversion.referral.reason, conversion.referral.review) == (advocate, "lead", "clean")
    rewards = {reward.rule: (reward.amount, reward.status) for reward in Reward.objects.all()}
    assert rewards == {rule: (1000, "issued"), percent: (12_000, "issued")}  # 1% of 1,200,000
    assert balance(advocate) == 1000 and balance(advocate, LedgerEntry.Unit.CREDIT) == 12_000
    lead.refresh_from_db()
    assert lead.conversion == conversion
    with pytest.raises(Conflict):
        update_lead(lead, stage="won")
    assert reward_won_lead(lead) == []  # a retry of the reward step finds the conversion
    assert (Conversion.objects.count(), Reward.objects.count(), LedgerEntry.objects.count()) == (1, 2, 2)


def test_non_referred_win_and_referred_loss_reward_nothing(program, advocate):
    factories.make_rule(program, name="Per won deal", event=RewardRule.Event.LEAD_WON, amount=1000)
    other = create_lead(program, LeadInput(name="A", company="B", source="other", channel="Ads"), entered_via="console")
    update_lead(other, stage="qualified")
    update_lead(other, stage="won", deal_value=5000)
    lead = referred(program, advocate)
    update_lead(lead, stage="lost", lost_reason="No budget")
    assert (Conversion.objects.count(), Reward.objects.count()) == (0, 0)


def test_won_lead_of_someone_another_advocate_referred_meanwhile_waits_for_review(program, advocate):
    factories.make_rule(program, name="Per won deal", event=RewardRule.Event.LEAD_WON, amount=1000)
    lead = referred(program, advocate)
    other = factories.make_advocate(program, email="bo@example.com")
    record_conversion(program, ConversionInput(type="signup", email="sam@globex.example",
                                               referral_code=other.link.code))
    update_lead(lead, stage="qualified")
    update_lead(lead, stage="won", deal_value=1000)
    referral = Referral.objects.get(advocate=advocate)
    assert (referral.flag, referral.review, referral.is_primary) == ("duplicate_friend", "flagged", False)
    reward = Reward.objects.get(advocate=advocate)
    assert (reward.status, reward.status_reason) == ("pending", "awaiting_review")


# --- reports -----------------------------------------------------------------------------------

def _deal(program, advocate, day0, *, stage, submitted, qualified=None, closed=None, value=0, source="referral",
          email=""):
    """A lead placed directly at its dates (days after day0), as history."""
    return Lead.objects.create(
        program=program, source=source, advocate=advocate if source == "referral" else None, name="N", company="C",
        email=email, email_normalized=email, stage=stage, deal_value=value, entered_via="console",
        submitted_at=day0 + timedelta(days=submitted),
        qualified_at=day0 + timedelta(days=qualified) if qualified is not None else None,
        closed_at=day0 + timedelta(days=closed) if closed is not None else None,
        lost_reason="x" if stage == "lost" else "")


def test_report_by_hand(program, advocate):
    day0 = datetime(2026, 1, 1, tzinfo=UTC)
    # Referred: won after 10, 20 and 60 days (values 100,000 / 200,000 / 600,000), lost 1, open 1 (qualified).
    for number, (closed, value) in enumerate([(10, 100_000), (20, 200_000), (60, 600_000)]):
        _deal(program, advocate, day0, stage="won", submitted=0, qualified=2, closed=closed, value=value,
              email=f"w{number}@x.example")
    _deal(program, advocate, day0, stage="lost", submitted=0, closed=5, email="l@x.example")
    _deal(program, advocate, day0, stage="qualified", submitted=1, qualified=3, value=50_000, email="q@x.example")
    # Other channels: won after 30 and 45 days (120,000 / 80,000), lost 3, open 1 (submitted, 10,000).
    _deal(program, None, day0, stage="won", submitted=0, closed=30, value=120_000, source="other")
    _deal(program, None, day0, stage="won", submitted=5, closed=50, value=80_000, source="other")
    for _ in range(3):
        _deal(program, None, day0, stage="lost", submitted=0, closed=7, source="other")
    _deal(program, None, day0, stage="submitted", submitted=4, value=10_000, source="other")
    report = lead_report(program)
    mine, others = report.source("referral"), report.source("other")
    # referred: win rate 3 won / (3 + 1 closed-lost) = 75.0 %; days 10, 20, 60 → median 20, mean 90/3 = 30.0;
    # average deal value (100,000 + 200,000 + 600,000) / 3 = 300,000
    assert (mine.leads, mine.open, mine.won, mine.lost) == (5, 1, 3, 1)
    assert (mine.win_rate, mine.median_days_to_close, mine.average_days_to_close, mine.average_deal_value) == (
        75.0, 20, 30.0, 300_000)
    # other: win rate 2 / (2 + 3) = 40.0 %; days 30 and 45 → median = mean = 37.5; average value 200,000 / 2 = 100,000
    assert (others.leads, others.open, others.won, others.lost) == (6, 1, 2, 3)
    assert (others.win_rate, others.median_days_to_close, others.average_days_to_close, others.average_deal_value) == (
        40.0, 37.5, 37.5, 100_000)
    # pipeline: submitted 1 (10,000); qualified 1 (50,000); won 5 (900,000 + 200,000); lost 4 (0)
    assert [(stage.stage, stage.count, stage.value) for stage in report.stages] == [
        ("submitted", 1, 10_000), ("qualified", 1, 50_000), ("won", 5, 1_100_000), ("lost", 4, 0)]


def test_report_page_shows_the_comparison(client, owner, program, advocate):
    day0 = datetime(2026, 1, 1, tzinfo=UTC)
    _deal(program, advocate, day0, stage="won", submitted=0, closed=12, value=300_000, email="a@x.example")
    _deal(program, None, day0, stage="lost", submitted=0, closed=3, source="other")
    client.force_login(owner)
    html = client.get(f"/console/programs/{program.slug}/leads/report/").content.decode()
    assert '<td class="number" data-metric="win_rate">100.0 %</td>' in html
    assert '<td class="number" data-metric="median_days">12.0</td>' in html
    assert '<td class="number" data-metric="win_rate">0.0 %</td>' in html


# --- CSV import and export ------------------------------------------------------------------------

def upload(text: str | bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("deals.csv", text if isinstance(text, bytes) else text.encode(), content_type="text/csv")


CSV_HEADER = "name,company,email,channel,stage,deal_value,submitted_at,qualified_at,closed_at,lost_reason\n"


def test_import_of_deals_from_other_channels(client, teammate, program):
    client.force_login(teammate)
    body = (CSV_HEADER + "Ana Ruiz,Initech,ana@initech.example,Outbound,won,250000,2026-01-02,2026-01-05,2026-02-01,\n"
            "Bo Chan,Hooli,,Ads,lost,0,2026-01-03,,2026-01-10,Too expensive\n"
            "Cy Dee,Umbrella,,,submitted,,2026-01-04,,,\n")
    response = client.post(f"/console/programs/{program.slug}/leads/import/", {"file": upload(body)})
    assert response.status_code == 302
    rows = list(Lead.objects.order_by("submitted_at").values_list("name", "source", "stage", "deal_value", "channel",
                                                                  "lost_reason", "entered_via"))
    assert rows == [("Ana Ruiz", "other", "won", 250000, "Outbound", "", "import"),
                    ("Bo Chan", "other", "lost", 0, "Ads", "Too expensive", "import"),
                    ("Cy Dee", "other", "submitted", 0, "", "", "import")]
    assert Lead.objects.get(name="Ana Ruiz").closed_at == datetime(2026, 2, 1, tzinfo=UTC)


@pytest.mark.parametrize(("body", "message"), [
    ("name,company\nA,B\n", "Line 1: the header must name the columns"),
    (CSV_HEADER + "A,B,,,won,100,2026-01-02,,,\n", "Line 2: a won or lost deal needs its closed_at date. Nothing was imported."),
    (CSV_HEADER + "A,B,,,submitted,100,2026-01-02,,,\nC,D,,,won,12.50,2026-01-02,,2026-01-03,\n",
     "Line 3: the deal value “12.50” is not a whole number of minor units (cents). Nothing was imported."),
    (CSV_HEADER + "A,B,,,submitted,1,02/01/2026,,,\n", "Line 2: “02/01/2026” is not a date such as 2026-03-01."),
    (CSV_HEADER + "A,B,,,won,1,2026-01-05,,2026-01-02,\n", "Line 2: the dates are out of order"),
    (CSV_HEADER + "A,B,a@x.example,,submitted,1,2026-01-05,,,\nC,D,A@x.example,,submitted,1,2026-01-05,,,\n",
     "Line 3: A@x.example is also on line 2."),
    (CSV_HEADER + "A,B,,,submitted,1,2026-01-05,,\n", "Line 2: 9 values for 10 columns."),
    (CSV_HEADER + 'A,"B"x,,submitted,1,2026-01-05,,,,\n', "The file is not valid CSV: &#x27;,&#x27; expected after &#x27;&quot;&#x27;."),
    ("name,company,submitted_at\n\xe9,B,2026-01-05\n".encode("latin-1"), "The file is not UTF-8 text."),
    (CSV_HEADER, "The file holds no deals."),
])
def test_malformed_import_imports_nothing(client, owner, program, body, message):
    client.force_login(owner)
    response = client.post(f"/console/programs/{program.slug}/leads/import/", {"file": upload(body)})
    assert response.status_code == 422
    assert message in response.content.decode()
    assert Lead.objects.count() == 0


def test_import_refuses_an_email_already_a_lead(program, advocate):
    referred(program, advocate, email="ana@initech.example")
    body = CSV_HEADER + "B,C,,,submitted,1,2026-01-02,,,\nAna,Initech,ana@initech.example,,submitted,1,2026-01-02,,,\n"
    with pytest.raises(InvalidInput) as caught:
        lead_csv.import_deals(program, io.BytesIO(body.encode()))
    assert caught.value.message == "Line 3: ana@initech.example is already a lead in this program. Nothing was imported."
    assert Lead.objects.count() == 1


def test_export_streams_the_filtered_leads(client, teammate, program, advocate):
    lead = referred(program, advocate, phone="+1 555 0100 200")
    create_lead(program, LeadInput(name="=cmd()", company="Evil", source="other"), entered_via="console")
    client.force_login(teammate)
    response = client.get(f"/console/programs/{program.slug}/leads/export.csv?source=referral")
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0] == ",".join(lead_csv.EXPORT_COLUMNS)
    assert len(lines) == 2 and lines[1].startswith(f"{lead.pk},referral,jane@example.com,,Sam Lee,Globex,sam@globex.example,'+1 555")
    everything = b"".join(client.get(f"/console/programs/{program.slug}/leads/export.csv").streaming_content).decode()
    assert ",'=cmd(),Evil," in everything  # a formula is not run by a spreadsheet


def test_lead_won_rules_may_pay_a_percent_of_the_deal(program, owner):
    from chorus.rewards import rules

    rule = rules.create_rule(program, user=owner, name="5% of won deals", side="advocate", event="lead_won",
                             kind="percent", percent_basis_points=500)
    assert (rule.event, rule.percent_basis_points, rule.get_event_display()) == ("lead_won", 500, "A referred B2B lead is won")
    with pytest.raises(InvalidInput) as caught:
        rules.create_rule(program, name="Per signup", side="advocate", event="signup", kind="percent",
                          percent_basis_points=500)
    assert "kind" in caught.value.field_errors
