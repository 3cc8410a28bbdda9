"""Administrative dossiers (hồ sơ thủ tục hành chính): procedures, dossiers and their history.

Procedures are data (a catalogue seeded by migration 0002 and edited in the admin), because
deadlines and document lists change with each new decree. A dossier follows the national
one-stop status codes 0–10; every change of status goes through `dossiers.services`, which
writes a line of the processing-control sheet (`HandOff`, append-only) and an audit row.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import F, Q
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from gis.models import UnitLevel


class DeadlineUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("working days")
    CALENDAR_DAYS = "calendar_days", _("calendar days")


class Agency(models.Model):
    """The agency that receives dossiers for a unit, with its ID code (the dossier-code prefix).

    A unit without an Agency row gives its own GSO code as the prefix.
    """

    code = models.CharField(_("agency ID code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    unit = models.OneToOneField(
        "spatial.AdminUnit",
        verbose_name=_("administrative unit"),
        on_delete=models.PROTECT,
        related_name="dossier_agency",
    )

    class Meta:
        verbose_name = _("receiving agency")
        verbose_name_plural = _("receiving agencies")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Procedure(models.Model):
    """An administrative procedure of the catalogue.

    `deadline_variants` lists deadlines that depend on the case (a project group, a works
    grade) as [{"code": "A", "name": "…", "days": 40}, …]; `deadline_days` is used when the
    dossier names none. A combined procedure runs its `branches` side by side: its deadline is
    its longest branch's, not their sum.
    """

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=300)
    agency = models.CharField(_("agency"), max_length=200)
    handling_level = models.CharField(
        _("level of the handling unit"), max_length=16, choices=UnitLevel.choices
    )
    department_code = models.CharField(_("handling department code"), max_length=20, blank=True)
    deadline_days = models.PositiveSmallIntegerField(_("deadline"))
    deadline_unit = models.CharField(
        _("deadline unit"),
        max_length=16,
        choices=DeadlineUnit.choices,
        default=DeadlineUnit.WORKING_DAYS,
    )
    variant_label = models.CharField(_("deadline depends on"), max_length=100, blank=True)
    deadline_variants = models.JSONField(_("deadline variants"), default=list, blank=True)
    required_documents = models.JSONField(_("required documents"), default=list, blank=True)
    fee_vnd = models.PositiveIntegerField(_("fee (VND)"), default=0)
    fully_online = models.BooleanField(_("online in full"), default=False)
    is_permit = models.BooleanField(_("construction permit"), default=False)
    is_combined = models.BooleanField(_("combined inter-agency procedure"), default=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def days_for(self, variant: str = "") -> int:
        """The deadline for `variant` (a code of `deadline_variants`), or the default one."""
        for item in self.deadline_variants:
            if item.get("code") == variant:
                return int(item["days"])
        return self.deadline_days

    def variant_codes(self) -> list[str]:
        return [str(item["code"]) for item in self.deadline_variants]


class ProcedureBranch(models.Model):
    """A procedure run side by side with others inside a combined procedure."""

    combined = models.ForeignKey(
        Procedure,
        on_delete=models.CASCADE,
        related_name="branches",
        verbose_name=_("combined"),
        db_index=False,  # the first column of branch_once
    )
    component = models.ForeignKey(
        Procedure, on_delete=models.PROTECT, related_name="+", verbose_name=_("procedure")
    )
    required = models.BooleanField(_("required"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("parallel branch")
        verbose_name_plural = _("parallel branches")
        ordering = ["combined", "order"]
        constraints = [
            models.UniqueConstraint(fields=["combined", "component"], name="branch_once"),
            models.CheckConstraint(condition=~Q(combined=F("component")), name="branch_not_itself"),
        ]

    def __str__(self) -> str:
        return f"{self.combined.code} → {self.component.code}"


class ProcedureConsultation(models.Model):
    """An agency consulted on a procedure, with its reply period; silence counts as agreement."""

    procedure = models.ForeignKey(
        Procedure,
        on_delete=models.CASCADE,
        related_name="consultations",
        verbose_name=_("procedure"),
        db_index=False,  # the first column of consult_once
    )
    agency_code = models.CharField(_("agency code"), max_length=20)
    agency_name = models.CharField(_("agency"), max_length=200)
    field = models.CharField(_("field checked"), max_length=200)
    reply_days = models.PositiveSmallIntegerField(_("reply period (working days)"))

    class Meta:
        verbose_name = _("consultation of an agency")
        verbose_name_plural = _("consultations of agencies")
        ordering = ["procedure", "agency_code"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "agency_code"], name="consult_once"),
        ]

    def __str__(self) -> str:
        return f"{self.procedure.code}: {self.agency_name}"


class Status(models.IntegerChoices):
    """The national one-stop status codes (numbers, as synced to the national portal)."""

    DRAFT = 0, _("Draft")
    SUBMITTED = 1, _("Submitted online, awaiting intake")
    ACCEPTED = 2, _("Accepted")
    REFUSED = 3, _("Refused at intake")
    PROCESSING = 4, _("In processing")
    SUPPLEMENT = 5, _("Waiting for the applicant's supplement")
    FEES = 6, _("Waiting for fees")
    WITHDRAWN = 7, _("Withdrawn by the applicant")
    STOPPED = 8, _("Processing stopped")
    DECIDED = 9, _("Decided")
    RETURNED = 10, _("Result returned")


#: Statuses in which the clock runs or is paused: the dossier is open and counted as such.
OPEN_STATUSES = (Status.ACCEPTED, Status.PROCESSING, Status.SUPPLEMENT, Status.FEES)
#: Statuses in which the dossier is finished and judged early / on time / late.
FINISHED_STATUSES = (Status.DECIDED, Status.RETURNED)


class Channel(models.TextChoices):
    ONLINE = "online", _("online")
    COUNTER = "counter", _("at the counter")


class Result(models.TextChoices):
    ISSUED = "issued", _("issued")
    REFUSED = "refused", _("refused")


class Timing(models.TextChoices):
    EARLY = "early", _("early")
    ON_TIME = "on_time", _("on time")
    LATE = "late", _("late")


class DossierQuerySet(models.QuerySet):
    def open(self) -> DossierQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def finished(self) -> DossierQuerySet:
        return self.filter(status__in=FINISHED_STATUSES)

    def permits(self) -> DossierQuerySet:
        return self.filter(Q(procedure__is_permit=True) | Q(procedure__is_combined=True))


class Dossier(models.Model):
    """A dossier: who asks, for what, where, and where it stands against its deadline.

    `deadline` is the original due date, moved only by the time spent waiting for the
    applicant's supplement; `appointment_date` is the date promised to the applicant, which
    the single apology letter may move. Lateness is always judged against `deadline`.
    """

    code = models.CharField(_("dossier code"), max_length=60, unique=True, null=True, blank=True)
    procedure = models.ForeignKey(
        Procedure, verbose_name=_("procedure"), on_delete=models.PROTECT, related_name="dossiers"
    )
    variants = models.JSONField(_("deadline variants chosen"), default=dict, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.PositiveSmallIntegerField(
        _("status"), choices=Status.choices, default=Status.DRAFT
    )

    # The applicant (personal data: shown only to the posts that handle the case).
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant's account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dossiers",
        db_index=False,  # the first column of dossier_applicant
    )
    applicant_name = models.CharField(_("applicant's name"), max_length=200)
    applicant_id_number = models.CharField(_("ID number"), max_length=20)
    applicant_phone = models.CharField(_("phone"), max_length=20, blank=True)
    applicant_email = models.EmailField(_("email"), blank=True)
    applicant_address = models.CharField(_("applicant's address"), max_length=300, blank=True)

    # Where, and who handles it.
    parcel = models.ForeignKey(
        "spatial.Parcel",
        verbose_name=_("parcel"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    location = models.PointField(_("location"), srid=4326)
    address = models.CharField(_("address of the site"), max_length=300, blank=True)
    ward = models.ForeignKey(
        "spatial.AdminUnit",
        verbose_name=_("ward"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # the first column of dossier_ward_accepted
    )
    unit = models.ForeignKey(
        "spatial.AdminUnit",
        verbose_name=_("handling unit"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # the first column of dossier_unit_status
    )
    department = models.ForeignKey(
        "urbanmgmt.Department",
        verbose_name=_("handling department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    agency_code = models.CharField(_("agency ID code"), max_length=40, blank=True)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer in charge"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handled_dossiers",
    )

    # Dates and the clock.
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    appointment_date = models.DateField(_("appointment date"), null=True, blank=True)
    paused_since = models.DateField(_("clock paused since"), null=True, blank=True)
    paused_working_days = models.PositiveSmallIntegerField(_("working days paused"), default=0)
    supplement_requests = models.PositiveSmallIntegerField(_("supplement requests"), default=0)
    apology_count = models.PositiveSmallIntegerField(_("apology letters"), default=0)
    apology_issued_on = models.DateField(_("apology issued on"), null=True, blank=True)
    apology_reason = models.TextField(_("reason for the delay"), blank=True)
    warned_on = models.DateField(_("lateness warning sent on"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=10, choices=Result.choices, blank=True)
    timing = models.CharField(_("timeliness"), max_length=10, choices=Timing.choices, blank=True)
    working_days_used = models.PositiveSmallIntegerField(
        _("working days taken"), null=True, blank=True
    )
    returned_at = models.DateTimeField(_("result returned at"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("satisfaction (1–5)"), null=True, blank=True)
    rating_comment = models.TextField(_("comment"), blank=True)

    # The proposed building, for permits.
    description = models.TextField(_("description of the works"), blank=True)
    floors = models.PositiveSmallIntegerField(_("floors"), null=True, blank=True)
    height_m = models.DecimalField(
        _("height (m)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    footprint_m2 = models.DecimalField(
        _("footprint (m²)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    gross_floor_area_m2 = models.DecimalField(
        _("gross floor area (m²)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    setback_m = models.DecimalField(
        _("setback from the road boundary (m)"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
    )

    created_at = models.DateTimeField(auto_now_add=True, db_default=Now())
    updated_at = models.DateTimeField(auto_now=True, db_default=Now())

    objects = DossierQuerySet.as_manager()

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(status__lte=10), name="dossier_status_code"),
            models.CheckConstraint(condition=Q(apology_count__lte=1), name="dossier_one_apology"),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="dossier_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(status__lt=2) | Q(status=3) | Q(status=7) | Q(code__isnull=False),
                name="dossier_accepted_has_code",
            ),
        ]
        indexes = [
            # The officer's queue: open dossiers of a unit, due soonest first.
            models.Index(
                fields=["unit", "deadline"],
                name="dossier_open_by_unit",
                condition=Q(status__in=[2, 4, 5, 6]),
            ),
            # The same, for a wide scope: walked in deadline order until a page is found.
            models.Index(
                fields=["deadline", "id"],
                name="dossier_open_by_deadline",
                condition=Q(status__in=[2, 4, 5, 6]),
            ),
            # Nearest first in the field walks a partial GiST index of the open dossiers'
            # locations, made by migration 0004 in SQL: GeoDjango drops an index's
            # condition on a geometry field.
            models.Index(fields=["unit", "status"], name="dossier_unit_status"),
            models.Index(fields=["ward", "accepted_on"], name="dossier_ward_accepted"),
            models.Index(fields=["accepted_on"], name="dossier_accepted_on"),
            models.Index(fields=["decided_on"], name="dossier_decided_on"),
            models.Index(fields=["applicant"], name="dossier_applicant"),
        ]

    def __str__(self) -> str:
        return self.code or f"#{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def building(self) -> dict[str, object]:
        return {
            "floors": self.floors,
            "height_m": self.height_m,
            "footprint_m2": self.footprint_m2,
            "gross_floor_area_m2": self.gross_floor_area_m2,
            "setback_m": self.setback_m,
        }

    def due_soon(self, today: dt.date) -> bool:
        """Open, running and due by the next working day: the officer is warned."""
        from urbanmgmt.workdays import add_working_days

        return (
            self.status in (Status.ACCEPTED, Status.PROCESSING, Status.FEES)
            and self.deadline is not None
            and self.deadline <= add_working_days(today, 1)
        )


def document_path(document: Document, filename: str) -> str:
    # The stored name never comes from the upload: no path tricks, no personal names on disk.
    return f"dossiers/{dt.date.today():%Y/%m}/{document.sha256[:32]}.{document.extension}"


class Document(models.Model):
    """A document of a dossier (PDF or image), its type checked from its content."""

    dossier = models.ForeignKey(
        Dossier, verbose_name=_("dossier"), on_delete=models.CASCADE, related_name="documents"
    )
    name = models.CharField(_("document"), max_length=300)
    file = models.FileField(_("file"), upload_to=document_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["dossier", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def extension(self) -> str:
        return {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(
            self.content_type, "bin"
        )


class BranchStatus(models.TextChoices):
    OPEN = "open", _("open")
    APPROVED = "approved", _("approved")
    REFUSED = "refused", _("refused")


class Branch(models.Model):
    """One of the procedures a combined dossier runs side by side, with its own deadline."""

    dossier = models.ForeignKey(
        Dossier,
        verbose_name=_("dossier"),
        on_delete=models.CASCADE,
        related_name="branches",
        db_index=False,  # the first column of dossier_branch_once
    )
    procedure = models.ForeignKey(
        Procedure, verbose_name=_("procedure"), on_delete=models.PROTECT, related_name="+"
    )
    required = models.BooleanField(_("required"), default=True)
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=10, choices=BranchStatus.choices, default=BranchStatus.OPEN
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("parallel branch of a dossier")
        verbose_name_plural = _("parallel branches of dossiers")
        ordering = ["dossier", "id"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "procedure"], name="dossier_branch_once"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier}: {self.procedure.code}"


class ConsultationStatus(models.TextChoices):
    PENDING = "pending", _("awaiting reply")
    AGREED = "agreed", _("agreed")
    OBJECTED = "objected", _("objected")
    DEEMED_AGREED = "deemed_agreed", _("deemed agreed (no reply in time)")


class Consultation(models.Model):
    """An agency asked for its opinion on a dossier; silent past `reply_due`, it agrees."""

    dossier = models.ForeignKey(
        Dossier,
        verbose_name=_("dossier"),
        on_delete=models.CASCADE,
        related_name="consultations",
        db_index=False,  # the first column of dossier_consult_once
    )
    agency_code = models.CharField(_("agency code"), max_length=20)
    agency_name = models.CharField(_("agency"), max_length=200)
    field = models.CharField(_("field checked"), max_length=200)
    requested_on = models.DateField(_("requested on"))
    reply_due = models.DateField(_("reply due"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ConsultationStatus.choices,
        default=ConsultationStatus.PENDING,
    )
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    reply = models.TextField(_("reply"), blank=True)

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["dossier", "agency_code"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "agency_code"], name="dossier_consult_once"),
        ]
        indexes = [
            models.Index(
                fields=["reply_due"], name="consultation_pending_due", condition=Q(status="pending")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dossier}: {self.agency_name}"


class Step(models.TextChoices):
    """What a line of the processing-control sheet records."""

    SUBMITTED = "submitted", _("submitted")
    ACCEPTED = "accepted", _("accepted, receipt issued")
    REFUSED = "refused", _("refused at intake")
    ROUTED = "routed", _("routed for processing")
    HANDED_OVER = "handed_over", _("handed over")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("supplement requested, clock paused")
    SUPPLEMENT_RECEIVED = "supplement_received", _("supplement received, clock resumed")
    FEES_REQUESTED = "fees_requested", _("fees requested")
    FEES_PAID = "fees_paid", _("fees paid")
    BRANCH_CLOSED = "branch_closed", _("branch closed")
    BRANCHES_JOINED = "branches_joined", _("every branch closed")
    CONSULTATION_REPLIED = "consultation_replied", _("consultation answered")
    CONSULTATION_DEEMED = "consultation_deemed", _("consultation deemed agreed")
    WARNED = "warned", _("lateness warning")
    APOLOGY = "apology", _("apology letter, new appointment date")
    WITHDRAWN = "withdrawn", _("withdrawn")
    STOPPED = "stopped", _("processing stopped")
    DECIDED = "decided", _("decided")
    RETURNED = "returned", _("result returned")
    RATED = "rated", _("satisfaction rated")


class HandOff(models.Model):
    """A line of the processing-control sheet (form 05): append-only, refused by a trigger
    on UPDATE and DELETE."""

    dossier = models.ForeignKey(
        Dossier, verbose_name=_("dossier"), on_delete=models.PROTECT, related_name="handoffs"
    )
    at = models.DateTimeField(_("time"), db_default=Now())
    step = models.CharField(_("step"), max_length=24, choices=Step.choices)
    from_status = models.PositiveSmallIntegerField(
        _("from status"), choices=Status.choices, null=True, blank=True
    )
    to_status = models.PositiveSmallIntegerField(_("to status"), choices=Status.choices)
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sender"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sender_name = models.CharField(_("sender"), max_length=200, blank=True)
    sender_post = models.ForeignKey(
        "urbanmgmt.Post",
        verbose_name=_("sender's post"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    receiver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("receiver"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    receiver_name = models.CharField(_("receiver"), max_length=200, blank=True)
    timing = models.CharField(_("timeliness"), max_length=10, choices=Timing.choices, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("hand-off")
        verbose_name_plural = _("processing-control sheet")
        ordering = ["dossier", "at", "id"]

    def __str__(self) -> str:
        return f"{self.dossier} {self.at:%Y-%m-%d %H:%M} {self.step}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("The processing-control sheet is append-only")
        super().save(*args, **kwargs)


class DailyCounter(models.Model):
    """The last dossier number given by an agency on a day (codes `<agency>-<yyMMdd>-<NNNN>`)."""

    agency_code = models.CharField(max_length=40)
    day = models.DateField()
    last = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency_code", "day"], name="counter_agency_day"),
        ]

    def __str__(self) -> str:
        return f"{self.agency_code} {self.day}: {self.last}"
