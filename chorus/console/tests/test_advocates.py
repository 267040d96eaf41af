"""The advocates list: search (full page and HTMX partial), pagination, adding an advocate."""

from django.urls import reverse

from chorus.advocates.models import Advocate
from chorus.testing import factories


def test_list_shows_codes_and_counts(owner_client, program, advocate):
    response = owner_client.get(reverse("console:advocates", args=[program.slug]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Jane Doe" in page and advocate.link.code in page and advocate.link.promo_code in page
    row = response.context["page"].object_list[0]
    assert (row.click_count, row.signup_count, row.purchase_count, row.points_balance) == (0, 0, 0, 0)


def test_search_by_email_and_code(owner_client, program, advocate):
    factories.make_advocate(program, email="bob@example.com", name="Bob Stone")
    url = reverse("console:advocates", args=[program.slug])
    by_email = owner_client.get(url, {"q": "bob@EXAMPLE"})
    assert [a.email for a in by_email.context["page"].object_list] == ["bob@example.com"]
    by_code = owner_client.get(url, {"q": advocate.link.code})
    assert [a.email for a in by_code.context["page"].object_list] == ["jane@example.com"]
    by_promo = owner_client.get(url, {"q": advocate.link.promo_code.lower()})
    assert [a.email for a in by_promo.context["page"].object_list] == ["jane@example.com"]
    assert owner_client.get(url, {"q": "nobody"}).context["page"].paginator.count == 0


def test_htmx_search_returns_the_results_partial(owner_client, program, advocate):
    factories.make_advocate(program, email="bob@example.com", name="Bob Stone")
    response = owner_client.get(reverse("console:advocates", args=[program.slug]), {"q": "jane"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "console/_advocate_results.html"
    body = response.content.decode()
    assert "<html" not in body and "jane@example.com" in body and "bob@example.com" not in body
    assert "HX-Request" in response["Vary"]
    restore = owner_client.get(reverse("console:advocates", args=[program.slug]), {"q": "jane"},
                               HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in restore.content.decode()


def test_pagination(owner_client, program):
    for n in range(30):
        factories.make_advocate(program, email=f"person{n:02d}@example.com", name=f"Person {n:02d}")
    url = reverse("console:advocates", args=[program.slug])
    first = owner_client.get(url)
    assert len(first.context["page"].object_list) == 25 and first.context["page"].paginator.num_pages == 2
    second = owner_client.get(url, {"page": "2"})
    assert [a.name for a in second.context["page"].object_list] == [f"Person {n:02d}" for n in range(25, 30)]
    assert owner_client.get(url, {"page": "banana"}).status_code == 200


def test_add_advocate(owner_client, program):
    response = owner_client.post(reverse("console:advocate_add", args=[program.slug]), {
        "email": "New.Person@Example.com", "name": "New Person", "external_id": "cus_42", "language": "de"})
    assert response.status_code == 302
    advocate = Advocate.objects.get(program=program, external_id="cus_42")
    assert (advocate.name, advocate.language, advocate.status) == ("New Person", "de", "active")
    assert advocate.link.code and advocate.link.promo_code
    listed = owner_client.get(response["Location"])
    assert [a.pk for a in listed.context["page"].object_list] == [advocate.pk]


def test_add_advocate_with_a_bad_email(owner_client, program):
    response = owner_client.post(reverse("console:advocate_add", args=[program.slug]), {"email": "not-an-email"})
    assert response.status_code == 422
    assert response.context["form"].errors["email"]
    assert not Advocate.objects.filter(program=program).exists()


def test_search_text_is_escaped(owner_client, program):
    response = owner_client.get(reverse("console:advocates", args=[program.slug]), {"q": "<b>x</b>"})
    body = response.content.decode()
    assert "<b>x</b>" not in body and "&lt;b&gt;x&lt;/b&gt;" in body


def test_query_count_does_not_grow_with_rows(owner_client, program, advocate):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("console:advocates", args=[program.slug])

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert owner_client.get(url).status_code == 200
        return len(queries)

    few = count_queries()
    for n in range(10):
        factories.make_advocate(program, email=f"more{n}@example.com")
    assert count_queries() == few
