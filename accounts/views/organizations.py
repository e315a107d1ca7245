"""STUB — being written; replace this whole module."""
from django.http import HttpResponse


def organization_detail(request, *args, **kwargs):
    return HttpResponse('todo')


def organization_create(request, *args, **kwargs):
    return HttpResponse('todo')


def organization_edit(request, *args, **kwargs):
    return HttpResponse('todo')


def organization_invite(request, *args, **kwargs):
    return HttpResponse('todo')


def organization_invitation_revoke(request, *args, **kwargs):
    return HttpResponse('todo')


def organization_member_remove(request, *args, **kwargs):
    return HttpResponse('todo')


def organization_leave(request, *args, **kwargs):
    return HttpResponse('todo')


def organization_public(request, *args, **kwargs):
    return HttpResponse('todo')


def organization_invitation_accept(request, *args, **kwargs):
    return HttpResponse('todo')


