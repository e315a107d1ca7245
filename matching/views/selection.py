"""STUB — being written; replace this whole module."""
from django.http import HttpResponse


def applicant_list(request, *args, **kwargs):
    return HttpResponse('todo')


def applicant_bulk_reject(request, *args, **kwargs):
    return HttpResponse('todo')


def applicant_detail(request, *args, **kwargs):
    return HttpResponse('todo')


def applicant_resume(request, *args, **kwargs):
    return HttpResponse('todo')


def applicant_shortlist(request, *args, **kwargs):
    return HttpResponse('todo')


def applicant_reject(request, *args, **kwargs):
    return HttpResponse('todo')


def applicant_accept(request, *args, **kwargs):
    return HttpResponse('todo')


