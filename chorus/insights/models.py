"""NPS surveys and answers (I2), advocate score weights (I3), and nominations (I4).

* A survey is sent once per recipient (`NpsSend`, unique per survey and address); the
  email's score buttons carry a signed token naming the send. A response is written only
  when the person submits the form, and a send has at most one response (unique).
* Responses also arrive from a hub survey ask (one per completion) and from the API (an
  optional `external_id` makes a retried call a no-op).
* Weights are whole numbers per program; the advocate score is explained factor by factor
  (`chorus.insights.scoring`).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

PROMOTER_MIN = 9
PASSIVE_MIN = 7


def category_for(score: int) -> str:
    """promoter (9–10), passive (7–8) or detractor (0–6)."""
    if score >= PROMOTER_MIN:
        return NpsResponse.Category.PROMOTER
    if score >= PASSIVE_MIN:
        return NpsResponse.Category.PASSIVE
    return NpsResponse.Category.DETRACTOR


class NpsSurvey(models.Model):
    """One sending of the standard NPS question to a set of people."""

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="nps_surveys")
    name = models.CharField(_("name"), max_length=120)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class NpsSend(models.Model):
    """The survey sent to one person; its signed token opens the survey page."""

    survey = models.ForeignKey(NpsSurvey, on_delete=models.CASCADE, related_name="sends")
    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey("advocates.Customer", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="nps_sends")
    advocate = models.ForeignKey("advocates.Advocate", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="nps_sends")
    email = models.EmailField()
    email_normalized = models.CharField(max_length=254)
    name = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=8, blank=True)
    sent_at = models.DateTimeField(auto_now_add=True)
    emailed_at = models.DateTimeField(null=True, blank=True)  # claimed by the task that queues the email

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "email_normalized"], name="nps_send_once_per_address")]

    def __str__(self) -> str:
        return f"{self.survey_id}:{self.email}"


class NpsResponse(models.Model):
    """A 0–10 answer with an optional comment."""

    class Category(models.TextChoices):
        PROMOTER = "promoter", _("Promoter")
        PASSIVE = "passive", _("Passive")
        DETRACTOR = "detractor", _("Detractor")

    class Source(models.TextChoices):
        EMAIL = "email", _("Email survey")
        HUB = "hub", _("Hub ask")
        API = "api", _("API")

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="nps_responses")
    send = models.OneToOneField(NpsSend, on_delete=models.SET_NULL, null=True, blank=True, related_name="response")
    completion = models.OneToOneField("campaigns.Completion", on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="nps_response")
    customer = models.ForeignKey("advocates.Customer", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="nps_responses")
    advocate = models.ForeignKey("advocates.Advocate", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="nps_responses")
    email_normalized = models.CharField(max_length=254, blank=True, db_index=True)
    score = models.PositiveSmallIntegerField(_("score"))
    category = models.CharField(_("category"), max_length=10, choices=Category.choices)
    comment = models.TextField(_("comment"), blank=True)
    source = models.CharField(max_length=8, choices=Source.choices)
    external_id = models.CharField(max_length=100, blank=True)
    responded_at = models.DateTimeField(db_index=True)
    promoter_fired_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-responded_at", "-pk"]
        indexes = [models.Index(fields=["program", "responded_at"], name="nps_program_time")]
        constraints = [
            models.CheckConstraint(condition=Q(score__lte=10), name="nps_score_0_to_10"),
            models.UniqueConstraint(fields=["program", "external_id"], condition=~Q(external_id=""),
                                    name="nps_response_external_id_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.score} ({self.category})"


class ScoreWeights(models.Model):
    """How much each factor counts in a program's advocate score (whole numbers, sum > 0)."""

    program = models.OneToOneField("programs.Program", on_delete=models.CASCADE, related_name="score_weights")
    nps = models.PositiveSmallIntegerField(_("NPS"), default=30)
    health = models.PositiveSmallIntegerField(_("health"), default=20)
    tenure = models.PositiveSmallIntegerField(_("tenure"), default=10)
    referrals = models.PositiveSmallIntegerField(_("past referrals"), default=15)
    reach = models.PositiveSmallIntegerField(_("social reach"), default=10)
    consistency = models.PositiveSmallIntegerField(_("consistency"), default=10)
    authority = models.PositiveSmallIntegerField(_("authority"), default=5)
    updated_at = models.DateTimeField(auto_now=True)

    FACTORS = ("nps", "health", "tenure", "referrals", "reach", "consistency", "authority")

    def __str__(self) -> str:
        return f"weights of program {self.program_id}"

    def as_dict(self) -> dict[str, int]:
        return {factor: getattr(self, factor) for factor in self.FACTORS}


class Nomination(models.Model):
    """A teammate's word that a customer (or advocate) would make a good advocate."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="nominations")
    customer = models.ForeignKey("advocates.Customer", on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="nominations")
    advocate = models.ForeignKey("advocates.Advocate", on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="nominations")
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="nominations")
    reason = models.TextField(_("reason"))
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(customer__isnull=False, advocate__isnull=True)
                                   | Q(customer__isnull=True, advocate__isnull=False), name="nomination_names_one_person"),
            models.UniqueConstraint(fields=["customer", "nominated_by"], condition=Q(status="open", customer__isnull=False),
                                    name="one_open_nomination_per_customer_and_nominator"),
            models.UniqueConstraint(fields=["advocate", "nominated_by"], condition=Q(status="open", advocate__isnull=False),
                                    name="one_open_nomination_per_advocate_and_nominator"),
        ]

    def __str__(self) -> str:
        return f"nomination {self.pk}"
