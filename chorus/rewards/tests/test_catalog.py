"""Catalog and redemption services: every redemption path, every refusal changing nothing."""

import pytest

from chorus.advocates.models import Account
from chorus.core.errors import Conflict, InvalidInput
from chorus.rewards import catalog, points, redemptions
from chorus.rewards.models import CatalogItem, LedgerEntry, PoolCode, Redemption
from chorus.testing.factories import make_advocate, make_program

from .catalog_helpers import csv_file, give_points, make_item, pooled_item

pytestmark = pytest.mark.django_db


def ledger(advocate):
    return sorted(LedgerEntry.objects.filter(advocate=advocate).values_list("reason", "amount"))


# --- redemption paths --------------------------------------------------------------------

def test_code_pool_item_is_fulfilled_at_once_with_the_first_free_code(program, advocate):
    item = pooled_item(program, stock=5)
    give_points(advocate, 1200)
    redemption, created = redemptions.redeem(advocate, item)
    assert (created, redemption.status, redemption.code, redemption.cost_points) == (True, "fulfilled", "GC-0001", 500)
    assert redemption.fulfilled_at is not None and redemption.approved_at is not None
    assert PoolCode.objects.get(code="GC-0001").redemption == redemption
    assert points.balance(advocate) == 700
    assert ledger(advocate) == [("adjustment", 1200), ("redemption", -500)]
    item.refresh_from_db()
    assert item.stock == 4
    second, _ = redemptions.redeem(advocate, item)
    assert second.code == "GC-0002"


def test_generated_code_uses_the_prefix(program, advocate):
    item = make_item(program, title="Swag voucher", fulfilment="generated_code", code_prefix="SWAG", cost_points=200)
    give_points(advocate, 200)
    redemption, _ = redemptions.redeem(advocate, item)
    assert redemption.status == "fulfilled"
    assert redemption.code.startswith("SWAG-") and len(redemption.code) == 13
    assert points.balance(advocate) == 0


def test_shipped_item_waits_in_the_queue_then_is_approved_and_fulfilled(program, advocate, owner):
    item = make_item(program, title="Hoodie", fulfilment="shipping", cost_points=300)
    give_points(advocate, 300)
    shipping = {"name": "Jane Doe", "address": "1 Main St", "city": "Berlin", "postal_code": "10115", "country": "de"}
    redemption, _ = redemptions.redeem(advocate, item, shipping=shipping)
    assert (redemption.status, redemption.code) == ("requested", "")
    assert redemption.shipping == {**shipping, "country": "DE"}
    approved = redemptions.approve(redemption.pk, user=owner)
    assert (approved.status, approved.decided_by) == ("approved", owner)
    fulfilled = redemptions.fulfil(redemption.pk, user=owner, note="Sent with DHL 123")
    assert (fulfilled.status, fulfilled.status_note) == ("fulfilled", "Sent with DHL 123")
    with pytest.raises(Conflict) as refused:
        redemptions.reject(redemption.pk, user=owner, reason="late")
    assert refused.value.message == "This redemption is “Fulfilled”; it can no longer be rejected."
    assert ledger(advocate) == [("adjustment", 300), ("redemption", -300)]


def test_charity_records_the_cause_and_amount(program, advocate):
    item = make_item(program, kind="charity", title="Donate $10", fulfilment="charity", cost_points=250, value_amount=1000,
                     causes=[{"key": "water", "names": {"en": "Clean water", "de": "Sauberes Wasser"}}, "Trees"])
    give_points(advocate, 250)
    with pytest.raises(InvalidInput) as refused:
        redemptions.redeem(advocate, item, cause="nope")
    assert refused.value.field_errors == {"cause": ["Choose one of the causes."]}
    redemption, _ = redemptions.redeem(advocate, item, cause="trees")
    assert (redemption.status, redemption.cause, redemption.donation_amount, redemption.currency) == ("requested", "trees", 1000, "USD")
    assert redemption.cause_name() == "Trees"
    assert item.cause_name("water", "de") == "Sauberes Wasser"


