"""Forms of the matching app, one module per concern. They validate input only."""
