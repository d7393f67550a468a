"""HTTP mechanics and domain values shared by every *arr app package."""
