"""Every write in accounts/. One module per concern; import from the module."""