def test_subscription_records_its_months(program, advocate):
    item = make_item(program, kind="subscription", title="3 months Pro", fulfilment="generated_code", cost_points=900,
                     subscription_months=3, code_prefix="PRO")
    give_points(advocate, 1000)
    redemption, _ = redemptions.redeem(advocate, item)
    assert (redemption.status, redemption.subscription_months, redemption.code[:4]) == ("fulfilled", 3, "PRO-")


def test_reject_returns_the_points_once_and_the_stock(program, advocate, owner):
    item = make_item(program, cost_points=300, stock=1)
    give_points(advocate, 300)
    redemption, _ = redemptions.redeem(advocate, item)
    assert points.balance(advocate) == 0
    with pytest.raises(InvalidInput):
        redemptions.reject(redemption.pk, user=owner, reason="  ")
    rejected = redemptions.reject(redemption.pk, user=owner, reason="Out of sizes")
    assert (rejected.status, rejected.status_note) == ("rejected", "Out of sizes")
    with pytest.raises(Conflict):
        redemptions.reject(redemption.pk, user=owner, reason="again")
    with pytest.raises(Conflict):
        redemptions.cancel(redemption.pk, user=owner)
    assert ledger(advocate) == [("adjustment", 300), ("redemption", -300), ("redemption_return", 300)]
    assert points.balance(advocate) == 300
    assert points.lifetime_earned(advocate) == 300  # spending and returns never count as earned
    item.refresh_from_db()
    assert item.stock == 1


def test_advocate_may_cancel_only_while_requested(program, advocate, owner):
    item = make_item(program, cost_points=100)
    give_points(advocate, 200)
    first, _ = redemptions.redeem(advocate, item)
    second, _ = redemptions.redeem(advocate, item)
    cancelled = redemptions.cancel(first.pk, advocate=advocate)
    assert cancelled.status == "cancelled"
    redemptions.approve(second.pk, user=owner)
    with pytest.raises(Conflict) as refused:
        redemptions.cancel(second.pk, advocate=advocate)
    assert refused.value.message == "This redemption is “Approved”; it can no longer be cancelled."
    assert points.balance(advocate) == 100
    redemptions.cancel(second.pk, user=owner, reason="Event moved")  # the marketer still can
    assert points.balance(advocate) == 200


def test_account_reward_is_seen_by_co_members_and_limited_per_account(program, advocate):
    account = Account.objects.create(program=program, name="Globex")
    advocate.account = account
    advocate.save()
    colleague = make_advocate(program, email="sam@globex.example", name="Sam")
    colleague.account = account
    colleague.save()
    outsider = make_advocate(program, email="lee@other.example", name="Lee")
    item = make_item(program, title="Team lunch", recipient="account", cost_points=400, per_advocate_limit=1)
    give_points(advocate, 400)
    give_points(colleague, 400)
    give_points(outsider, 400)
    redemption, _ = redemptions.redeem(advocate, item)
    assert redemption.account == account
    assert list(redemptions.redemptions_for_advocate(colleague)) == [redemption]
    assert list(redemptions.redemptions_for_advocate(outsider)) == []
    with pytest.raises(Conflict) as limit:
        redemptions.redeem(colleague, item)
    assert limit.value.code == "limit_reached"
    with pytest.raises(Conflict) as no_account:
        redemptions.redeem(outsider, item)
    assert no_account.value.code == "no_account"
    assert (points.balance(colleague), points.balance(outsider)) == (400, 400)


def test_a_repeated_request_token_redeems_once(program, advocate):
    item = make_item(program, cost_points=100)
    give_points(advocate, 500)
    first, created = redemptions.redeem(advocate, item, request_token="form-1")
    again, created_again = redemptions.redeem(advocate, item, request_token="form-1")
    assert (created, created_again, again.pk) == (True, False, first.pk)
    assert points.balance(advocate) == 400


# --- refusals change nothing -------------------------------------------------------------

def assert_refused(advocate, item, code: str, message: str, **kwargs) -> None:
    before = (points.balance(advocate), Redemption.objects.count(), LedgerEntry.objects.count(),
              CatalogItem.objects.get(pk=item.pk).stock, PoolCode.objects.filter(redemption__isnull=False).count())
    with pytest.raises(Conflict) as refused:
        redemptions.redeem(advocate, item, **kwargs)
    assert (refused.value.code, refused.value.message, refused.value.status_code) == (code, message, 409)
    after = (points.balance(advocate), Redemption.objects.count(), LedgerEntry.objects.count(),
             CatalogItem.objects.get(pk=item.pk).stock, PoolCode.objects.filter(redemption__isnull=False).count())
    assert after == before


