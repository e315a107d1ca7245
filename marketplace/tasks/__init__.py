"""Background work of the marketplace, one module per concern. Celery's autodiscovery
imports this package, so importing every module here registers every task. Each task
names itself (``name=``) with the name it had before these modules became a package:
the beat schedule and messages already queued refer to tasks by name.
"""

from .nudges import remind_inactive_engagements
from .privacy import build_data_export, sweep_data_exports
from .statistics import compute_statistics, refresh_dirty_placement_units

__all__ = [
    "build_data_export",
    "compute_statistics",
    "refresh_dirty_placement_units",
    "remind_inactive_engagements",
    "sweep_data_exports",
]
