"""STUB — being written; replace this whole module."""
from django.http import HttpResponse


def application_create(request, *args, **kwargs):
    return HttpResponse('todo')


def application_list(request, *args, **kwargs):
    return HttpResponse('todo')


def application_detail(request, *args, **kwargs):
    return HttpResponse('todo')


def application_withdraw(request, *args, **kwargs):
    return HttpResponse('todo')


