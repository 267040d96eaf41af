"""Console catalog: the item editor (with the B2B warning), code uploads, the fulfilment queue."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chorus.advocates.models import Account
from chorus.rewards import points, redemptions
from chorus.rewards.models import CatalogItem, PoolCode
from chorus.rewards.tests.catalog_helpers import give_points, make_item, pooled_item

pytestmark = pytest.mark.django_db

ITEM_FORM = {"title": "Gift card $25", "kind": "stuff", "cost_points": "2500", "fulfilment": "code_pool",
             "recipient": "advocate", "is_cash_like": "on", "is_active": "on", "value_amount": "2500",
             "title_de": "Geschenkkarte 25 $", "description": "", "causes": ""}


def test_marketer_adds_an_item_with_translations(owner_client, program):
    response = owner_client.post(reverse("console:catalog_new", args=[program.slug]), ITEM_FORM)
    item = CatalogItem.objects.get(program=program, title="Gift card $25")
    assert response.status_code == 302 and response["Location"] == reverse("console:catalog_item", args=[program.slug, item.pk])
    assert (item.cost_points, item.is_cash_like, item.fulfilment) == (2500, True, "code_pool")
    assert item.titles == {"en": "Gift card $25", "de": "Geschenkkarte 25 $"}
    html = owner_client.get(reverse("console:catalog", args=[program.slug])).content.decode()
    assert "Gift card $25" in html and "B2B" not in html


def test_cash_like_item_in_a_b2b_program_shows_a_warning(owner_client, program):
    Account.objects.create(program=program, name="Globex")
    item = make_item(program, title="Amazon card", is_cash_like=True)
    for url in (reverse("console:catalog", args=[program.slug]), reverse("console:catalog_item", args=[program.slug, item.pk])):
        html = owner_client.get(url).content.decode()
        assert "This is a B2B program: cash-like rewards (gift cards, discounts, cash)" in html


def test_catalog_list_counts_redemptions_and_free_codes(owner_client, program, advocate):
    item = pooled_item(program, codes=["A-1", "B-2", "C-3"])
    give_points(advocate, 1000)
    redemptions.redeem(advocate, item)
    html = owner_client.get(reverse("console:catalog", args=[program.slug])).content.decode()
    row = re.search(rf'<tr id="item-{item.pk}">(.*?)</tr>', html, re.S).group(1)
    numbers = re.findall(r'<td class="number">([^<]*)</td>', row)
    assert numbers == ["500", "2 codes", "1"]


def test_bad_item_form_changes_nothing(owner_client, program):
    before = CatalogItem.objects.count()
    response = owner_client.post(reverse("console:catalog_new", args=[program.slug]),
                                 {**ITEM_FORM, "cost_points": "0", "fulfilment": "charity"})
    assert response.status_code == 422
    assert "Ensure this value is greater than or equal to 1." in response.content.decode()
    response = owner_client.post(reverse("console:catalog_new", args=[program.slug]), {**ITEM_FORM, "fulfilment": "charity"})
    assert response.status_code == 422
    assert "Add at least one cause." in response.content.decode()
    assert CatalogItem.objects.count() == before


def test_editing_causes_keeps_their_translations(owner_client, program):
    item = make_item(program, kind="charity", fulfilment="charity",
                     causes=[{"key": "water", "names": {"en": "Clean water", "de": "Sauberes Wasser"}}])
    form = {**ITEM_FORM, "title": "Donate", "kind": "charity", "fulfilment": "charity", "is_cash_like": "",
            "causes": "Clean water\nTrees"}
    response = owner_client.post(reverse("console:catalog_item", args=[program.slug, item.pk]), form)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.causes == [{"key": "water", "names": {"en": "Clean water", "de": "Sauberes Wasser"}},
                           {"key": "trees", "names": {"en": "Trees"}}]


def test_code_upload_reports_duplicates_and_refuses_bad_files(owner_client, program):
    item = make_item(program, title="Gift card", fulfilment="code_pool")
    url = reverse("console:catalog_codes", args=[program.slug, item.pk])
    good = SimpleUploadedFile("codes.csv", b"code\nA-1\nB-2\nA-1\n", content_type="text/csv")
    response = owner_client.post(url, {"file": good}, follow=True)
    assert "2 codes added. 1 duplicate skipped: A-1" in response.content.decode()
    bad = SimpleUploadedFile("codes.csv", b"C-3\nD 4\n", content_type="text/csv")
    response = owner_client.post(url, {"file": bad})
    assert response.status_code == 422
    assert "Line 2: use letters, digits and punctuation, without spaces. Nothing was imported." in response.content.decode()
    assert list(PoolCode.objects.filter(item=item).values_list("code", flat=True)) == ["A-1", "B-2"]


def test_teammate_cannot_change_the_catalog(client, teammate, program):
    client.force_login(teammate)
    assert client.get(reverse("console:catalog", args=[program.slug])).status_code == 200
    response = client.post(reverse("console:catalog_new", args=[program.slug]), ITEM_FORM)
    assert response.status_code == 404
    assert not CatalogItem.objects.filter(title="Gift card $25").exists()


def test_outsider_sees_nothing(client, outsider, program):
    client.force_login(outsider)
    assert client.get(reverse("console:catalog", args=[program.slug])).status_code == 404
    assert client.get(reverse("console:fulfilment", args=[program.slug])).status_code == 404


@pytest.fixture
def queued(program, advocate):
    item = make_item(program, title="Hoodie", fulfilment="shipping", cost_points=300)
    give_points(advocate, 300)
    redemption, _ = redemptions.redeem(advocate, item, shipping={"name": "Jane Doe", "address": "1 Main St",
                                                                 "city": "Berlin", "country": "DE"})
    return redemption


def test_queue_shows_shipping_details_and_fulfils_in_place(owner_client, program, queued):
    html = owner_client.get(reverse("console:fulfilment", args=[program.slug])).content.decode()
    assert "1 to fulfil" in html and "1 Main St" in html and "Berlin" in html
    url = reverse("console:redemption_decide", args=[program.slug, queued.pk])
    partial = owner_client.post(url, {"action": "approve", "note": ""}, HTTP_HX_REQUEST="true").content.decode()
    assert partial.startswith('\n<li class="review-item queue-item redemption-approved"')
    partial = owner_client.post(url, {"action": "fulfil", "note": "DHL 123"}, HTTP_HX_REQUEST="true").content.decode()
    assert "redemption-fulfilled" in partial and "DHL 123" in partial and "Mark fulfilled" not in partial
    queued.refresh_from_db()
    assert queued.status == "fulfilled"


def test_reject_needs_a_reason_and_returns_points(owner_client, program, advocate, queued):
    url = reverse("console:redemption_decide", args=[program.slug, queued.pk])
    partial = owner_client.post(url, {"action": "reject", "note": ""}, HTTP_HX_REQUEST="true").content.decode()
    assert "Say why it is rejected; the advocate sees the reason." in partial
    assert points.balance(advocate) == 0
    response = owner_client.post(url, {"action": "reject", "note": "Sold out in your size"}, follow=True)
    assert "Rejected; the points went back." in response.content.decode()
    assert points.balance(advocate) == 300
    html = owner_client.get(reverse("console:redemptions", args=[program.slug]) + "?status=rejected").content.decode()
    assert "Sold out in your size" in html and "1 redemption" in html


def test_delete_only_items_nobody_redeemed(owner_client, program, queued):
    unused = make_item(program, title="Unused")
    response = owner_client.post(reverse("console:catalog_delete", args=[program.slug, unused.pk]), follow=True)
    assert "“Unused” deleted." in response.content.decode()
    assert not CatalogItem.objects.filter(pk=unused.pk).exists()
    response = owner_client.post(reverse("console:catalog_delete", args=[program.slug, queued.item_id]), follow=True)
    assert "“Hoodie” has been redeemed, so it stays for the record" in response.content.decode()
    assert CatalogItem.objects.filter(pk=queued.item_id).exists()
