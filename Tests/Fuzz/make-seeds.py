#!/usr/bin/env python3
"""Writes the fuzz seed corpus (committed): one valid request per method, the
worked example of docs/PROTOCOL.md, the bad inputs of BadInputTests, and server
answers for the client side. Frames are built with Tests/ProtocolClient, the
client written from the protocol document alone.

    Tests/Fuzz/make-seeds.py    # rewrites Tests/Fuzz/corpus/
"""
import os
import struct
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "ProtocolClient"))
import teams_client as tc  # noqa: E402

ID = "9m4e2mr0ui3e8a215n4g"
PLAYER = tc.enc_player("Edwin", tc.POSITION_GK)
TEAM = tc.f_bytes(1, ID) + tc.f_bytes(2, "Ajax") + tc.f_bytes(3, PLAYER) + tc.f_varint(4, 3)

REQUESTS = {
    "CreateTeam": tc.f_bytes(1, "Ajax") + tc.f_bytes(2, "key-1"),
    "GetTeam": tc.f_bytes(1, ID),
    "RenameTeam": tc.f_bytes(1, ID) + tc.f_bytes(2, "AFC Ajax") + tc.f_varint(3, 2),
    "DeleteTeam": tc.f_bytes(1, ID) + tc.f_varint(2, 1),
    "AddPlayer": tc.f_bytes(1, ID) + tc.f_bytes(2, PLAYER) + tc.f_varint(3, 1),
    "RemovePlayer": tc.f_bytes(1, ID) + tc.f_bytes(2, PLAYER),
    "SearchTeams": tc.f_bytes(1, "aj") + tc.f_varint(2, 3) + tc.f_bytes(3, "token"),
    "WatchEvents": tc.f_varint(1, 2),
}
RESPONSES = {  # call ids as ConnectionFuzzing.receive starts them: 1..10 in this order
    1: tc.f_bytes(1, TEAM), 2: tc.f_bytes(1, TEAM), 3: tc.f_bytes(1, TEAM), 4: b"",
    5: tc.f_bytes(1, TEAM), 6: tc.f_bytes(1, TEAM), 7: tc.f_bytes(1, TEAM) + tc.f_bytes(1, TEAM) + tc.f_bytes(2, "next"),
    9: tc.f_varint(1, 1) + tc.f_bytes(2, "memory"),
    10: tc.f_bytes(1, tc.f_bytes(1, tc.SVC + "GetTeam") + tc.f_varint(2, 0)),
}
EVENT = tc.f_varint(1, 5) + tc.f_varint(2, 4) + tc.f_bytes(3, ID) + tc.f_varint(4, 2) + tc.f_bytes(6, PLAYER) + tc.f_varint(7, 1700000000000)


def response(call_id, status=0, message="", payload=b""):
    flags, body = 0, bytes([status])
    if message:
        flags |= 0x08
        raw = message.encode()
        body += struct.pack(">H", len(raw)) + raw
    return tc.encode_frame(2, flags, call_id, body + payload)


