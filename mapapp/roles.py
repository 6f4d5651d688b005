"""Who may do what: the roles viewer, editor and admin, and the person a write is done for.

The store checks the right of every write itself (Writer), so that a request that bypasses the
page's controls is refused all the same. Without sign-in the app and the command line act as
LOCAL, one local user with every right.
"""

from dataclasses import dataclass

from mapapp.errors import MapAppError

ROLES = ("viewer", "editor", "admin")

# What each role may do besides reading, filtering and exporting.
RIGHTS = {
    "viewer": frozenset(),
    "editor": frozenset({"add", "correct"}),
    "admin": frozenset({"add", "correct", "remove", "audit"}),
}

# What each right is, in a refusal's words.
_ACTIONS = {
    "add": "add reports or uploads",
    "correct": "correct incidents",
    "remove": "remove uploads",
    "audit": "read the audit log",
}


class NotAllowed(MapAppError, PermissionError):
    """The person's role does not give the right to this write; nothing was written."""


@dataclass(frozen=True)
class Person:
    """Who acts: a name as shown in the history and audit log, and a role."""

    name: str
    role: str

    def __post_init__(self):
        if self.role not in ROLES:
            raise ValueError(f"role: expected one of {', '.join(ROLES)}, got {self.role!r}")
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError(f"name: expected a non-empty name, got {self.name!r}")

    def may(self, right):
        return right in RIGHTS[self.role]

    def require(self, right):
        """Raise NotAllowed unless the role gives `right`."""
        if not self.may(right):
            raise NotAllowed(f"{self.name!r} is a {self.role} and may not {_ACTIONS[right]}")


LOCAL = Person("local user", "admin")
# The store itself: its schema and seeds.
SYSTEM = Person("mapapp", "admin")
