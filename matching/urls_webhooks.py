"""The webhook pages, in the organization's settings (/me/organization/webhooks/). Named
at the site level, like the organization's export, so the organization page in
accounts can link to them."""

from django.urls import path

from .views import webhooks

urlpatterns = [
    path("", webhooks.webhook_list, name="organization-webhooks"),
    path("new/", webhooks.webhook_create, name="organization-webhook-create"),
    path("<int:pk>/", webhooks.webhook_detail, name="organization-webhook-detail"),
    path("<int:pk>/edit/", webhooks.webhook_edit, name="organization-webhook-edit"),
    path("<int:pk>/delete/", webhooks.webhook_delete, name="organization-webhook-delete"),
    path("<int:pk>/secret/", webhooks.webhook_rotate_secret, name="organization-webhook-rotate"),
    path("<int:pk>/active/", webhooks.webhook_set_active, name="organization-webhook-active"),
    path(
        "deliveries/<int:pk>/resend/",
        webhooks.webhook_delivery_resend,
        name="organization-webhook-resend",
    ),
]
