"""Demo rewards catalog: a gift card with a code pool, a team reward, and redemptions in
every state for the demo advocates who have points — all through the real services."""

import io

from chorus.advocates.models import Advocate
from chorus.rewards import catalog, points, redemptions
from chorus.rewards.models import CatalogItem

GIFT_CARD_CODES = [f"ACME-GIFT-{n:04d}" for n in range(1, 21)]
SHIPPING = [
    {"name": "Maya Chen", "address": "500 Market St", "city": "San Francisco", "postal_code": "94105", "country": "US"},
    {"name": "Jonas Weber", "address": "Torstraße 12", "city": "Berlin", "postal_code": "10119", "country": "DE"},
    {"name": "Aiko Tanaka", "address": "1-2-3 Shibuya", "city": "Tokyo", "postal_code": "150-0002", "country": "JP"},
    {"name": "Ola Nowak", "address": "ul. Długa 5", "city": "Kraków", "postal_code": "31-147", "country": "PL"},
]


def seed_catalog(program, owner, star: Advocate) -> None:
    """Add the demo items and redemptions to the customer program (its starter catalog is there)."""
    gift_card = catalog.create_item(
        program, user=owner, kind="stuff", title="$10 gift card", cost_points=1000, fulfilment="code_pool",
        is_cash_like=True, value_amount=1000, per_advocate_limit=2,
        titles={"en": "$10 gift card", "ar": "بطاقة هدايا بقيمة 10 دولارات", "de": "Geschenkkarte über 10 $",
                "ja": "10ドルのギフトカード", "pl": "Karta podarunkowa 10 $"},
        descriptions={"en": "A code for our online shop, shown as soon as you redeem.",
                      "ar": "رمز لمتجرنا الإلكتروني يظهر فور الاستبدال.",
                      "de": "Ein Code für unseren Onlineshop, sofort nach dem Einlösen sichtbar.",
                      "ja": "交換後すぐに表示される、オンラインショップ用のコードです。",
                      "pl": "Kod do naszego sklepu internetowego, widoczny od razu po wymianie."})
    catalog.import_codes(gift_card, io.BytesIO(("code\n" + "\n".join(GIFT_CARD_CODES) + "\n").encode()), user=owner)
    team_lunch = catalog.create_item(
        program, user=owner, kind="access", title="Team lunch with our founders", cost_points=1000, recipient="account",
        fulfilment="manual", per_advocate_limit=1,
        titles={"en": "Team lunch with our founders", "ar": "غداء لفريقك مع مؤسسينا",
                "de": "Team-Mittagessen mit unseren Gründern", "ja": "創業者とのチームランチ",
                "pl": "Lunch zespołu z naszymi założycielami"})
    _redeem_for_demo(program, owner, star, gift_card, team_lunch)


def _with_points(program, minimum: int, exclude: set[int]) -> list[Advocate]:
    found = []
    for advocate in Advocate.objects.filter(program=program).exclude(pk__in=exclude).order_by("pk"):
        if points.balance(advocate) >= minimum:
            found.append(advocate)
    return found


def _redeem_for_demo(program, owner, star, gift_card, team_lunch) -> None:
    items = {item.kind: item for item in CatalogItem.objects.filter(program=program).exclude(pk__in=[gift_card.pk, team_lunch.pk])}
    swag, charity, roadmap = items["stuff"], items["charity"], items["power"]
    # The first gift card goes to the star if she can afford it, else to the richest advocate:
    # fulfilled at once, with a code from the pool.
    gift_taker = star if points.balance(star) >= gift_card.cost_points else max(
        _with_points(program, gift_card.cost_points, {star.pk}), key=points.balance, default=None)
    if gift_taker is not None:
        redemptions.redeem(gift_taker, gift_card)
    used = {star.pk} | ({gift_taker.pk} if gift_taker else set())
    members = Advocate.objects.filter(program=program, account__isnull=False).exclude(pk=star.pk)
    member = max(members, key=points.balance, default=None)
    if member is not None and points.balance(member) >= team_lunch.cost_points:
        redemptions.redeem(member, team_lunch)  # every member of the account sees it
        used.add(member.pk)
    plans = [("fulfilled", swag), ("donated", charity), ("approved", swag), ("requested", swag),
             ("rejected", swag), ("cancelled", roadmap), ("gift", gift_card)]
    rich = _with_points(program, min(item.cost_points for _state, item in plans), used)
    for (state, item), address in zip(plans, SHIPPING * 2, strict=False):
        # the first advocate not yet used who can afford this item (balances vary with the seed's clock)
        advocate = next((person for person in rich
                         if person.pk not in used and points.balance(person) >= item.cost_points), None)
        if advocate is None:
            continue
        cause = item.causes[0]["key"] if item.causes else ""
        shipping = {**address, "name": advocate.name or address["name"]}
        redemption, _created = redemptions.redeem(advocate, item, shipping=shipping, cause=cause)
        used.add(advocate.pk)
        if state in ("approved", "fulfilled"):
            redemptions.approve(redemption.pk, user=owner)
        if state in ("fulfilled", "donated"):
            redemptions.fulfil(redemption.pk, user=owner, note="Shipped with tracking number 1Z999AA10123456784"
                               if state == "fulfilled" else "Donated, thank you!")
        elif state == "rejected":
            redemptions.reject(redemption.pk, user=owner, reason="Sorry, that size is sold out; your points are back.")
        elif state == "cancelled":
            redemptions.cancel(redemption.pk, advocate=advocate)
