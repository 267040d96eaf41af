"""Finding and inviting advocates end to end (issue 4), in headless Chromium against the live
server with a real SMTP server: the marketer imports a CSV of customers, sends the NPS survey,
the customers answer from the buttons in their email, the promoters become the top
candidates, the marketer invites the best one, and she joins through the emailed link."""

import re

import pytest

from chorus.advocates.models import Advocate, Customer
from chorus.insights.models import NpsResponse
from chorus.invitations.models import Invitation
from chorus.testing import factories
from chorus.testing.browser import TIMEOUT_MS, console_page

pytestmark = pytest.mark.browser

CUSTOMERS_CSV = """id,email,name,language,plan,followers
cus_ana,ana@example.com,Ana Silva,en,business,52000
cus_ben,ben@example.com,Ben Okafor,en,team,300
cus_chen,chen@example.com,Chen Wei,en,team,300
cus_dora,dora@example.com,Dora Nowak,en,team,300
"""
ANSWERS = {"ana@example.com": (10, "The reports save me hours"), "ben@example.com": (9, "Great support"),
           "chen@example.com": (3, "Too expensive")}  # Dora does not answer


@pytest.fixture
def program(transactional_db, live_server, settings, smtp_server):
    settings.CHORUS_BASE_URL = live_server.url  # links in emails point at the live server
    owner = factories.make_user("marketer")
    return factories.make_program(factories.make_workspace(owner, name="Acme"), name="Acme", slug="acme")


def links_in(message, base_url: str) -> list[tuple[str, str]]:
    """(label, tracked URL) for every "label: URL" line of the plain-text part."""
    text = message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    return re.findall(rf"^(.*?):? ?({re.escape(base_url)}/e/c/\S+)$", text, re.M)


def test_import_survey_score_invite_and_join(browser, live_server, program, smtp_server, tmp_path):
    base = live_server.url
    console = console_page(browser, base, "marketer")

    # 1. Import the CSV: upload, keep the guessed mapping, the import runs and reports.
    csv_file = tmp_path / "customers.csv"
    csv_file.write_text(CUSTOMERS_CSV)
    console.goto(f"{base}/console/programs/{program.slug}/customers/imports/")
    console.set_input_files("input[name=file]", str(csv_file))
    console.click("text=Upload and map the columns")
    console.click("text=Start the import")
    console.wait_for_selector("text=4 created, 0 updated, 0 unchanged, 0 rows skipped.")
    ana = Customer.objects.get(program=program, external_id="cus_ana")
    assert (ana.email, ana.name, ana.attributes["followers"]) == ("ana@example.com", "Ana Silva", 52000)

    # 2. Send the NPS survey to every customer: four emails with eleven score buttons each.
    console.goto(f"{base}/console/programs/{program.slug}/nps/")
    console.fill("input[name=name]", "Autumn NPS")
    console.select_option("select[name=audience]", "all_customers")
    console.click("text=Send survey")
    surveys = {message["X-Envelope-To"]: message for message in smtp_server.wait_for(4)}
    assert sorted(surveys) == ["ana@example.com", "ben@example.com", "chen@example.com", "dora@example.com"]

    # 3. Three answer from their email: the button opens the survey with the score chosen,
    #    and the answer counts once they send it.
    for email, (score, comment) in ANSWERS.items():
        buttons = dict(links_in(surveys[email], base))
        person = browser.new_context(locale="en-US").new_page()
        person.set_default_timeout(TIMEOUT_MS)
        person.goto(buttons[str(score)])
        assert person.is_checked(f"input[name=score][value='{score}']")
        assert not NpsResponse.objects.filter(email_normalized=email).exists()
        person.fill("textarea[name=comment]", comment)
        person.click("text=Send my answer")
        person.wait_for_selector(f"text=We recorded your answer: {score} out of 10.")
        person.context.close()
    assert sorted(NpsResponse.objects.values_list("score", flat=True)) == [3, 9, 10]

    # 4. The promoters are the top candidates, the one with the larger audience first.
    console.goto(f"{base}/console/programs/{program.slug}/candidates/")
    ranked = console.locator("tbody tr th[scope=row]").all_inner_texts()
    assert [name.splitlines()[0] for name in ranked[:2]] == ["Ana Silva", "Ben Okafor"]

    # 5. Invite Ana from her row; the invitation email arrives.
    console.click("tbody tr:first-child >> text=Invite")
    assert console.is_checked(f"#selected-customers input[value='{ana.pk}']")
    console.click("text=Send invitations")
    console.wait_for_selector("text=1 invitation sent.")
    smtp_server.wait_for(5)
    [invitation_email] = [message for message in smtp_server.messages_to("ana@example.com")
                          if message is not surveys["ana@example.com"]]
    link = links_in(invitation_email, base)[0][1]  # the email's one call to action

    # 6. She follows the link, presses one button and lands logged in on the starter asks.
    invitee = browser.new_context(locale="en-US").new_page()
    invitee.set_default_timeout(TIMEOUT_MS)
    invitee.goto(link)
    invitee.click("text=Join and open my hub")
    invitee.wait_for_url(f"{base}/hub/{program.slug}/asks/")
    assert invitee.is_visible("nav.hub-nav")
    advocate = Advocate.objects.get(program=program, email_normalized="ana@example.com")
    assert (advocate.name, advocate.status) == ("Ana Silva", "active")
    assert Invitation.objects.get(program=program).joined_at is not None
