"""Segment calls copied from the Segment spec's examples (Identify, Track, common fields,
E-commerce v2 "Order Completed" / "Order Refunded", B2B SaaS "Signed Up"); only ids that
must differ between tests are changed."""

import copy

COMMON_CONTEXT = {
    "active": True,
    "ip": "8.8.8.8",
    "library": {"name": "analytics.js", "version": "2.11.1"},
    "locale": "en-US",
    "userAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_10_2) AppleWebKit/537.36",
}

IDENTIFY = {
    "anonymousId": "507f191e810c19729de860ea",
    "context": COMMON_CONTEXT,
    "messageId": "022bb90c-bbac-11e4-8dfc-aa07a5b093db",
    "receivedAt": "2015-02-23T22:28:55.387Z",
    "sentAt": "2015-02-23T22:28:55.111Z",
    "timestamp": "2015-02-23T22:28:55.111Z",
    "traits": {"name": "Peter Gibbons", "email": "peter@example.com", "plan": "premium", "logins": 5},
    "type": "identify",
    "userId": "97980cfea0067",
    "version": "1.1",
}

USER_REGISTERED = {
    "type": "track",
    "event": "User Registered",
    "properties": {"plan": "Pro Annual", "accountType": "Facebook"},
    "messageId": "ajs-f8ca1e4de5024d9430b3928bd8ac6b96",
    "userId": "97980cfea0067",
    "timestamp": "2015-02-23T22:28:55.111Z",
}

SIGNED_UP = {
    "type": "track",
    "event": "Signed Up",
    "userId": "97980cfea0067",
    "messageId": "ajs-signed-up-1",
    "timestamp": "2026-01-31T12:00:00Z",
    "properties": {"type": "organic", "first_name": "Peter", "last_name": "Gibbons", "email": "pgibbons@example.com",
                   "phone": "410-555-9412", "username": "pgibbons", "title": "Mr"},
}

ORDER_COMPLETED = {
    "type": "track",
    "userId": "97980cfea0067",
    "event": "Order Completed",
    "messageId": "ajs-order-completed-1",
    "timestamp": "2026-01-31T12:00:00Z",
    "context": {**COMMON_CONTEXT, "traits": {"email": "peter@example.com"}},
    "properties": {
        "checkout_id": "fksdjfsdjfisjf9sdfjsd9f",
        "order_id": "50314b8e9bcf000000000000",
        "affiliation": "Google Store",
        "total": 27.50,
        "subtotal": 22.50,
        "revenue": 25.00,
        "shipping": 3,
        "tax": 2,
        "discount": 2.5,
        "coupon": "hasbros",
        "currency": "USD",
        "products": [
            {"product_id": "507f1f77bcf86cd799439011", "sku": "45790-32", "name": "Monopoly: 3rd Edition",
             "price": 19, "quantity": 1, "category": "Games", "url": "https://www.example.com/product/path",
             "image_url": "https:///www.example.com/product/path.jpg"},
            {"product_id": "505bd76785ebb509fc183733", "sku": "46493-32", "name": "Uno Card Game", "price": 3,
             "quantity": 2, "category": "Games"},
        ],
    },
}

ORDER_REFUNDED = {
    "type": "track",
    "userId": "97980cfea0067",
    "event": "Order Refunded",
    "messageId": "ajs-order-refunded-1",
    "timestamp": "2026-02-02T12:00:00Z",
    "properties": {
        "order_id": "50314b8e9bcf000000000000",
        "total": 30,
        "currency": "USD",
        "products": [
            {"product_id": "507f1f77bcf86cd799439011", "sku": "45790-32", "name": "Monopoly: 3rd Edition",
             "price": 19, "quantity": 1, "category": "Games", "url": "https://www.example.com/product/path",
             "image_url": "https:///www.example.com/product/path.jpg"},
            {"product_id": "505bd76785ebb509fc183733", "sku": "46493-32", "name": "Uno Card Game", "price": 3,
             "quantity": 2, "category": "Games"},
        ],
    },
}

PAGE = {"type": "page", "name": "Home", "properties": {"title": "Welcome | Initech", "url": "http://www.example.com"},
        "messageId": "ajs-page-1", "anonymousId": "507f191e810c19729de860ea"}


def call(example: dict, **changes) -> dict:
    """A deep copy of a spec example; `properties` changes are merged into its properties."""
    result = copy.deepcopy(example)
    result["properties"] = {**result.get("properties", {}), **changes.pop("properties", {})}
    result.update(changes)
    return result
