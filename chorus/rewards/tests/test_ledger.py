"""The ledger is append-only: in Python and in the database itself."""

import pytest
from django.db import IntegrityError, connection, transaction

from chorus.rewards import services
from chorus.rewards.models import LedgerEntry


@pytest.fixture
def entry(program, advocate):
    return services.post_entry(program=program, unit="points", amount=250, reason="adjustment", advocate=advocate,
                               note="Welcome bonus")


def test_balances_derive_from_entries(program, advocate, entry):
    services.post_entry(program=program, unit="points", amount=-50, reason="adjustment", advocate=advocate)
    services.post_entry(program=program, unit="credit", amount=900, reason="adjustment", advocate=advocate, currency="USD")
    assert (services.balance(advocate, "points"), services.balance(advocate, "credit")) == (200, 900)


def test_model_refuses_update_and_delete(entry):
    entry.amount = 1
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=1)
    with pytest.raises(PermissionError):
        LedgerEntry.objects.filter(pk=entry.pk).delete()
    assert LedgerEntry.objects.get(pk=entry.pk).amount == 250


@pytest.mark.parametrize("statement", ["UPDATE rewards_ledgerentry SET amount = 1", "DELETE FROM rewards_ledgerentry"])
def test_database_refuses_update_and_delete(entry, statement):
    with pytest.raises(Exception, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert list(LedgerEntry.objects.values_list("amount", flat=True)) == [250]


def test_zero_amounts_are_refused(program, advocate):
    with pytest.raises(IntegrityError), transaction.atomic():
        services.post_entry(program=program, unit="points", amount=0, reason="adjustment", advocate=advocate)
    assert LedgerEntry.objects.count() == 0


def test_one_entry_per_source_and_reason(program, advocate):
    services.post_entry(program=program, unit="points", amount=10, reason="adjustment", advocate=advocate, source=advocate)
    with pytest.raises(IntegrityError), transaction.atomic():
        services.post_entry(program=program, unit="points", amount=10, reason="adjustment", advocate=advocate, source=advocate)
    assert LedgerEntry.objects.count() == 1
