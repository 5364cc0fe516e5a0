"""Staff accounts, roles and the areas a person may reach."""
