"""The student's own profile: view, edit, skills, résumé download."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import get_text_list
from django.views.decorators.http import require_GET, require_http_methods

from core.web import run_service

from ..forms.profiles import ProfileForm, StudentSkillForm
from ..models import StudentSkill
from ..permissions import student_required
from ..selectors.profiles import (
    profile_missing_items,
    student_profile_get,
    student_resume_get,
    student_skill_list,
)
from ..services.profiles import (
    profile_update,
    student_skill_remove,
    student_skill_set,
    student_skills_add,
)


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


def _skills_page(
    request: HttpRequest, profile, form: StudentSkillForm, *, status: int = 200
) -> HttpResponse:
    context = {
        "profile": profile,
        "skills": student_skill_list(profile=profile),
        "form": form,
        "levels": StudentSkill.Level.choices,
    }
    return render(request, "accounts/profile_skills.html", context, status=status)


@require_http_methods(["GET", "POST"])
@student_required
def profile_skills(request: HttpRequest) -> HttpResponse:
    """List skills, add several at once (the skill picker), re-level or remove one."""
    profile = student_profile_get(user=request.user)
    if request.method == "GET":
        form = StudentSkillForm(initial={"action": StudentSkillForm.ADD}, profile=profile)
        return _skills_page(request, profile, form)

    form = StudentSkillForm(request.POST, profile=profile)
    if not form.is_valid():
        return _skills_page(request, profile, form, status=400)
    action, level = form.cleaned_data["action"], form.cleaned_data["level"]
    if action == StudentSkillForm.ADD:
        skills = list(form.cleaned_data["skills"])
        ok, _ = run_service(
            request, student_skills_add, form=form, profile=profile, skills=skills, level=level
        )
        if not ok:
            return _skills_page(request, profile, form, status=400)
        label = StudentSkill.Level(level).label.lower()
        messages.success(request, f"Added {_names(skills)} at {label}.")
        return redirect("accounts:profile-skills")

    skill = form.cleaned_data["skill"]
    if action == StudentSkillForm.REMOVE:
        ok, _ = run_service(request, student_skill_remove, profile=profile, skill=skill)
        if ok:
            messages.success(request, f"Removed {skill.name}.")
    else:
        ok, item = run_service(
            request, student_skill_set, profile=profile, skill=skill, level=level
        )
        if ok:
            messages.success(request, f"{skill.name}: {item.get_level_display().lower()}.")
    return redirect("accounts:profile-skills")


def _names(skills) -> str:
    return get_text_list([skill.name for skill in skills], "and")


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
