"""Input validation only; writes happen in services. One module per concern."""

from .signup import SignupForm

__all__ = ["SignupForm"]
