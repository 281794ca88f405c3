"""Telegram bot for provincial officials: what the indexed CCHC plans assign to their agency.

Entry points live in :mod:`bots.telegram.bot` (``build_application``, ``run_bot``); nothing here
loads configuration or models at import time.
"""
