"""Housekeeping that no single request triggers: run it from cron, a systemd timer, or
`--every SECONDS` beside the worker.

- issue rewards whose hold is over (each reward also has a deferred task for its hold's
  end; this sweep catches any whose task was lost, e.g. enqueued before a restore);
- forget Idempotency-Key records past their 24-hour replay window;
- email "ask about to expire" reminders (automations; each is sent once);
- decide subject-line A/B tests whose waiting period is over and send the winner;
- recompute customer health scores older than a day (enqueued as background tasks);
- email each program's members last week's summary (once per member and week);
- send webhook deliveries that are due but whose task was lost (or whose sender died).
"""

import time

from django.core.management.base import BaseCommand

from chorus.advocates.health import recompute_due_health
from chorus.core import idempotency
from chorus.integrations.webhooks_out.delivery import enqueue_due as enqueue_due_webhooks
from chorus.notifications.automations import send_expiring_ask_reminders
from chorus.notifications.campaigns import decide_due_campaigns
from chorus.notifications.weekly_summary import send_weekly_summaries
from chorus.rewards.services import release_due_rewards


class Command(BaseCommand):
    help = ("Release rewards whose hold is over, prune expired idempotency records, send ask reminders, "
            "decide A/B tests, queue daily health scores, send weekly summaries to marketers, resend due webhooks.")

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, metavar="SECONDS",
                            help="repeat every SECONDS until stopped (default: run once)")

    def handle(self, *args, every: int = 0, **options):
        while True:
            released = release_due_rewards()
            pruned = idempotency.prune_expired()
            reminded = send_expiring_ask_reminders()
            decided = decide_due_campaigns()
            health = recompute_due_health()
            summaries = send_weekly_summaries()
            webhooks = enqueue_due_webhooks()
            self.stdout.write(f"released {released} reward(s); pruned {pruned} idempotency record(s); "
                              f"sent {reminded} ask reminder(s); decided {decided} A/B test(s); "
                              f"health scores queued for {health} program(s); sent {summaries} weekly summary email(s); "
                              f"{webhooks} webhook deliveries queued")
            if every <= 0:
                return
            time.sleep(every)
