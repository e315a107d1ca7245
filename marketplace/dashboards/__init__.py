"""Career-office, employer and site dashboards: scoped reads and the tables they show."""
