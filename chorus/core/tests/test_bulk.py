"""chorus.core.bulk.insert writes what QuerySet.bulk_create writes (run on SQLite and PostgreSQL)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from chorus.advocates.models import Customer
from chorus.core import bulk
from chorus.referrals.models import Conversion, Referral
from chorus.rewards.models import LedgerEntry, Reward
from chorus.testing import factories

WHEN = datetime(2026, 3, 29, 1, 30, 15, 123456, tzinfo=ZoneInfo("Europe/Paris"))  # around a DST change


def _rows(model, pks: list[int]) -> list[dict]:
    rows = {row["id"]: row for row in model.objects.filter(pk__in=pks).values()}
    return [{k: v for k, v in rows[pk].items() if k not in ("id", "created_at", "updated_at")} for pk in pks]


def _customers(program, prefix: str, count: int) -> list[Customer]:
    return [Customer(program=program, external_id=f"{prefix}{i}", email=f"{prefix}{i}@example.org",
                     email_normalized=f"{prefix}{i}@example.org", name=f"Friend {i}", first_seen_at=WHEN)
            for i in range(count)]


def _conversions(program, customers, referral, prefix: str) -> list[Conversion]:
    metadata = [{}, {"plan": "pro", "n": 3, "nested": {"a": [1, 2.5, None, True]}, "é": "ü"}, {"q": "it's \"x\""}]
    return [Conversion(program=program, type=Conversion.Type.PURCHASE if i % 2 else "signup", customer=customer,
                       referral=referral if i % 3 else None, amount=1234 * i, currency="EUR",
                       order_id=f"{prefix}{i}" if i % 2 else "", occurred_at=WHEN + timedelta(minutes=i),
                       trust=Conversion.Trust.SERVER, metadata=metadata[i % 3])
            for i, customer in enumerate(customers)]


@pytest.fixture
def setup(db):
    program = factories.make_program(factories.make_workspace(factories.make_user("bulk")))
    rules = factories.make_standard_rules(program)
    advocate = factories.make_advocate(program)
    friend = Customer.objects.create(program=program, external_id="friend", first_seen_at=WHEN)
    referral = Referral.objects.create(program=program, advocate=advocate, customer=friend, link=advocate.link,
                                       reason=Referral.Reason.CLICK, clicked_at=WHEN, is_primary=True)
    return program, rules, advocate, referral


@pytest.mark.django_db
def test_rows_equal_what_bulk_create_writes(setup):
    program, rules, advocate, referral = setup
    ours, django = _customers(program, "a", 7), _customers(program, "b", 7)
    bulk.insert(ours)
    Customer.objects.bulk_create(django)
    assert all(customer.pk and not customer._state.adding and customer._state.db == "default" for customer in ours)
    expected = [{**row, "external_id": row["external_id"].replace("b", "a", 1), "email": row["email"].replace("b", "a", 1),
                 "email_normalized": row["email_normalized"].replace("b", "a", 1)}
                for row in _rows(Customer, [c.pk for c in django])]
    assert _rows(Customer, [c.pk for c in ours]) == expected

    ours_c, django_c = _conversions(program, ours, referral, "x"), _conversions(program, django, referral, "y")
    bulk.insert(ours_c)  # customer_id comes from the saved customers, as bulk_create takes it
    Conversion.objects.bulk_create(django_c)
    mine, theirs = _rows(Conversion, [c.pk for c in ours_c]), _rows(Conversion, [c.pk for c in django_c])
    for row in mine + theirs:
        row.pop("customer_id")
        row["order_id"] = row["order_id"][1:]
    assert mine == theirs
    assert [c.metadata for c in Conversion.objects.filter(pk__in=[c.pk for c in ours_c]).order_by("pk")] == \
        [c.metadata for c in ours_c]
    assert Conversion.objects.get(pk=ours_c[1].pk).occurred_at == WHEN + timedelta(minutes=1)
    assert [c.customer_id for c in ours_c] == [c.pk for c in ours]

    def rewards(conversions):
        made = []
        for conversion in conversions:
            for rule in rules:
                made.append(Reward(
                    program=program, rule=rule, conversion=conversion, referral=referral, side=rule.side,
                    advocate=advocate if rule.side == "advocate" else None,
                    customer=conversion.customer if rule.side == "friend" else None, kind=rule.kind, amount=500,
                    currency="", code="", status=Reward.Status.ISSUED, hold_until=None if conversion.amount % 2 else WHEN,
                    approved_at=WHEN, issued_at=WHEN, status_reason="", status_reason_data={"order": "o-1"}))
        return made

    ours_r, django_r = rewards(ours_c), rewards(django_c)
    bulk.insert(ours_r)
    Reward.objects.bulk_create(django_r)
    mine, theirs = _rows(Reward, [r.pk for r in ours_r]), _rows(Reward, [r.pk for r in django_r])
    for row in mine + theirs:
        row.pop("conversion_id"), row.pop("customer_id")
    assert mine == theirs

    def entries(rewards_):
        return [LedgerEntry(program=program, unit="points", amount=r.amount, reason="reward", advocate=r.advocate,
                            customer=r.customer, reward=r, note="Friend coupon") for r in rewards_]

    ours_e, django_e = entries(ours_r), entries(django_r)
    bulk.insert(ours_e)
    LedgerEntry.objects.bulk_create(django_e)
    mine, theirs = _rows(LedgerEntry, [e.pk for e in ours_e]), _rows(LedgerEntry, [e.pk for e in django_e])
    for row in mine + theirs:
        row.pop("reward_id"), row.pop("customer_id")
    assert mine == theirs
    assert [e.reward_id for e in ours_e] == [r.pk for r in ours_r]


@pytest.mark.django_db
def test_auto_now_and_naive_values_are_prepared_like_django(setup, settings):
    program, *_ = setup
    before = datetime.now(UTC)
    customer = Customer(program=program, external_id=42, first_seen_at=WHEN)  # not a str: the field converts it
    bulk.insert([customer])
    saved = Customer.objects.get(pk=customer.pk)
    assert saved.external_id == "42"
    assert before <= saved.created_at == customer.created_at <= datetime.now(UTC)
    assert saved.updated_at == customer.updated_at


@pytest.mark.django_db
def test_many_rows_are_chunked_in_order_with_their_pks(setup):
    program, *_ = setup
    customers = _customers(program, "c", 450)
    with CaptureQueriesContext(connection) as queries:
        bulk.insert(customers)
    size = connection.ops.bulk_batch_size([f for f in Customer._meta.concrete_fields if not f.primary_key], customers)
    assert len([q for q in queries if q["sql"].startswith("INSERT")]) == -(-450 // size)
    assert {c.pk: c.external_id for c in customers} == dict(
        Customer.objects.filter(pk__in=[c.pk for c in customers]).values_list("pk", "external_id"))


@pytest.mark.django_db
def test_an_unsaved_related_object_is_refused(setup):
    program, *_ = setup
    conversion = Conversion(program=program, type="signup", customer=_customers(program, "u", 1)[0], occurred_at=WHEN)
    with pytest.raises(ValueError, match="unsaved related object 'customer'"):
        bulk.insert([conversion])


@pytest.mark.django_db
def test_saved_objects_and_mixed_models_are_refused(setup):
    program, _rules, _advocate, referral = setup
    with pytest.raises(ValueError):
        bulk.insert([referral.customer])
    with pytest.raises(TypeError):
        bulk.insert([*_customers(program, "m", 1), Conversion()])
    assert bulk.insert([]) == []


@pytest.mark.django_db
def test_a_constraint_violation_raises_integrity_error(setup):
    program, _rules, advocate, referral = setup
    duplicate = Referral(program=program, advocate=advocate, customer=referral.customer, reason="click")
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk.insert([duplicate])
    assert Referral.objects.filter(customer=referral.customer).count() == 1


@pytest.mark.django_db
def test_datetimes_are_adapted_as_the_backend_adapts_them(setup):
    from chorus.core.bulk import _plan

    plan = _plan(Customer, connection)
    convert = plan.converters[plan.attnames.index("first_seen_at")]
    field = Customer._meta.get_field("first_seen_at")
    for value in [WHEN, WHEN.astimezone(UTC), WHEN.replace(microsecond=0).astimezone(UTC), datetime.now(UTC),
                  datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, 5, tzinfo=ZoneInfo("America/New_York")), None]:
        assert convert(value) == field.get_db_prep_save(value, connection)


@pytest.mark.django_db
def test_statements_stay_under_the_parameter_limit(setup, monkeypatch):
    program, *_ = setup
    fields = len([f for f in Customer._meta.concrete_fields if not f.primary_key])
    monkeypatch.setattr(bulk, "MAX_PARAMETERS", fields * 10)
    customers = _customers(program, "p", 45)
    with CaptureQueriesContext(connection) as queries:
        bulk.insert(customers)
    assert len([q for q in queries if q["sql"].startswith("INSERT")]) == 5
    assert sorted(c.pk for c in customers) == [c.pk for c in customers]
    assert Customer.objects.filter(pk__in=[c.pk for c in customers], external_id__startswith="p").count() == 45


# --- bulk.new builds what Model(**values) builds ---------------------------------------------

def _state(obj) -> tuple:
    values = {key: value for key, value in obj.__dict__.items() if key != "_state"}
    return values, obj._state.adding, obj._state.db, dict(obj._state.fields_cache)


@pytest.mark.django_db
def test_new_builds_what_the_model_constructor_builds(setup):
    program, rules, advocate, referral = setup
    customer = Customer(program=program, external_id="n1", first_seen_at=WHEN)  # unsaved: its pk stays None
    conversion = Conversion.objects.create(program=program, type="purchase", customer=referral.customer, amount=10,
                                           currency="EUR", order_id="n", occurred_at=WHEN)
    cases = [
        (Customer, {"program": program, "external_id": "x", "email": "a@b.org", "email_normalized": "a@b.org",
                    "name": "", "first_seen_at": WHEN}),
        (Customer, {"program_id": program.pk, "external_id": "y", "first_seen_at": WHEN}),
        (Conversion, {"program": program, "type": "signup", "customer": customer, "amount": 0, "currency": "EUR",
                      "order_id": "", "occurred_at": WHEN, "trust": "server", "metadata": {}, "referral": None}),
        (Referral, {"program": program, "advocate": advocate, "customer": referral.customer, "link": advocate.link,
                    "click_token": "t", "clicked_at": WHEN, "reason": "click", "attribution_model": "last_touch",
                    "is_primary": True, "flag": "", "review": "clean"}),
        (Reward, {"program": program, "rule": rules[0], "conversion": conversion, "referral": referral,
                  "side": "friend", "advocate": None, "customer": referral.customer, "kind": "coupon", "amount": 1,
                  "currency": "", "code": "C", "hold_until": None, "status_reason": ""}),
        (LedgerEntry, {"program": program, "unit": "points", "amount": 5, "reason": "reward", "advocate": advocate,
                       "customer": None, "currency": "", "note": "n"}),
        (Conversion, {}),
    ]
    for model, values in cases:
        assert _state(bulk.new(model, **values)) == _state(model(**values)), model
    first, second = bulk.new(Reward), bulk.new(Reward)
    assert first.status_reason_data == {} and first.status_reason_data is not second.status_reason_data
    with pytest.raises(TypeError):
        bulk.new(Customer, nonsense=1)
    with pytest.raises(ValueError):
        bulk.new(Conversion, customer=program)


@pytest.mark.django_db
def test_new_instances_are_written_like_constructed_ones(setup):
    program, *_ = setup
    customer = bulk.new(Customer, program=program, external_id="w", first_seen_at=WHEN)
    conversion = bulk.new(Conversion, program=program, type="signup", customer=customer, occurred_at=WHEN)
    bulk.insert([customer])
    bulk.insert([conversion])
    assert conversion.customer_id == customer.pk
    assert Conversion.objects.get(pk=conversion.pk).customer.external_id == "w"


@pytest.mark.django_db
def test_postgresql_gets_one_array_parameter_per_column(setup):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only (SQLite gets VALUES rows)")
    program, *_ = setup
    customers = _customers(program, "arr", 300)
    with CaptureQueriesContext(connection) as queries:
        bulk.insert(customers)
    (insert,) = [q["sql"] for q in queries if q["sql"].startswith("INSERT")]
    assert "UNNEST(" in insert and " VALUES " not in insert
    assert [c.external_id for c in Customer.objects.filter(pk__in=[c.pk for c in customers]).order_by("pk")] == [
        c.external_id for c in customers]


@pytest.mark.django_db
def test_insert_unless_taken_writes_once_and_says_so(setup):
    from chorus.core.models import IdempotencyRecord

    program, *_ = setup
    first = IdempotencyRecord(program=program, key="k", fingerprint="a")
    second = IdempotencyRecord(program=program, key="k", fingerprint="b")
    with CaptureQueriesContext(connection) as queries:
        assert bulk.insert_unless_taken(first, ("program_id", "key")) is True
        assert bulk.insert_unless_taken(second, ("program_id", "key")) is False
    assert len(queries) == 2  # no transaction or savepoint of their own
    assert first.pk and not first._state.adding and second.pk is None
    saved = IdempotencyRecord.objects.get(program=program, key="k")
    assert (saved.pk, saved.fingerprint, saved.completed, saved.response_body) == (first.pk, "a", False, None)
    assert saved.created_at == first.created_at
