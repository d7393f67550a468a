"""Django admin registrations."""
