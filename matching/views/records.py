"""STUB — being written; replace this whole module."""
from django.http import HttpResponse


def record_detail(request, *args, **kwargs):
    return HttpResponse('todo')


def record_print(request, *args, **kwargs):
    return HttpResponse('todo')


def record_item_edit(request, *args, **kwargs):
    return HttpResponse('todo')


def record_share_create(request, *args, **kwargs):
    return HttpResponse('todo')


def record_share_revoke(request, *args, **kwargs):
    return HttpResponse('todo')


def record_public(request, *args, **kwargs):
    return HttpResponse('todo')


def record_for_employer(request, *args, **kwargs):
    return HttpResponse('todo')


def credential_json(request, *args, **kwargs):
    return HttpResponse('todo')


def credential_verify(request, *args, **kwargs):
    return HttpResponse('todo')


