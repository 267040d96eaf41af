"""Where Chorus keeps personal data, model by model (see docs/personal-data.md for the why).

One `register(...)` call per model; the order is the order of erasure. A new model that
holds data about a person adds its call here (or in its own app's ready()).
"""

from django.apps import apps
from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chorus.advocates.models import Advocate, Customer, LoginToken
from chorus.analytics import rollups
from chorus.campaigns.models import AdvocateEvent, AskOpening, Completion, Invitation
from chorus.core.codes import promo_code
from chorus.core.models import AuditEvent, IdempotencyRecord
from chorus.referrals.models import Click, Conversion, FriendClaim, Referral, ReferralLink
from chorus.referrals.services.clicks import forget_cached_links
from chorus.rewards.models import (
    BadgeAward,
    LedgerEntry,
    LevelReached,
    Redemption,
    Reward,
    WallEntry,
)

from .registry import (
    DELETE,
    KEEP,
    by_advocate,
    by_customer,
    by_email,
    email_hash,
    on_erased,
    present,
    pseudonymise,
    pseudonymous_email,
    register,
)

ERASED = "[erased]"


# --- advocates ------------------------------------------------------------------------------

def erase_advocates(queryset, context) -> int:
    """Pseudonymise: a fresh .invalid address, no name or ids, every opt-in off, disabled
    (a disabled advocate cannot log in, ask for a login link, or be credited for clicks)."""
    rows = list(queryset)
    for advocate in rows:
        advocate.email = advocate.email_normalized = pseudonymous_email()
        advocate.name = advocate.external_id = advocate.language = ""
        advocate.known_visitors = []
        advocate.show_on_leaderboard = advocate.feature_on_wall = False
        advocate.email_on_approval = advocate.email_on_level_up = False
        advocate.status = Advocate.Status.DISABLED
        advocate.save()
    return len(rows)


register(Advocate, section="advocates", label=_("Advocate profile"), match=by_advocate("pk"), erase=erase_advocates,
         why="Pseudonymised and disabled, not deleted: the ledger, referrals and rewards point to it.")

register(Customer, section="customers", label=_("Customer records"), match=by_customer("pk"),
         erase=present(Customer, {"email": "", "email_normalized": "", "name": "", "external_id": "",
                                  "language": "", "attributes": {}}),
         why="Blanked, not deleted: conversions, referrals and the ledger point to it. Plan, revenue and "
             "health score stay (account metrics); imported attributes (social profile columns) go.")

register(LoginToken, section="login_tokens", label=_("Login links"), match=by_advocate(), exclude=("token_hash",), erase=DELETE,
         why="Deleted: no open login link survives an erasure.")


# --- referrals ------------------------------------------------------------------------------

def deactivate_links(queryset, context) -> int:
    """The link stops working (410, no click recorded); the vanity and promo codes, which are
    made from the advocate's name, are replaced, so nothing identifying stays in circulation."""
    rows = list(queryset)
    for link in rows:
        link.is_active = False
        link.vanity_code = ""
        link.promo_code = promo_code("ERASED")
        link.save(update_fields=["is_active", "vanity_code", "promo_code"])
    if rows:
        context.after_commit.append(forget_cached_links)
    return len(rows)


register(ReferralLink, section="referral_links", label=_("Referral link"), match=by_advocate(), erase=deactivate_links,
         why="Deactivated with new codes; kept because clicks and referrals point to it.")


def erase_click_referrers(queryset, context) -> int:
    """Blank the referring page; the dashboard's rollups count these clicks (and the
    conversions that came through them) as "direct" from then on, as a rebuild would."""
    return rollups.clicks_referrer_erased(queryset)


register(Click, section="clicks", label=_("Clicks on their link"), match=by_advocate("link__advocate"),
         fields=("id", "created_at", "referrer", "device", "is_bot", "is_unique", "content"),
         erase=erase_click_referrers,
         why="Kept for the funnel counts; the referring page (which may be the advocate's own post) is blanked. "
             "Visitor hashes belong to the friends who clicked and are not exported.")

register(FriendClaim, section="friend_claims", label=_("Referrer claims they made"), match=by_email("friend_email_normalized"), erase=DELETE,
         why="Claims this person made as a friend are deleted: they are only an attribution hint.")

register(Referral, section="referrals", label=_("Referrals"), match=[by_advocate(), by_customer()], erase={"review_note": ""},
         why="Kept for the funnel and rewards; the reviewer's free-text note is blanked.")

register(Conversion, section="conversions", label=_("Signups and purchases"), match=by_customer(), erase={"metadata": {}},
         why="Kept with type, amount, currency and order id (accounting); the merchant's metadata is removed.")


# --- rewards --------------------------------------------------------------------------------