def test_not_enough_points(program, advocate):
    item = make_item(program, cost_points=300)
    give_points(advocate, 100)
    assert_refused(advocate, item, "insufficient_points", "Not enough points: this costs 300 and you have 100.")


def test_out_of_stock_and_empty_pool(program, advocate):
    give_points(advocate, 2000)
    assert_refused(advocate, make_item(program, stock=0), "out_of_stock", "Sorry, “Hoodie” is out of stock.")
    pooled = pooled_item(program, codes=["ONLY-ONE"])
    redemptions.redeem(advocate, pooled)
    assert_refused(advocate, pooled, "out_of_stock", "Sorry, “Gift card” is out of stock.")


def test_over_the_limit(program, advocate):
    item = make_item(program, per_advocate_limit=1, cost_points=100)
    give_points(advocate, 500)
    redemptions.redeem(advocate, item)
    assert_refused(advocate, item, "limit_reached", "You have reached the limit for “Hoodie” (1).")


def test_level_too_low(program, advocate):
    champion = program.levels.get(rank=2)
    item = make_item(program, min_level=champion, cost_points=100)
    give_points(advocate, 600)  # Insider
    assert_refused(advocate, item, "level_too_low", "“Hoodie” is for the Champion level and above.")
    give_points(advocate, 1400)
    assert redemptions.redeem(advocate, item)[0].status == "requested"


def test_inactive_item(program, advocate):
    item = make_item(program, is_active=False, cost_points=100)
    give_points(advocate, 500)
    assert_refused(advocate, item, "inactive", "“Hoodie” is no longer available.")


def test_bad_shipping_details(program, advocate):
    item = make_item(program, fulfilment="shipping", cost_points=100)
    give_points(advocate, 500)
    with pytest.raises(InvalidInput) as refused:
        redemptions.redeem(advocate, item, shipping={"name": "Jane", "address": "", "city": "Oslo", "country": "XX"})
    assert refused.value.field_errors == {"address": ["Required for shipping."],
                                          "country": ["Use a two-letter country code, e.g. DE, JP or PL."]}
    assert (Redemption.objects.count(), points.balance(advocate)) == (0, 500)


def test_store_explains_each_refusal(program, advocate):
    CatalogItem.objects.filter(program=program).delete()  # the starter catalog aside
    give_points(advocate, 600)
    make_item(program, title="Cheap", cost_points=100)
    make_item(program, title="Dear", cost_points=800)
    make_item(program, title="Champions only", cost_points=100, min_level=program.levels.get(rank=2))
    make_item(program, title="Gone", cost_points=100, stock=0)
    make_item(program, title="Hidden", cost_points=100, is_active=False)
    shown = [(entry.item.title, entry.refusal.short if entry.refusal else "") for entry in redemptions.store(advocate)]
    assert shown == [("Cheap", ""), ("Champions only", "Reach Champion"), ("Gone", "Out of stock"),
                     ("Dear", "You need 200 more points")]


# --- items and code pools ----------------------------------------------------------------

def test_item_validation(program, workspace):
    with pytest.raises(InvalidInput) as refused:
        catalog.create_item(program, kind="stuff", title=" ", cost_points=0, fulfilment="manual")
    assert refused.value.field_errors == {"title": ["Give the item a title."],
                                          "cost_points": ["The cost must be a whole number of points above zero."]}
    other_level = make_program(workspace).levels.first()
    with pytest.raises(InvalidInput) as wrong_level:
        make_item(program, min_level=other_level)
    assert wrong_level.value.field_errors == {"min_level": ["Choose one of this program's levels."]}
    with pytest.raises(InvalidInput) as no_causes:
        make_item(program, kind="charity", fulfilment="charity")
    assert no_causes.value.field_errors == {"causes": ["Add at least one cause."]}


