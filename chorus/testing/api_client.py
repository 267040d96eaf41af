"""A thin wrapper over Django's test client for the JSON API, and a row counter for
asserting that a refused request changed nothing."""

import json

from chorus.advocates.models import Advocate, Customer
from chorus.core.models import IdempotencyRecord
from chorus.referrals.models import Conversion, Referral
from chorus.rewards.models import LedgerEntry, Reward

API = "/api/v1"


class ApiClient:
    def __init__(self, client, key: str | None):
        self.client = client
        self.key = key

    @staticmethod
    def encode(body) -> bytes:
        """The bytes `post` sends for `body`: a dict/list as JSON, bytes or str as they are."""
        if isinstance(body, bytes):
            return body
        return (body if isinstance(body, str) else json.dumps(body)).encode()

    def _headers(self, headers: dict) -> dict:
        auth = {"Authorization": f"Bearer {self.key}"} if self.key else {}
        return {**auth, **headers}

    def post(self, path: str, body=None, *, idempotency_key: str | None = None, **headers):
        """POST `body` (a dict/list is sent as JSON; bytes or str as they are)."""
        data = self.encode(body)
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        return self.client.post(API + path, data=data, content_type="application/json", headers=self._headers(headers))

    def get(self, path: str, **headers):
        return self.client.get(API + path, headers=self._headers(headers))


def row_counts() -> dict[str, int]:
    """How many rows each table the API writes holds."""
    models = (Advocate, Customer, Conversion, Referral, Reward, LedgerEntry, IdempotencyRecord)
    return {model.__name__: model.objects.count() for model in models}
