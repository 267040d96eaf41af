"""Console pages: NPS, candidates with weights, and nominations (teammates nominate, outsiders see nothing)."""

import json
import re
from datetime import timedelta

from django.utils import timezone

from chorus.insights.models import Nomination, NpsResponse, NpsSurvey, ScoreWeights
from chorus.notifications.models import OutboundEmail

from .conftest import make_customer


def _answer(program, score, comment="", **fields):
    return NpsResponse.objects.create(program=program, score=score, comment=comment, source="api",
                                      category="promoter" if score >= 9 else "passive" if score >= 7 else "detractor",
                                      responded_at=timezone.now() - timedelta(days=1), **fields)


def test_nps_page_shows_the_score_the_trend_the_distribution_and_filtered_comments(owner_client, program):
    _answer(program, 10, "Brilliant onboarding")
    _answer(program, 9, "")
    _answer(program, 3, "Too expensive")

    page = owner_client.get(f"/console/programs/{program.slug}/nps/")
    body = page.content.decode()

    assert page.status_code == 200
    assert 'data-nps="33.3"' in body
    assert "Promoters (9–10): 2 (66.7%)" in body
    assert "Brilliant onboarding" in body and "Too expensive" in body
    assert '<canvas id="chart-nps" data-chart="chart-nps-data"' in body and "<svg" not in body
    chart = json.loads(re.search(r'<script id="chart-nps-data" type="application/json">(.*?)</script>', body).group(1))
    assert [value for value in chart["datasets"][0]["data"] if value is not None] == [33.3]
    only_detractors = owner_client.get(f"/console/programs/{program.slug}/nps/?category=detractor").content.decode()
    assert "Too expensive" in only_detractors and "Brilliant onboarding" not in only_detractors
    searched = owner_client.get(f"/console/programs/{program.slug}/nps/?q=onboard").content.decode()
    assert "Brilliant onboarding" in searched and "Too expensive" not in searched


def test_nps_and_candidates_pages_are_right_to_left_in_arabic(owner_client, program):
    for page in ("nps", "candidates"):
        body = owner_client.get(f"/console/programs/{program.slug}/{page}/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
        assert '<html lang="ar" dir="rtl">' in body


def test_sending_a_survey_from_the_console(owner_client, program, customer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        response = owner_client.post(f"/console/programs/{program.slug}/nps/send/",
                                     {"name": "Spring", "audience": "list", "people": "cus_ana\njane-unknown@example.com"})
    assert response.status_code == 422
    assert "Nobody in this program matches: jane-unknown@example.com" in response.content.decode()
    assert NpsSurvey.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(f"/console/programs/{program.slug}/nps/send/",
                                     {"name": "Spring", "audience": "list", "people": "ANA@example.com"})
    assert response.status_code == 302
    [survey] = NpsSurvey.objects.all()
    assert (survey.name, list(survey.sends.values_list("email", flat=True))) == ("Spring", ["ana@example.com"])
    assert OutboundEmail.objects.filter(template_key="nps_survey").count() == 1


def test_teammates_read_and_nominate_but_change_no_settings(client, teammate, program, customer):
    client.force_login(teammate)

    assert client.get(f"/console/programs/{program.slug}/nps/").status_code == 200
    assert client.get(f"/console/programs/{program.slug}/candidates/").status_code == 200
    assert client.post(f"/console/programs/{program.slug}/nps/send/", {"audience": "all_customers"}).status_code == 404
    weights = dict.fromkeys(ScoreWeights.FACTORS, 1)
    assert client.post(f"/console/programs/{program.slug}/candidates/weights/", weights).status_code == 404
    assert NpsSurvey.objects.count() == 0 and not ScoreWeights.objects.filter(nps=1).exists()

    response = client.post(f"/console/programs/{program.slug}/nominations/",
                           {"person": f"c{customer.pk}", "reason": "Raves about us on every call"})
    assert response.status_code == 302
    [nomination] = Nomination.objects.all()
    assert (nomination.customer, nomination.nominated_by, nomination.reason) == (
        customer, teammate, "Raves about us on every call")
    again = client.post(f"/console/programs/{program.slug}/nominations/",
                        {"person": f"c{customer.pk}", "reason": "Again"}, follow=True)
    assert "You have already nominated this person." in again.content.decode()
    assert Nomination.objects.count() == 1
    page = client.get(f"/console/programs/{program.slug}/candidates/").content.decode()
    assert "Raves about us on every call" in page


def test_outsiders_get_404_everywhere(client, outsider, program, customer):
    client.force_login(outsider)
    base = f"/console/programs/{program.slug}"

    assert client.get(f"{base}/nps/").status_code == 404
    assert client.get(f"{base}/candidates/").status_code == 404
    assert client.post(f"{base}/nominations/", {"person": f"c{customer.pk}", "reason": "x"}).status_code == 404
    assert Nomination.objects.count() == 0


def test_a_nomination_of_another_programs_customer_is_a_404(owner_client, program, outsider):
    from chorus.programs.models import Program

    foreign = make_customer(Program.objects.get(slug="other-program"), email="x@example.com")

    response = owner_client.post(f"/console/programs/{program.slug}/nominations/", {"person": f"c{foreign.pk}", "reason": "x"})

    assert response.status_code == 404
    assert Nomination.objects.count() == 0


def test_weights_form_validates_and_saves(owner_client, program):
    bad = owner_client.post(f"/console/programs/{program.slug}/candidates/weights/", dict.fromkeys(ScoreWeights.FACTORS, 0))
    assert bad.status_code == 422
    assert "At least one weight must be above zero." in bad.content.decode()
    negative = owner_client.post(f"/console/programs/{program.slug}/candidates/weights/",
                                 {**dict.fromkeys(ScoreWeights.FACTORS, 1), "nps": -3})
    assert negative.status_code == 422
    assert not ScoreWeights.objects.filter(program=program, nps=-3).exists()

    good = owner_client.post(f"/console/programs/{program.slug}/candidates/weights/",
                             {**dict.fromkeys(ScoreWeights.FACTORS, 1), "nps": 5})
    assert good.status_code == 302
    assert ScoreWeights.objects.get(program=program).as_dict() == {**dict.fromkeys(ScoreWeights.FACTORS, 1), "nps": 5}


def test_candidates_page_shows_factors_and_invite_link_only_when_invitations_exist(owner_client, program, customer):
    _answer(program, 10, customer=customer, email_normalized="ana@example.com")

    body = owner_client.get(f"/console/programs/{program.slug}/candidates/").content.decode()

    assert f'data-key="c{customer.pk}"' in body
    assert 'data-factor="nps"' in body and "+30.0" in body  # the default NPS weight is 30 of 100
    from chorus.console.views.insights import invitations_url
    if invitations_url(program):
        assert f"/console/programs/{program.slug}/invitations/?customers={customer.pk}" in body
    else:
        assert "/invitations/" not in body
