"""Scoped access to customers and imports: always through the caller's program."""

from django.http import Http404

from .models import Customer, ImportJob


def get_customer_for_program(program, customer_id: int) -> Customer:
    customer = Customer.objects.select_related("program", "account").filter(program=program, pk=customer_id).first()
    if customer is None:
        raise Http404("No such customer")
    return customer


def get_import_for_program(program, job_id: int) -> ImportJob:
    job = ImportJob.objects.select_related("program").filter(program=program, pk=job_id).first()
    if job is None:
        raise Http404("No such import")
    return job
