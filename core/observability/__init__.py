"""What an operator watches: request ids on every log line (and on the tasks a request
queues), Prometheus metrics at /metrics, and Sentry when SENTRY_DSN is set. A Django app
of its own ("core.observability") so that its ready() wires the signals in web and worker
processes alike; like the rest of the kernel it imports no app of this project."""