def test_default_language_text_and_its_translation_stay_one(program):
    item = make_item(program, title="Hoodie", descriptions={"en": "Warm", "de": "Warm und weich"})
    assert (item.description, item.titles, item.descriptions) == ("Warm", {"en": "Hoodie"}, {"en": "Warm", "de": "Warm und weich"})
    catalog.update_item(item, title="Zip hoodie", description="Cosy")
    item.refresh_from_db()
    assert (item.localized_title("en"), item.localized_description("en"), item.localized_description("de")) == (
        "Zip hoodie", "Cosy", "Warm und weich")


def test_update_item_changes_only_given_fields(program):
    item = make_item(program, titles={"de": "Kapuzenpullover"})
    catalog.update_item(item, cost_points=350, is_active=False)
    item.refresh_from_db()
    assert (item.cost_points, item.is_active, item.localized_title("de")) == (350, False, "Kapuzenpullover")


def test_cash_like_items_warn_in_b2b_programs_only(program):
    item = make_item(program, title="Gift card", is_cash_like=True)
    assert catalog.item_warnings(item) == []
    Account.objects.create(program=program, name="Globex")
    assert catalog.item_warnings(item)[0].startswith("This is a B2B program: cash-like rewards")
    assert catalog.item_warnings(make_item(program, title="Swag")) == []


def test_code_upload_reports_duplicates(program):
    item = pooled_item(program, codes=["A-1"])
    result = catalog.import_codes(item, csv_file("\ufeffcode\nB-2\nA-1\nB-2\n\nC-3\n"))
    assert (result.added, result.duplicates_in_file, result.already_in_pool) == (2, ["B-2"], ["A-1"])
    assert list(item.pool_codes.values_list("code", flat=True)) == ["A-1", "B-2", "C-3"]
    assert catalog.pool_counts(item) == (3, 0)


@pytest.mark.parametrize(("content", "message"), [
    ("A-1\nB 2\n", "Line 2: use letters, digits and punctuation, without spaces. Nothing was imported."),
    ("A-1\nB-2,C-3\n", "Line 2: one code per line, without commas. Nothing was imported."),
    ("A-1\n" + "X" * 101 + "\n", "Line 2: longer than 100 characters. Nothing was imported."),
    (b"A-1\n\xff\xfe\n", "The file is not UTF-8 text. Save it as CSV (UTF-8)."),
    ('A-1\n"B-2\n', "The file is not valid CSV: unexpected end of data."),
    ("code\n\n", "The file holds no codes."),
])
def test_malformed_code_files_import_nothing(program, content, message):
    item = pooled_item(program, codes=["KEEP-1"])
    with pytest.raises(InvalidInput) as refused:
        catalog.import_codes(item, csv_file(content))
    assert refused.value.message == message
    assert list(item.pool_codes.values_list("code", flat=True)) == ["KEEP-1"]


def test_codes_only_for_pool_items(program):
    with pytest.raises(InvalidInput):
        catalog.import_codes(make_item(program), csv_file("A-1\n"))


# --- the starter pack --------------------------------------------------------------------

def test_new_program_starts_with_one_item_of_each_kind_in_every_language(program, advocate):
    from chorus.rewards.default_catalog import install_default_catalog

    items = list(CatalogItem.objects.filter(program=program).order_by("pk"))
    assert [item.kind for item in items] == ["status", "access", "power", "stuff", "charity", "subscription"]
    for item in items:
        assert set(item.titles) == set(item.descriptions) == {"en", "ar", "de", "ja", "pl"}
    assert items[0].min_level.localized_name() == "Insider"
    assert [name for _key, name in items[4].localized_causes("pl")] == ["Czysta woda", "Zalesianie", "Edukacja"]
    install_default_catalog(program)
    assert CatalogItem.objects.filter(program=program).count() == 6
    give_points(advocate, 1200)
    redemption, _ = redemptions.redeem(advocate, items[5])
    assert (redemption.status, redemption.code[:6], redemption.subscription_months) == ("fulfilled", "MONTH-", 1)


def test_program_without_starter_pack_has_an_empty_catalog(workspace):
    assert not make_program(workspace, starter_pack=False).catalog_items.exists()
