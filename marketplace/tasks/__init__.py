"""Background work of the marketplace, one module per concern. Celery's autodiscovery
imports this package, so importing every module here registers every task. Each task
names itself (``name=``) with the name it had before these modules became a package:
the beat schedule and messages already queued refer to tasks by name.
"""

from .nudges import remind_inactive_engagements
from .statistics import compute_statistics

__all__ = ["compute_statistics", "remind_inactive_engagements"]
