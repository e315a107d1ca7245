"""STUB — being written; replace this whole module."""
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse


@login_not_required
def employer_list(request, *args, **kwargs):
    return HttpResponse('todo')


@login_not_required
def project_create(request, *args, **kwargs):
    return HttpResponse('todo')


@login_not_required
def project_manage(request, *args, **kwargs):
    return HttpResponse('todo')


@login_not_required
def project_edit(request, *args, **kwargs):
    return HttpResponse('todo')


@login_not_required
def project_preview(request, *args, **kwargs):
    return HttpResponse('todo')


@login_not_required
def project_publish(request, *args, **kwargs):
    return HttpResponse('todo')


@login_not_required
def project_close(request, *args, **kwargs):
    return HttpResponse('todo')


@login_not_required
def project_cancel(request, *args, **kwargs):
    return HttpResponse('todo')


@login_not_required
def project_duplicate(request, *args, **kwargs):
    return HttpResponse('todo')


@login_not_required
def review_queue(request, *args, **kwargs):
    return HttpResponse('todo')


@login_not_required
def review_approve(request, *args, **kwargs):
    return HttpResponse('todo')


@login_not_required
def review_return(request, *args, **kwargs):
    return HttpResponse('todo')


