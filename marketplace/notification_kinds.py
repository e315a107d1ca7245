"""The notification kinds the marketplace layer sends (a student's data archive).
accounts keeps the registry and delivers; MarketplaceConfig.ready() imports this module
to fill it."""

from accounts.notification_kinds import STUDENT, Delivery, notification_kind, register

register(
    "Your data",
    notification_kind(
        "data_export_ready", "Your data archive is ready to download", Delivery.EMAIL, STUDENT
    ),
    position=65,
)