register(Reward, section="rewards", label=_("Rewards"), match=[by_advocate(), by_customer()], erase=KEEP,
         why="Kept: amounts and states owed (accounting); no personal fields.")

register(LedgerEntry, section="ledger", label=_("Points and credit ledger"), match=[by_advocate(), by_customer()], erase=KEEP,
         why="Kept unchanged: the ledger is append-only (balances and bookkeeping). Notes are rule names, "
             "item titles or a marketer's adjustment note.")

register(Redemption, section="redemptions", label=_("Redemptions"), match=by_advocate(), erase={"shipping": {}, "status_note": ""},
         why="Kept for points and stock; the shipping address and the decision note are removed.")

register(BadgeAward, section="badges", label=_("Badges"), match=by_advocate(), erase=KEEP, why="Kept: no personal fields.")
register(LevelReached, section="levels", label=_("Levels reached"), match=by_advocate(), erase=KEEP, why="Kept: no personal fields.")
register(WallEntry, section="wall", label=_("Wall of fame"), match=by_advocate(), erase=DELETE,
         why="Deleted: the public quote is the person's own words.")


# --- campaigns ------------------------------------------------------------------------------

def numbers_only(value):
    """What is left of answers: numbers and yes/no (ratings stay for averages), no text."""
    if isinstance(value, dict):
        kept = {key: numbers_only(item) for key, item in value.items()}
        return {key: item for key, item in kept.items() if item is not None}
    if isinstance(value, bool | int | float):
        return value
    return None


def erase_completion_answers(queryset, context) -> int:
    rows = list(queryset)
    for completion in rows:
        completion.data = numbers_only(completion.data) or {}
        completion.evidence = ""
        completion.evidence_content_type = ""
        completion.rejection_reason = ""
        completion.save(update_fields=["data", "evidence", "evidence_content_type", "rejection_reason", "updated_at"])
    return len(rows)


def evidence_url(completion, field_name: str) -> str:
    path = reverse("console:completion_evidence", kwargs={"slug": completion.ask.program.slug,
                                                          "completion_id": completion.pk})
    return f"{settings.CHORUS_BASE_URL}{path}"


register(Completion, section="completions", label=_("Completed asks"), match=by_advocate(), files=("evidence",), file_url=evidence_url,
         erase=erase_completion_answers,
         why="Kept with status and points (metrics, ledger); text answers, proof links and the reason are "
             "removed, numeric ratings stay; the evidence file is deleted from storage.")

register(AdvocateEvent, section="advocate_events", label=_("Events received by API"), match=by_advocate(), erase={"properties": {}},
         why="Kept with the event name (triggers fired once); the sender's properties are removed.")

register(AskOpening, section="ask_openings", label=_("Asks opened to them"), match=by_advocate(), erase=KEEP, why="Kept: no personal fields.")

register(Invitation, section="event_invitations", label=_("Event and club invitations"), match=by_advocate(), erase=KEEP,
         why="Kept for attendance counts; the access code is random and opens nothing for a disabled advocate.")


# --- copies in logs -------------------------------------------------------------------------

def _text_mentions(person) -> Q:
    condition = Q(pk__in=[])
    for email in person.emails:
        condition |= Q(note__icontains=email) | Q(data__icontains=email)
    return condition


def _audits_about(person) -> Q:
    targets = Q(target_type="advocates.advocate", target_id__in=[str(pk) for pk in person.advocate_ids])
    targets |= Q(target_type="advocates.customer", target_id__in=[str(pk) for pk in person.customer_ids])
    for model, lookup in ((Referral, by_advocate()), (Completion, by_advocate()), (Redemption, by_advocate())):
        ids = model.objects.filter(lookup(person)).values_list("pk", flat=True)
        targets |= Q(target_type=model._meta.label_lower, target_id__in=[str(pk) for pk in ids])
    return Q(workspace_id=person.program.workspace_id) & (targets | _text_mentions(person))


def scrub(value, person):
    """`value` with every string that mentions the person replaced by "[erased]"."""
    if isinstance(value, dict):
        return {key: scrub(item, person) for key, item in value.items()}
    if isinstance(value, list):
        return [scrub(item, person) for item in value]
    if isinstance(value, str) and person.mentions(value):
        return ERASED
    return value


def scrub_audit_events(queryset, context) -> int:
    """Who did what and when stays (accountability); free-text notes and mentions go."""
    rows = list(queryset)
    for event in rows:
        event.note = ""
        event.data = scrub(event.data, context.person)
        event.save(update_fields=["note", "data"])
    return len(rows)


register(AuditEvent, section="audit_events", label=_("Audit log entries"), match=_audits_about,
         fields=("id", "action", "target_type", "target_id", "note", "created_at"), erase=scrub_audit_events,
         why="Kept (who did what, when); notes about the person and any mention of their address are removed.")