def main():
    out = os.path.join(here, "corpus", "connection")
    os.makedirs(out, exist_ok=True)
    seeds = {}
    for index, (method, payload) in enumerate(REQUESTS.items(), start=1):
        seeds[f"request-{method}"] = b"\x00" + tc.encode_request(index, payload, method_ref=index, method_name=tc.SVC + method)
    seeds["request-Check"] = b"\x00" + tc.encode_request(1, b"", method_ref=1, method_name=tc.HEALTH + "Check", deadline_ms=1000, metadata=[("request-id", "r1")])
    seeds["request-ListMethods"] = b"\x00" + tc.encode_request(1, b"", method_name=tc.HEALTH + "ListMethods")
    # docs/PROTOCOL.md's worked example: GetTeam by name, then by its ref alone, and a CANCEL.
    seeds["doc-worked-example"] = b"\x00" + tc.encode_request(7, REQUESTS["GetTeam"], method_ref=1, method_name=tc.SVC + "GetTeam", deadline_ms=1000) \
        + tc.encode_request(8, REQUESTS["GetTeam"], method_ref=1) + tc.encode_frame(4, 0, 8)
    # The bad inputs of BadInputTests and WireMessageTests.
    seeds["bad-unknown-method"] = b"\x00" + tc.encode_request(1, b"", method_name=tc.SVC + "Nope")
    seeds["bad-unbound-ref"] = b"\x00" + tc.encode_request(1, b"", method_ref=9)
    seeds["bad-payload"] = b"\x00" + tc.encode_request(2, b"\x0a\x7f\x01", method_name=tc.SVC + "GetTeam")
    seeds["bad-utf8"] = b"\x00" + tc.encode_request(2, b"\x0a\x03\xff\xfe\x58", method_name=tc.SVC + "GetTeam")
    seeds["bad-short-length"] = b"\x00" + b"\x00\x00\x00\x02\x01\x00"
    seeds["bad-oversized"] = b"\x00" + tc.encode_request(3, b"\x0a" + b"\xff\x3f" + b"x" * 8191, method_name=tc.SVC + "GetTeam")
    seeds["bad-zero-deadline"] = b"\x00" + tc.encode_request(4, b"", method_name=tc.HEALTH + "Check", deadline_ms=0)
    seeds["bad-client-sends-response"] = b"\x00" + tc.encode_frame(2, 0, 1, b"\x00")
    seeds["bad-truncated"] = b"\x00" + tc.encode_request(5, REQUESTS["GetTeam"], method_name=tc.SVC + "GetTeam")[:-3]
    # The server's side of a connection, for the client path.
    answers = b"".join(response(call_id, payload=payload) for call_id, payload in RESPONSES.items())
    seeds["answers-every-method"] = b"\x01" + answers + tc.encode_frame(3, 0, 8, EVENT) + response(8)
    seeds["answers-errors"] = b"\x01" + response(2, 5, "no team") + response(3, 10, "expected version 2") + response(1, 99)
    seeds["answers-goaway"] = b"\x01" + response(1, payload=RESPONSES[1]) + tc.encode_frame(5, 0, 0, b"\x0e\x00\x00\x00\x01\x00\x03bye")
    seeds["answers-pong"] = b"\x01" + tc.encode_frame(7, 0, 1, b"") + response(1, payload=RESPONSES[1])
    seeds["pings"] = b"\x00" + b"".join(tc.encode_frame(6, 0, value, b"") for value in range(1, 6))
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as handle:
            handle.write(data)

    # protoc-c unpack: first byte = index into Tests/Fuzz/generated/all_messages.h.
    with open(os.path.join(here, "generated", "all_messages.h")) as handle:
        names = [line.strip().lstrip("&").rstrip(",") for line in handle if line.strip().startswith("&")]
    samples = {
        "teams__v1__team__descriptor": TEAM, "teams__v1__player__descriptor": PLAYER,
        "teams__v1__team_event__descriptor": EVENT, "teams__v1__get_team_response__descriptor": tc.f_bytes(1, TEAM),
        "teams__rpc__v1__metadata__descriptor": tc.enc_metadata([("request-id", "r1"), ("k", "v")]),
        "teams__v1__search_teams_response__descriptor": RESPONSES[7], "teams__v1__list_methods_response__descriptor": RESPONSES[10],
    }
    unpack = os.path.join(here, "corpus", "unpack")
    os.makedirs(unpack, exist_ok=True)
    for index, name in enumerate(names):
        base = name.replace("__descriptor", "").replace("teams__", "")
        with open(os.path.join(unpack, base), "wb") as handle:
            handle.write(bytes([index]) + samples.get(name, REQUESTS.get("GetTeam")))
    print(f"make-seeds: wrote {len(seeds)} connection seeds and {len(names)} unpack seeds")


if __name__ == "__main__":
    main()
