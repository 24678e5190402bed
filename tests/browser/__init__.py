"""Browser tests: Debian's Chromium driven by Playwright against the real app on a real PostgreSQL."""
