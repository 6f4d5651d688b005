"""Roles from the sign-in config: by address, subject or group; the highest wins; bad config named."""

import pytest

from mapapp.auth import RoleMap, is_local_address
from mapapp.errors import ConfigError
from mapapp.roles import LOCAL, Person

CONFIG = {
    "admin": ["Alice@Example.org"],
    "editor": ["erin@example.org", "group:analysts"],
    "viewer": ["group:observers"],
    "default": "viewer",
}


@pytest.mark.parametrize(("claims", "expected"), [
    ({"email": "alice@example.org", "sub": "a1"}, Person("alice@example.org", "admin")),
    ({"email": "erin@example.org"}, Person("erin@example.org", "editor")),
    ({"sub": "x9", "name": "Xavier", "groups": ["observers", "analysts"]}, Person("Xavier", "editor")),
    ({"email": "alice@example.org", "groups": ["observers"]}, Person("alice@example.org", "admin")),
    ({"email": "someone@else.org"}, Person("someone@else.org", "viewer")),
])
def test_the_highest_role_a_user_is_given(claims, expected):
    assert RoleMap.from_config(CONFIG).person(claims) == expected


def test_without_a_default_an_unlisted_user_is_refused():
    roles = RoleMap.from_config({"editor": ["erin@example.org"]})
    assert roles.person({"email": "someone@else.org"}) is None
    assert roles.person({"email": "ERIN@example.org"}) == Person("ERIN@example.org", "editor")


@pytest.mark.parametrize(("config", "message"), [
    ({"editors": []}, "[roles]: expected the keys viewer, editor, admin and default, got 'editors'"),
    ({"default": "boss"}, "[roles] default: expected one of viewer, editor, admin, got 'boss'"),
    ({"admin": "alice@example.org"}, "[roles] admin: expected a list of addresses or 'group:NAME', got 'alice"),
])
def test_a_wrong_config_is_named(config, message):
    with pytest.raises(ConfigError) as caught:
        RoleMap.from_config(config)
    assert str(caught.value).startswith(message)


def test_rights_of_each_role():
    assert [Person("v", "viewer").may(right) for right in ("add", "correct", "remove", "audit")] == [False] * 4
    assert [Person("e", "editor").may(right) for right in ("add", "correct", "remove", "audit")] == [
        True, True, False, False]
    assert all(LOCAL.may(right) for right in ("add", "correct", "remove", "audit"))
    with pytest.raises(ValueError, match="role: expected one of viewer, editor, admin, got 'owner'"):
        Person("o", "owner")


@pytest.mark.parametrize(("address", "local"), [
    ("localhost", True), ("127.0.0.1", True), ("::1", True), ("[::1]", True), ("0.0.0.0", False), ("", False),
])
def test_only_this_machine_is_local(address, local):
    assert is_local_address(address) is local
