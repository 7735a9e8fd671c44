"""Helpers of the browser tests (tests/test_app_browser.py)."""
