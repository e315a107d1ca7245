"""Signals projects sends for the layers above it, which projects cannot import. A
receiver only queues work: the logic lives in the receiving app's services."""

from django.dispatch import Signal

#: Sent by the posting services, inside their transaction, when a project goes live
#: (published by a verified organization, or approved by staff). Argument:
#: ``project_id``. matching tells the organization's followers after commit; a receiver
#: must not do slow work inside the transaction.
project_published = Signal()
