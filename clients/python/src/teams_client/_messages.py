"""The methods of teams.v1.TeamService and teams.v1.Health, and the protobuf
encoding of their requests and responses (hand-written: no protobuf runtime).

Decoders raise :class:`~teams_client._protobuf.DecodeError` for bytes that are
not the expected message, including a response that lacks its team.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ._protobuf import DecodeError, Fields, message_field, string_field, uint_field
from .models import Event, EventKind, HealthStatus, MethodInfo, Player, Position, SearchPage, Team


@dataclass(frozen=True)
class Method:
    """A method's full name, and whether running it twice is harmless
    (``idempotency_level = NO_SIDE_EFFECTS`` in the .proto files)."""

    path: str
    idempotent: bool


_TEAMS = "/teams.v1.TeamService/"
_HEALTH = "/teams.v1.Health/"
CREATE_TEAM = Method(_TEAMS + "CreateTeam", idempotent=False)
GET_TEAM = Method(_TEAMS + "GetTeam", idempotent=True)
RENAME_TEAM = Method(_TEAMS + "RenameTeam", idempotent=False)
DELETE_TEAM = Method(_TEAMS + "DeleteTeam", idempotent=False)
ADD_PLAYER = Method(_TEAMS + "AddPlayer", idempotent=False)
REMOVE_PLAYER = Method(_TEAMS + "RemovePlayer", idempotent=False)
SEARCH_TEAMS = Method(_TEAMS + "SearchTeams", idempotent=True)
WATCH_EVENTS = Method(_TEAMS + "WatchEvents", idempotent=True)
CHECK = Method(_HEALTH + "Check", idempotent=True)
LIST_METHODS = Method(_HEALTH + "ListMethods", idempotent=True)

_SERVING = 1


def _enum(kind: type[enum.IntEnum], value: int) -> enum.IntEnum | int:
    try:
        return kind(value)
    except ValueError:
        return value


# Requests


def create_team_request(name: str, idempotency_key: str) -> bytes:
    return string_field(1, name) + string_field(2, idempotency_key)


def get_team_request(team_id: str) -> bytes:
    return string_field(1, team_id)


def rename_team_request(team_id: str, name: str, expected_version: int) -> bytes:
    return string_field(1, team_id) + string_field(2, name) + uint_field(3, expected_version)


def delete_team_request(team_id: str, expected_version: int) -> bytes:
    return string_field(1, team_id) + uint_field(2, expected_version)


def player_change_request(team_id: str, name: str, position: int, expected_version: int) -> bytes:
    """AddPlayerRequest and RemovePlayerRequest, which share their layout."""
    player = string_field(1, name) + uint_field(2, int(position))
    return string_field(1, team_id) + message_field(2, player) + uint_field(3, expected_version)


def search_teams_request(term: str, page_size: int, page_token: str) -> bytes:
    return string_field(1, term) + uint_field(2, page_size) + string_field(3, page_token)


def watch_events_request(from_sequence: int) -> bytes:
    return uint_field(1, from_sequence)


# Responses


def _player(fields: Fields) -> Player:
    return Player(name=fields.string(1), position=_enum(Position, fields.uint(2)))


def _team(fields: Fields) -> Team:
    return Team(
        id=fields.string(1),
        name=fields.string(2),
        players=tuple(_player(p) for p in fields.messages(3)),
        version=fields.uint(4),
    )


def team_response(payload: bytes) -> Team:
    """Create/Get/Rename/AddPlayer/RemovePlayer responses: ``{Team team = 1}``, the team required."""
    team = Fields(payload).message(1)
    if team is None:
        raise DecodeError("the response holds no team")
    return _team(team)


def empty_response(payload: bytes) -> None:
    """DeleteTeamResponse: no fields, but it must still decode."""
    Fields(payload)


def search_teams_response(payload: bytes) -> SearchPage:
    fields = Fields(payload)
    return SearchPage(teams=tuple(_team(t) for t in fields.messages(1)), next_page_token=fields.string(2))


def team_event(payload: bytes) -> Event:
    fields = Fields(payload)
    player = fields.message(6)
    return Event(
        sequence=fields.uint(1),
        kind=_enum(EventKind, fields.uint(2)),
        team_id=fields.string(3),
        version=fields.uint(4),
        team_name=fields.string(5),
        player=None if player is None else _player(player),
        occurred_at_ms=fields.int64(7),
    )


def check_response(payload: bytes) -> HealthStatus:
    fields = Fields(payload)
    return HealthStatus(serving=fields.uint(1) == _SERVING, store=fields.string(2))


def list_methods_response(payload: bytes) -> list[MethodInfo]:
    return [MethodInfo(name=m.string(1), server_streaming=bool(m.uint(2))) for m in Fields(payload).messages(1)]
