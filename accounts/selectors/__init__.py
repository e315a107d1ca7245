"""Every read in accounts/, scoped to what the asking user may see."""
