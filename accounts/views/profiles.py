"""STUB — being written; replace this whole module."""
from django.http import HttpResponse


def profile_detail(request, *args, **kwargs):
    return HttpResponse('todo')


def profile_edit(request, *args, **kwargs):
    return HttpResponse('todo')


def profile_skills(request, *args, **kwargs):
    return HttpResponse('todo')


def resume_download(request, *args, **kwargs):
    return HttpResponse('todo')


def skill_search(request, *args, **kwargs):
    return HttpResponse('todo')


