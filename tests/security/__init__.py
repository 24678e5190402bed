"""Security regression suite: what each role may read, checked through real clients (see SECURITY.md)."""
