"""STUB — being written; replace this whole module."""
from django.http import HttpResponse


def career_office_home(request, *args, **kwargs):
    return HttpResponse('todo')


def career_office_invite(request, *args, **kwargs):
    return HttpResponse('todo')


def career_office_invitation_revoke(request, *args, **kwargs):
    return HttpResponse('todo')


def career_office_invitation_accept(request, *args, **kwargs):
    return HttpResponse('todo')


