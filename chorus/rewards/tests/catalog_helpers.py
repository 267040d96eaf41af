"""Helpers for catalog tests: items through the real service, points through the ledger."""

import io

from chorus.rewards import catalog
from chorus.rewards.models import LedgerEntry
from chorus.rewards.services import post_entry


def give_points(advocate, amount: int) -> None:
    post_entry(program=advocate.program, advocate=advocate, unit=LedgerEntry.Unit.POINTS, amount=amount,
               reason=LedgerEntry.Reason.ADJUSTMENT, note="test points")


def make_item(program, **fields):
    defaults = {"kind": "stuff", "title": "Hoodie", "cost_points": 300, "fulfilment": "manual"}
    return catalog.create_item(program, **{**defaults, **fields})


def csv_file(text: str | bytes) -> io.BytesIO:
    return io.BytesIO(text.encode() if isinstance(text, str) else text)


def pooled_item(program, codes=("GC-0001", "GC-0002"), **fields):
    item = make_item(program, title="Gift card", fulfilment="code_pool", is_cash_like=True, cost_points=500, **fields)
    catalog.import_codes(item, csv_file("code\n" + "\n".join(codes) + "\n"))
    return item
