"""STUB — being written; replace this whole module."""
from django.http import HttpResponse


def feedback_give(request, *args, **kwargs):
    return HttpResponse('todo')


def feedback_detail(request, *args, **kwargs):
    return HttpResponse('todo')


def feedback_reply(request, *args, **kwargs):
    return HttpResponse('todo')


