"""The student's own profile: view, edit, skills, résumé download, skill search."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from core.web import run_service

from ..forms.profiles import ProfileForm, StudentSkillForm
from ..models import StudentSkill
from ..permissions import student_required
from ..selectors.profiles import (
    profile_missing_items,
    skills_grouped,
    student_profile_get,
    student_resume_get,
    student_skill_list,
)
from ..selectors.profiles import skill_search as skill_search_query
from ..services.profiles import profile_update, student_skill_remove, student_skill_set


@require_GET
@student_required
def profile_detail(request: HttpRequest) -> HttpResponse:
    profile = student_profile_get(user=request.user)
    return render(
        request,
        "accounts/profile_detail.html",
        {
            "profile": profile,
            "skills": student_skill_list(profile=profile),
            "missing": profile_missing_items(profile=profile),
        },
    )


@require_http_methods(["GET", "POST"])
@student_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    profile = student_profile_get(user=request.user)
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES, instance=profile, user=request.user)
        if form.is_valid():
            profile_update(
                profile=profile,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                institution=form.cleaned_data["institution"],
                changes=form.profile_changes(),
                resume=form.cleaned_data.get("resume"),
                remove_resume=form.cleaned_data.get("remove_resume", False),
            )
            messages.success(request, "Your profile is saved.")
            return redirect("accounts:profile")
        status = 400
    else:
        form = ProfileForm(instance=profile, user=request.user)
        status = 200
    return render(
        request, "accounts/profile_edit.html", {"form": form, "profile": profile}, status=status
    )


def _skills_context(profile, *, query: str = "", form: StudentSkillForm | None = None) -> dict:
    options = skill_search_query(query=query, exclude_profile=profile)
    return {
        "profile": profile,
        "skills": student_skill_list(profile=profile),
        "skill_groups": skills_grouped(options),
        "query": query,
        "form": form or StudentSkillForm(initial={"action": StudentSkillForm.ADD}),
        "levels": StudentSkill.Level.choices,
    }


@require_http_methods(["GET", "POST"])
@student_required
def profile_skills(request: HttpRequest) -> HttpResponse:
    """List, add, re-level and remove skills. GET ?q= narrows the picker without JS."""
    profile = student_profile_get(user=request.user)
    if request.method == "GET":
        query = request.GET.get("q", "")[:80]
        return render(
            request, "accounts/profile_skills.html", _skills_context(profile, query=query)
        )

    form = StudentSkillForm(request.POST)
    if form.is_valid():
        skill, action = form.cleaned_data["skill"], form.cleaned_data["action"]
        if action == StudentSkillForm.REMOVE:
            ok, _ = run_service(request, student_skill_remove, profile=profile, skill=skill)
            if ok:
                messages.success(request, f"Removed {skill.name}.")
        else:
            ok, item = run_service(
                request,
                student_skill_set,
                profile=profile,
                skill=skill,
                level=form.cleaned_data["level"],
            )
            if ok:
                messages.success(request, f"{skill.name}: {item.get_level_display().lower()}.")
        return redirect("accounts:profile-skills")
    return render(
        request, "accounts/profile_skills.html", _skills_context(profile, form=form), status=400
    )


@require_GET
@student_required
def skill_search(request: HttpRequest) -> HttpResponse:
    """The skill picker alone, narrowed by ?q=, for htmx. A plain visit gets the page."""
    query = request.GET.get("q", "")[:80]
    if not request.htmx:
        url = reverse("accounts:profile-skills")
        return redirect(f"{url}?q={query}" if query else url)
    profile = student_profile_get(user=request.user)
    return render(
        request, "accounts/profile_skills.html#skill-picker", _skills_context(profile, query=query)
    )


@require_GET
@student_required
def resume_download(request: HttpRequest) -> HttpResponse:
    """The student's own résumé, as an attachment. Only the owner reaches it here:
    the lookup is by the asking user, so there is no id to guess."""
    profile = student_resume_get(user=request.user)
    try:
        handle = profile.resume.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The résumé file is missing.") from exc
    name = f"resume-{request.user.last_name or request.user.pk}.pdf".replace(" ", "-").lower()
    response = FileResponse(handle, as_attachment=True, filename=name)
    response["Content-Type"] = "application/pdf"
    response["Cache-Control"] = "private, no-store"
    return response
