"""The dashboard's rollups: kept up to date by the real writers (click flush, conversion batch,
review, completions, erasure), equal to a rebuild from the source tables, and the dashboard
read from them equal to the same dict computed from the source tables."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chorus.analytics import rollups
from chorus.analytics.dashboard import _from_sources, _top_advocates, program_dashboard
from chorus.analytics.models import (
    AdvocateDayRollup,
    AdvocateRollup,
    AskDayRollup,
    ProgramDayRollup,
)
from chorus.campaigns.services.asks import save_ask
from chorus.campaigns.services.completions import approve_completion, submit_completion
from chorus.core.signing import new_click_id
from chorus.referrals.models import Click, Referral
from chorus.referrals.services.clicks import ClickRecorder, recorder, resolve_code
from chorus.referrals.services.conversions import ConversionInput, record_conversions
from chorus.rewards.services import review_referral
from chorus.testing import factories

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
BOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
TODAY = timezone.localdate()


def moment(days_ago: int, hour: int = 12, minute: int = 0) -> datetime:
    day = TODAY - timedelta(days=days_ago)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def click(advocate, when: datetime, *, referrer: str = "", ip: str = "198.51.100.1", agent: str = BROWSER) -> str:
    """A click through the real recorder (synchronous in tests: one flush per click)."""
    target = resolve_code(advocate.link.code)
    token = new_click_id(target.link_id, target.program_id, clicked_at=when.timestamp()).token
    recorder.record(target, token, int(when.timestamp()), ip=ip, user_agent=agent, referrer=referrer)
    return token


def event(kind: str, customer: str, when: datetime, **fields) -> ConversionInput:
    return ConversionInput(type=kind, customer_external_id=customer, email=fields.pop("email", f"{customer}@example.org"),
                           occurred_at=when, **fields)


def record(program, *events) -> None:
    results = record_conversions(program, list(events))
    assert not [result for result in results if isinstance(result, Exception)], results


@dataclass
class Data:
    program: object
    other: object
    ann: object
    ben: object
    cat: object
    dan: object
    eve: object
    manual_ask: object


def build(workspace) -> Data:
    program = factories.make_program(workspace, name="Rolled up", slug="rolled")
    other = factories.make_program(workspace, name="Second", slug="second")
    ann, ben, cat, dan = (factories.make_advocate(program, email=f"{name}@example.com", name=name.title())
                          for name in ("ann", "ben", "cat", "dan"))
    eve = factories.make_advocate(other, email="eve@example.com", name="Eve")

    facebook = click(ann, moment(9), referrer="https://www.facebook.com/", ip="203.0.113.1")
    click(ann, moment(9, 12, 20), referrer="https://www.facebook.com/", ip="203.0.113.1")  # same visitor: not unique
    click(ann, moment(9, 13), referrer="https://l.facebook.com/l.php", ip="203.0.113.2")
    twitter = click(ben, moment(8), referrer="https://t.co/abc", ip="203.0.113.3")
    click(ben, moment(7), ip="203.0.113.4")  # direct
    click(cat, moment(7), referrer="https://www.google.com/", agent=BOT)  # a bot: never counted
    click(cat, moment(3), referrer="https://www.linkedin.com/feed/", ip="203.0.113.5")
    click(cat, moment(40), referrer="https://mail.google.com/", ip="203.0.113.6")  # weeks ago: email
    eve_click = click(eve, moment(8), referrer="https://t.co/xyz", ip="203.0.113.7")

    record(program,
           event("signup", "f1", moment(9, 14), click_id=facebook),
           event("purchase", "f1", moment(8, 9), amount=10000, order_id="o1"),
           event("signup", "f2", moment(8, 15), click_id=twitter),
           event("purchase", "f2", moment(6), amount=5000, order_id="o2"),
           event("signup", "f3", moment(5), promo_code=cat.link.promo_code),
           event("purchase", "f3", moment(5, 13), amount=3000, order_id="o3"),
           event("signup", "dan-self", moment(4), promo_code=dan.link.promo_code, email="dan@example.com"),
           event("purchase", "dan-self", moment(4, 13), amount=7000, order_id="o4"),
           event("signup", "f5", moment(1), referral_code=ben.link.code),
           event("purchase", "organic", moment(2), amount=9999, order_id="o5"))  # not referred: not counted
    record(program, event("refund", "f2", moment(2), order_id="o2", amount=2000))
    record(program, event("signup", "f6", moment(39), referral_code=cat.link.code),
           event("purchase", "f6", moment(38), amount=4000, order_id="o6"))
    record(other, event("signup", "g1", moment(8, 16), click_id=eve_click),
           event("purchase", "g1", moment(7), amount=8000, order_id="g1"))

    auto = save_ask(program, {"type": "social_follow", "title": "Follow us", "points": 150, "moderation": "auto",
                              "config": {}})
    manual = save_ask(program, {"type": "social_follow", "title": "Post about us", "points": 300,
                                "moderation": "review", "config": {}})
    for advocate in (ann, ben):
        submit_completion(auto, advocate, {"url": f"https://x.com/{advocate.pk}/status/1"})
    for advocate in (ann, cat):
        submit_completion(manual, advocate, {"url": f"https://x.com/{advocate.pk}/status/2"})
    return Data(program, other, ann, ben, cat, dan, eve, manual)


@pytest.fixture
def data(workspace):
    return build(workspace)


def tables(program) -> dict:
    """Every rollup row of the program with a non-zero counter, as plain tuples."""
    def rows(model, keys, values):
        found = model.objects.filter(program=program).values_list(*keys, *values)
        return sorted(row for row in found if any(row[len(keys):]))
    return {
        "program_days": rows(ProgramDayRollup, ("day", "channel"), rollups.FUNNEL_FIELDS),
        "advocate_days": rows(AdvocateDayRollup, ("advocate_id", "day"), rollups.CONVERSION_FIELDS),
        "advocates": rows(AdvocateRollup, ("advocate_id",), rollups.CONVERSION_FIELDS),
        "ask_days": rows(AskDayRollup, ("ask_id", "day"), rollups.ASK_FIELDS),
    }


RANGES = [(TODAY - timedelta(days=10), TODAY), (TODAY - timedelta(days=29), TODAY),
          (TODAY - timedelta(days=120), TODAY), (TODAY - timedelta(days=365), TODAY),
          (TODAY - timedelta(days=8), TODAY - timedelta(days=5))]


def assert_dashboards_match_sources(*programs) -> None:
    for program in programs:
        for start, end in RANGES:
            assert program_dashboard(program, start, end) == _from_sources(program, start, end), (program, start, end)


def test_incremental_rollups_equal_a_rebuild_and_the_source_tables(data):
    assert_dashboards_match_sources(data.program, data.other)
    incremental = {program.pk: tables(program) for program in (data.program, data.other)}
    assert incremental[data.program.pk]["program_days"]  # not vacuous
    for program in (data.program, data.other):
        rollups.rebuild(program)
        assert tables(program) == incremental[program.pk]
    assert_dashboards_match_sources(data.program, data.other)


def test_the_dashboard_of_the_last_ten_days_by_hand(data):
    result = program_dashboard(data.program, TODAY - timedelta(days=9), TODAY)
    assert result["funnel"] == {"clicks": 6, "unique_clicks": 5, "signups": 5, "purchases": 4,
                                "revenue": 10000 + 5000 + 3000 + 7000 - 2000}
    assert [row["period"] for row in result["trend"]] == [TODAY - timedelta(days=9 - n) for n in range(10)]
    assert result["top_advocates"] == [
        {"advocate_id": data.ann.pk, "name": "Ann", "signups": 1, "purchases": 1, "revenue": 10000},
        {"advocate_id": data.dan.pk, "name": "Dan", "signups": 1, "purchases": 1, "revenue": 7000},
        {"advocate_id": data.ben.pk, "name": "Ben", "signups": 2, "purchases": 1, "revenue": 3000},  # same revenue and purchases: more signups first

        {"advocate_id": data.cat.pk, "name": "Cat", "signups": 1, "purchases": 1, "revenue": 3000},
    ]
    assert result["channels"] == [
        {"channel": "facebook", "label": "Facebook", "clicks": 3, "unique_clicks": 2, "signups": 1, "purchases": 1,
         "revenue": 10000},
        {"channel": "direct", "label": "Direct or app", "clicks": 1, "unique_clicks": 1, "signups": 3,
         "purchases": 2, "revenue": 10000},
        {"channel": "x", "label": "X (Twitter)", "clicks": 1, "unique_clicks": 1, "signups": 1, "purchases": 1,
         "revenue": 3000},
        {"channel": "linkedin", "label": "LinkedIn", "clicks": 1, "unique_clicks": 1, "signups": 0, "purchases": 0,
         "revenue": 0},
    ]
    titles = {row["title"]: row for row in result["asks"]}
    assert titles["Follow us"]["completions"] == 2 and titles["Follow us"]["approved"] == 2
    assert titles["Follow us"]["points"] == 300
    assert titles["Post about us"] == {"ask_id": data.manual_ask.pk, "title": "Post about us", "completions": 2,
                                       "approved": 0, "points": 0}


def test_denying_a_flagged_referral_takes_its_conversions_out(data, owner):
    self_referral = Referral.objects.get(advocate=data.dan)
    assert self_referral.review == Referral.Review.FLAGGED
    other_before = tables(data.other)
    start = TODAY - timedelta(days=9)
    before = program_dashboard(data.program, start, TODAY)
    review_referral(self_referral.pk, approve=False, user=owner)
    after = program_dashboard(data.program, start, TODAY)
    assert after["funnel"] == {**before["funnel"], "signups": 4, "purchases": 3, "revenue": before["funnel"]["revenue"] - 7000}
    assert data.dan.pk not in [row["advocate_id"] for row in after["top_advocates"]]
    assert AdvocateRollup.objects.get(advocate=data.dan).purchased == 0
    assert tables(data.other) == other_before
    assert_dashboards_match_sources(data.program, data.other)
    incremental = tables(data.program)
    rollups.rebuild(data.program)
    assert tables(data.program) == incremental


def test_conversion_batch_purchase_and_refund_move_the_advocate_and_the_day(data):
    refund_day = (TODAY - timedelta(days=2))
    day = ProgramDayRollup.objects.get(program=data.program, day=refund_day, channel="x")
    assert (day.purchased, day.refunded) == (0, 2000)
    ben = AdvocateRollup.objects.get(advocate=data.ben)
    assert (ben.signups, ben.purchases, ben.purchased, ben.refunded) == (2, 1, 5000, 2000)
    record(data.program, event("purchase", "f2", moment(1), amount=1500, order_id="o7"),
           event("refund", "f2", moment(1, 14), order_id="o7"))
    ben.refresh_from_db()
    assert (ben.signups, ben.purchases, ben.purchased, ben.refunded) == (2, 2, 6500, 3500)
    day = ProgramDayRollup.objects.get(program=data.program, day=TODAY - timedelta(days=1), channel="x")
    assert (day.purchases, day.purchased, day.refunded) == (1, 1500, 1500)
    assert AdvocateRollup.objects.get(advocate=data.eve).purchased == 8000  # the other program: untouched


def test_a_click_flush_updates_the_rollups_once_per_batch(data):
    target = resolve_code(data.cat.link.code)
    when = moment(0, 9)
    rows = []
    for number in range(30):
        referrer = ("https://www.reddit.com/r/x", "", "https://duckduckgo.com/")[number % 3]
        token = new_click_id(target.link_id, target.program_id, clicked_at=when.timestamp()).token
        rows.append((target.program_id, target.link_id, token, when + timedelta(minutes=number), f"v{number % 10}",
                     referrer, "desktop", number == 29, False, None))
    before = {row.channel: row.clicks for row in ProgramDayRollup.objects.filter(program=data.program, day=TODAY)}
    with CaptureQueriesContext(connection) as queries:
        ClickRecorder()._write(rows)
    upserts = [query for query in queries.captured_queries if "ON CONFLICT" in query["sql"]
               and ProgramDayRollup._meta.db_table in query["sql"]]
    assert len(upserts) == 1
    now = {row.channel: (row.clicks, row.unique_clicks)
           for row in ProgramDayRollup.objects.filter(program=data.program, day=TODAY)}
    # 30 clicks, the last a bot; 10 visitors, each unique once (the first of their clicks)
    assert now["reddit"] == (before.get("reddit", 0) + 10, 4)
    assert now["direct"][0] == before.get("direct", 0) + 10
    assert now["search"][0] == before.get("search", 0) + 9
    assert sum(unique for _clicks, unique in now.values()) == 10
    assert_dashboards_match_sources(data.program)


def test_approving_a_completion_counts_it_on_the_day_it_was_submitted(data):
    from chorus.campaigns.models import Completion

    pending = Completion.objects.filter(ask=data.manual_ask).order_by("pk")
    approve_completion(pending[0].pk)
    row = AskDayRollup.objects.get(ask=data.manual_ask, day=TODAY)
    assert (row.completions, row.approved, row.points) == (2, 1, 300)
    approve_completion(pending[0].pk)  # once, however often
    row.refresh_from_db()
    assert (row.completions, row.approved, row.points) == (2, 1, 300)
    assert_dashboards_match_sources(data.program)


def test_erasing_click_referrers_moves_their_numbers_to_direct(data):
    before = program_dashboard(data.program, TODAY - timedelta(days=9), TODAY)
    rollups.clicks_referrer_erased(Click.objects.filter(link__advocate=data.ann))
    after = program_dashboard(data.program, TODAY - timedelta(days=9), TODAY)
    assert after["funnel"] == before["funnel"] and after["top_advocates"] == before["top_advocates"]
    assert "facebook" not in [row["channel"] for row in after["channels"]]
    assert_dashboards_match_sources(data.program, data.other)


def test_top_advocates_read_in_small_chunks_are_the_same(data):
    for start, end in RANGES:
        expected = _from_sources(data.program, start, end)["top_advocates"]
        assert _top_advocates(data.program, start, end, chunk=1) == expected
        assert _top_advocates(data.program, start, end, chunk=2) == expected


def test_rebuild_command_repairs_rollups(data, capsys):
    AdvocateRollup.objects.filter(program=data.program).delete()
    ProgramDayRollup.objects.filter(program=data.program).update(clicks=0)
    call_command("rebuild_rollups", "--program", "rolled")
    assert "rolled:" in capsys.readouterr().out
    assert_dashboards_match_sources(data.program, data.other)


def test_an_empty_range_and_a_bad_range(program):
    result = program_dashboard(program, date(2026, 1, 1), date(2026, 1, 1))
    assert result["funnel"] == {"clicks": 0, "unique_clicks": 0, "signups": 0, "purchases": 0, "revenue": 0}
    assert result["top_advocates"] == [] and result["channels"] == [] and result["asks"] == []
    with pytest.raises(ValueError):
        program_dashboard(program, date(2026, 1, 2), date(2026, 1, 1))


def test_the_demo_seed_leaves_rollups_matching_its_history(db):
    from chorus.demo.seed import seed_demo

    demo = seed_demo(base_url="http://127.0.0.1:8123")
    for program in (demo.program, demo.team_program):
        for days in (30, 90, 365):
            start = TODAY - timedelta(days=days - 1)
            expected = _from_sources(program, start, TODAY)
            assert program_dashboard(program, start, TODAY) == expected
        assert expected["funnel"]["clicks"] > 0 and expected["top_advocates"] and expected["channels"]
