"""STUB — being written; replace this whole module."""
from django.http import HttpResponse


def engagement_list(request, *args, **kwargs):
    return HttpResponse('todo')


def engagement_detail(request, *args, **kwargs):
    return HttpResponse('todo')


def engagement_message(request, *args, **kwargs):
    return HttpResponse('todo')


def engagement_submit(request, *args, **kwargs):
    return HttpResponse('todo')


def submission_download(request, *args, **kwargs):
    return HttpResponse('todo')


def engagement_hours(request, *args, **kwargs):
    return HttpResponse('todo')


def engagement_checklist_toggle(request, *args, **kwargs):
    return HttpResponse('todo')


def engagement_request_revision(request, *args, **kwargs):
    return HttpResponse('todo')


def engagement_approve(request, *args, **kwargs):
    return HttpResponse('todo')


def engagement_extend(request, *args, **kwargs):
    return HttpResponse('todo')


def engagement_cancel(request, *args, **kwargs):
    return HttpResponse('todo')


def payout_list(request, *args, **kwargs):
    return HttpResponse('todo')


def payout_mark_paid(request, *args, **kwargs):
    return HttpResponse('todo')


