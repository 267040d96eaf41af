"""ConversionOut.from_result skips validation (model_construct): it must give exactly what the
validated schema gives, so the documented response and the fast one cannot drift apart."""

import json

import pytest
from ninja import Status

from chorus.core.idempotency import render
from chorus.referrals.schemas import BatchItemOut, ConversionBatchOut, ConversionOut
from chorus.referrals.services.conversions import ConversionInput, record_conversion
from chorus.testing import factories


def validated(result) -> ConversionOut:
    """The validating construction from_result used before (every field through pydantic)."""
    conversion, referral = result.conversion, result.conversion.referral
    return ConversionOut(
        id=conversion.pk, type=conversion.type, duplicate=result.duplicate,
        customer_external_id=conversion.customer.external_id, amount=conversion.amount,
        currency=conversion.currency, order_id=conversion.order_id, occurred_at=conversion.occurred_at,
        attribution=None if referral is None else {
            "referral_id": referral.pk, "advocate_id": referral.advocate_id, "reason": referral.reason,
            "review": referral.review, "flag": referral.flag, "rewardable": referral.rewardable},
        rewards=[{"id": r.pk, "side": r.side, "advocate_id": r.advocate_id, "kind": r.kind, "amount": r.amount,
                  "currency": r.currency, "status": r.status, "hold_until": r.hold_until, "code": r.code}
                 for r in sorted(result.rewards, key=lambda reward: reward.pk)],
    )


@pytest.fixture
def results(advocate):
    program = advocate.program
    factories.make_standard_rules(program)  # held 30 days: hold_until set; a coupon with a code
    link = advocate.link
    signup = record_conversion(program, ConversionInput(type="signup", customer_external_id="cus_1",
                                                        email="f@example.org", promo_code=link.promo_code))
    purchase = record_conversion(program, ConversionInput(type="purchase", customer_external_id="cus_1",
                                                          amount=4999, order_id="o-1", metadata={"a": 1}))
    again = record_conversion(program, ConversionInput(type="purchase", customer_external_id="cus_1",
                                                       amount=4999, order_id="o-1"))
    plain = record_conversion(program, ConversionInput(type="purchase", customer_external_id="cus_2", amount=100))
    self_referral = record_conversion(program, ConversionInput(type="signup", email=advocate.email,
                                                               referral_code=link.code))
    return [signup, purchase, again, plain, self_referral]


def test_from_result_equals_the_validated_schema(results):
    assert any(result.rewards for result in results) and any(r.conversion.referral is None for r in results)
    assert any(reward.hold_until for result in results for reward in result.rewards)
    assert any(reward.code for result in results for reward in result.rewards)
    for result in results:
        fast, slow = ConversionOut.from_result(result), validated(result)
        assert fast.model_dump(mode="json") == slow.model_dump(mode="json")
        assert fast.model_dump() == slow.model_dump()
        assert ConversionOut.model_validate(fast.model_dump()) == slow
        assert json.loads(render(Status(201, fast)).content) == json.loads(render(Status(201, slow)).content)


def test_the_batch_envelope_renders_as_the_validated_one(results):
    fast = ConversionBatchOut.model_construct(recorded=1, duplicates=0, failed=0, results=[
        BatchItemOut.model_construct(index=i, ok=True, status=201, result=ConversionOut.from_result(result))
        for i, result in enumerate(results)])
    slow = ConversionBatchOut(recorded=1, duplicates=0, failed=0, results=[
        BatchItemOut(index=i, ok=True, status=201, result=validated(result)) for i, result in enumerate(results)])
    assert json.loads(render(Status(200, fast)).content) == json.loads(render(Status(200, slow)).content)
