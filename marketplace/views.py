from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@login_not_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dashboard")
    return render(request, "marketplace/home.html")


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """Where a logged-in person lands: the home page of their role."""
    user = request.user
    if user.is_platform_staff:
        return redirect("projects:review-queue")
    if user.is_employer:
        if not hasattr(user, "membership"):
            return redirect("accounts:organization-create")
        return redirect("employer-projects")
    if user.is_career_office:
        return redirect("dashboards:career")
    return redirect("projects:student-home")


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """503 when the database is unreachable (nothing works without it); "degraded", still
    200, when Redis is: the site serves without its cache and queues work again once
    the broker is back, so a load balancer should keep sending traffic."""
    checks: dict[str, str] = {}
    status = "ok"
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 — any failure means unhealthy
        checks["database"] = f"error: {exc.__class__.__name__}"
        status = "error"
    if settings.REDIS_URL:
        try:
            import redis

            redis.Redis.from_url(
                settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
            ).ping()
            checks["redis"] = "ok"
        except Exception as exc:  # noqa: BLE001
            checks["redis"] = f"error: {exc.__class__.__name__}"
            status = "degraded" if status == "ok" else status
    return JsonResponse(
        {"status": status, "checks": checks}, status=503 if status == "error" else 200
    )


@login_not_required
@require_GET
def floor(request: HttpRequest) -> HttpResponse:
    """A trivial page through the full middleware stack: the benchmark's baseline."""
    return HttpResponse("ok", content_type="text/plain")


@login_not_required
@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    """What search engines may crawl: everything but the admin (a private page shows a
    crawler the sign-in page)."""
    return render(request, "marketplace/robots.txt", content_type="text/plain")
