"""The project's one exception base class lives here, at the bottom of the import graph."""


class OtonariError(Exception):
    """Base of every error the project raises on purpose."""


class DatabaseSetupError(OtonariError):
    """The database could not be started, reached or migrated."""
