"""The exceptions of mapapp: one root, each mixed with the built-in it resembles."""


class MapAppError(Exception):
    """Root of every error mapapp raises on purpose."""


class DataFileError(MapAppError, OSError):
    """A bundled data file is missing or unreadable; the message names the file."""


class InvalidIncident(MapAppError, ValueError):
    """An incident field holds a value the data contract does not allow."""

    def __init__(self, field, value, expected):
        self.field = field
        self.value = value
        self.expected = expected
        super().__init__(f"{field}: expected {expected}, got {value!r}")


class InvalidRow(InvalidIncident):
    """A row of an imported file could not become an incident."""

    def __init__(self, row_number, field, value, expected):
        self.row_number = row_number
        super().__init__(field, value, expected)
        self.args = (f"row {row_number}: {self.args[0]}",)


class UnusableFile(MapAppError, ValueError):
    """An uploaded file cannot be read at all: nothing of it is stored."""


class UnknownGeocoder(MapAppError, ValueError):
    """A geocoder name that is not one of the known services."""


class StoreChanged(MapAppError, RuntimeError):
    """The store changed under work that relied on an earlier read of it (an upload checked
    before its commit, a download of rows read by rowid): nothing was committed or given out."""


class StoreError(MapAppError, OSError):
    """The store cannot be opened, read or written (a folder, a corrupt or read-only file, a
    full disk...). Nothing was written. `problem` says what, without the store's path, for
    pages shown to people who should not see the server's file layout."""

    def __init__(self, path, problem):
        self.path = path
        self.problem = problem
        super().__init__(f"the store {str(path)!r} {problem}")

    @property
    def public(self):
        """The message without the path."""
        return f"the incident store {self.problem}"


class ConfigError(MapAppError, ValueError):
    """An environment variable holds a value the app cannot use; the message names it."""