def _idempotency_copies(person) -> Q:
    condition = Q(pk__in=[])
    for email in person.emails:
        condition |= Q(response_body__icontains=email)
    return Q(program=person.program) & condition


register(IdempotencyRecord, section="api_replies", label=_("Stored API replies"), match=_idempotency_copies, exported=False,
         erase={"response_body": {"erased": True}},
         why="Stored API answers that contain the address (24-hour replays) are replaced by {\"erased\": true}; "
             "the key stays used, so a retried request is still not run twice.")


# --- models of the other parts of issue 4 -----------------------------------------------------
# Built on other branches at the same time: registered here when their app and model exist,
# so the merge needs no further step. Field names were read from those branches; `register`
# checks them at start-up (FieldDoesNotExist), and the tests' export and erasure walk them.

def _model(label: str):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _hashed_address(row, context) -> str:
    """What an address-keyed row keeps of an erased person: the keyed hash, never the address."""
    return f"erased:{email_hash(context.person.email_normalized)}"


def erase_suppressions(queryset, context) -> int:
    """Suppressions stay in force, keyed by hash (a send-time check compares `erased:<hash>`)."""
    hashed = _hashed_address(None, context)
    rows = list(queryset)
    for row in rows:
        if queryset.model.objects.filter(program_id=row.program_id, email_normalized=hashed).exists():
            row.delete()
        else:
            row.email_normalized = hashed
            row.save(update_fields=["email_normalized"])
    return len(rows)


def register_other_parts() -> None:
    if usage_event := _model("advocates.UsageEvent"):
        register(usage_event, section="usage_events", label=_("Product usage events"), match=by_customer(),
                 erase={"properties": {}}, why="Kept with name and time (health score); properties are removed.")
    if nps_send := _model("insights.NpsSend"):
        register(nps_send, section="nps_sends", label=_("NPS surveys sent"),
                 match=[by_advocate(), by_customer(), by_email()],
                 erase=pseudonymise(email="email", normalized="email_normalized", values={"name": "", "language": ""}),
                 why="Kept for response rates; address and name pseudonymised.")
    if nps_response := _model("insights.NpsResponse"):
        register(nps_response, section="nps_responses", label=_("NPS answers"),
                 match=[by_advocate(), by_customer(), by_email()], erase={"comment": "", "email_normalized": ""},
                 why="The score stays for the NPS over time; the comment and address go.")
    if nomination := _model("insights.Nomination"):
        register(nomination, section="nominations", label=_("Nominations"), match=[by_advocate(), by_customer()],
                 erase=DELETE, why="Deleted: a teammate's opinion about the person, with no accounting role.")
    if invitation := _model("invitations.Invitation"):
        register(invitation, section="advocate_invitations", label=_("Invitations to join"),
                 match=[by_advocate(), by_customer(), by_email()], exclude=("token_hash",),
                 erase=pseudonymise(email="email", normalized="email_normalized",
                                    values={"name": "", "language": "", "expires_at": lambda row, context: timezone.now()}),
                 why="Kept for sent → clicked → joined counts; address and name pseudonymised, the link expired.")
    if enrolment := _model("invitations.Enrolment"):
        register(enrolment, section="enrolments", label=_("How they joined"), match=by_advocate(), erase=KEEP,
                 why="Kept: no personal fields (channel counts).")
    if outbound := _model("notifications.OutboundEmail"):
        register(outbound, section="emails_sent", label=_("Emails sent"),
                 match=[by_advocate(), by_customer(), by_email()],
                 erase=pseudonymise(email="to_email", values={"email_normalized": _hashed_address, "name": "",
                                                              "context": {}, "subject": "", "links": []}),
                 why="Kept for frequency caps, A/B results and click rates; address, name, personalised "
                     "subject and content are removed (the address becomes its keyed hash).")
    if recipient := _model("notifications.Recipient"):
        register(recipient, section="email_preferences", label=_("Email preferences"), match=by_email(),
                 erase=DELETE, why="Deleted: preferences of an address nobody may use any more.")
    if consent := _model("notifications.Consent"):
        register(consent, section="email_consents", label=_("Email consents"), match=by_email(),
                 erase={"email_normalized": _hashed_address},
                 why="Kept as proof of consent given or withdrawn, keyed by hash instead of address.")
    if suppression := _model("notifications.Suppression"):
        register(suppression, section="email_suppressions", label=_("Do-not-contact entries"), match=by_email(),
                 erase=erase_suppressions, why="Kept in force, keyed by hash instead of address.")

        @on_erased
        def do_not_contact(erased) -> None:
            """The erased address never gets program mail again: its hash joins the suppression list."""
            suppression.objects.get_or_create(
                program=erased.program, email_normalized=f"erased:{erased.email_hash}",
                defaults={"reason": "manual", "detail": "Erased person (X3)", "source": "erasure"})


register_other_parts()
