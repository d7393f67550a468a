"""The Database and About settings pages: what they show is gathered here, the views stay thin.

General lives with the accounts (comradarr.accounts.views.settings_view, its
form in comradarr.accounts.forms); which fields the environment locks is
comradarr.settings_sources.
"""
