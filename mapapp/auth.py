"""Who a signed-in user is to the app: the role a deployment's [roles] config gives them.

The app signs users in with Streamlit's OpenID Connect login (`[auth]` in secrets.toml); this
module turns the identity's claims into a roles.Person. A config, beside `[auth]`:

    [roles]
    admin = ["alice@example.org"]
    editor = ["erin@example.org", "group:analysts"]   # "group:" entries match the groups claim
    viewer = []
    default = "viewer"   # anyone else who signs in; leave it out to refuse them

A user listed for several roles (by address, subject or group) gets the highest.
"""

from dataclasses import dataclass

from mapapp.errors import ConfigError
from mapapp.roles import ROLES, Person

GROUP = "group:"


@dataclass(frozen=True)
class RoleMap:
    users: dict  # casefolded email or subject -> role
    groups: dict  # group name -> role
    default: str | None  # the role of anyone else who signs in, or None: refused

    @classmethod
    def from_config(cls, section):
        """A RoleMap from the [roles] section (a mapping); ConfigError naming a wrong entry."""
        section = dict(section or {})
        unknown = set(section) - {*ROLES, "default"}
        if unknown:
            raise ConfigError(
                f"[roles]: expected the keys {', '.join(ROLES)} and default, got {sorted(unknown)[0]!r}"
            )
        default = section.get("default")
        if default is not None and default not in ROLES:
            raise ConfigError(f"[roles] default: expected one of {', '.join(ROLES)}, got {default!r}")
        users, groups = {}, {}
        for role in ROLES:  # in rising order: a later (higher) role wins
            entries = section.get(role, [])
            if isinstance(entries, str) or not all(isinstance(entry, str) and entry.strip() for entry in entries):
                raise ConfigError(f"[roles] {role}: expected a list of addresses or 'group:NAME', got {entries!r}")
            for entry in entries:
                if entry.startswith(GROUP):
                    groups[entry[len(GROUP):].strip()] = role
                else:
                    users[entry.strip().casefold()] = role
        return cls(users, groups, default)

    def role_for(self, claims):
        """The highest role the claims (email, sub, preferred_username, groups) are given, or
        the default, or None."""
        found = []
        for name in ("email", "sub", "preferred_username"):
            value = claims.get(name)
            if isinstance(value, str) and value.casefold() in self.users:
                found.append(self.users[value.casefold()])
        groups = claims.get("groups") or []
        if isinstance(groups, str):
            groups = [groups]
        found += [self.groups[group] for group in groups if group in self.groups]
        if not found:
            return self.default
        return max(found, key=ROLES.index)

    def person(self, claims):
        """The signed-in Person (named by email, else name, else subject), or None if refused."""
        role = self.role_for(claims)
        if role is None:
            return None
        name = claims.get("email") or claims.get("name") or claims.get("sub") or "signed-in user"
        return Person(str(name), role)


LOCAL_ADDRESSES = ("localhost", "127.0.0.1", "::1")


def is_local_address(address):
    """True for an address that only this machine can reach."""
    return (address or "").strip("[]") in LOCAL_ADDRESSES
