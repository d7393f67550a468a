"""Login, logout, lockout and authentication modes."""
