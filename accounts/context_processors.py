from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict:
    """What the navigation needs on every page: the unread badge and the role's links.
    The badge is one indexed COUNT, only for logged-in users."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    from .selectors.notifications import notification_unread_count

    return {"unread_notifications": notification_unread_count(user=user)}
