"""STUB — being written; replace this whole module."""
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse


@login_not_required
def browse(request, *args, **kwargs):
    return HttpResponse('todo')


@login_not_required
def project_detail(request, *args, **kwargs):
    return HttpResponse('todo')


@login_not_required
def project_save_toggle(request, *args, **kwargs):
    return HttpResponse('todo')


@login_not_required
def saved_list(request, *args, **kwargs):
    return HttpResponse('todo')


@login_not_required
def student_home(request, *args, **kwargs):
    return HttpResponse('todo')


