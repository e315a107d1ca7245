"""STUB — being written; replace this whole module."""
from django.http import HttpResponse


def offer_list(request, *args, **kwargs):
    return HttpResponse('todo')


def offer_create(request, *args, **kwargs):
    return HttpResponse('todo')


def offer_detail(request, *args, **kwargs):
    return HttpResponse('todo')


def offer_accept(request, *args, **kwargs):
    return HttpResponse('todo')


def offer_decline(request, *args, **kwargs):
    return HttpResponse('todo')


def offer_rescind(request, *args, **kwargs):
    return HttpResponse('todo')


def talent_pool(request, *args, **kwargs):
    return HttpResponse('todo')


def outcome_list(request, *args, **kwargs):
    return HttpResponse('todo')


