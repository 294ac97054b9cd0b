#!/usr/bin/env python3
"""Checks docs/PROTOCOL.md against a running teams-server.

Usage:  TEAMS_SERVER=127.0.0.1:7199 python3 Tests/ProtocolClient/test_protocol_doc.py
(default server 127.0.0.1:7070). Exits non-zero if any check fails.
"""

import os
import re
import struct
import sys
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import teams_client as tc  # noqa: E402

ADDR = os.environ.get("TEAMS_SERVER", "127.0.0.1:7070")
XID = re.compile(r"^[0-9a-v]{20}$")
MISSING_ID = "00000000000000000000"


def unique(prefix):
    return "%s %s" % (prefix, uuid.uuid4().hex[:10])


class Base(unittest.TestCase):
    def setUp(self):
        self.c = tc.TeamsClient(ADDR)

    def tearDown(self):
        self.c.close()

    def assertStatus(self, resp, code, what=""):
        self.assertEqual(
            resp.status, code,
            "%s: expected %s (%d), got %s (%d) %r" % (
                what, tc.STATUS_NAMES[code], code,
                tc.STATUS_NAMES.get(resp.status, "?"), resp.status, resp.status_message))
        if code != tc.OK:
            self.assertTrue(resp.flags & tc.FLAG_STATUS_MESSAGE and resp.status_message,
                            "%s: non-OK response should carry a status message" % what)
            self.assertEqual(resp.payload, b"", "%s: non-OK response must have empty payload" % what)

    def assertStillWorks(self):
        h = self.c.health_check()
        self.assertEqual(h["status"], tc.SERVING_STATUS_SERVING, "connection unusable afterwards")


class WorkedExample(unittest.TestCase):
    """Offline: our encoder/decoder against the document's byte dumps."""

    REQ = bytes.fromhex(
        "00000040010300000007 0001 1d" + b"/teams.v1.TeamService/GetTeam".hex()
        + "000003e8 0a14" + b"dc3d8ei9o8m3e0g1opfg".hex())
    RESP = bytes.fromhex(
        "0000003f020000000007000a360a14" + b"dc3d8ei9o8m3e0g1opfg".hex()
        + "1204" + b"Ajax".hex() + "1a090a05" + b"Edwin".hex() + "1001"
        + "1a0b0a07" + b"Frenkie".hex() + "1003" + "2003")

    def test_request_bytes(self):
        self.assertEqual(len(self.REQ), 68)
        got = tc.encode_request(7, tc.f_bytes(1, "dc3d8ei9o8m3e0g1opfg"), method_ref=1,
                                method_name="/teams.v1.TeamService/GetTeam", deadline_ms=1000)
        self.assertEqual(got, self.REQ)

    def test_response_bytes(self):
        self.assertEqual(len(self.RESP), 67)
        length, ftype, flags, cid = tc.HEADER.unpack(self.RESP[:10])
        self.assertEqual((length, ftype, flags, cid), (63, 2, 0, 7))
        r = tc.decode_response(tc.Frame(ftype, flags, cid, self.RESP[10:]))
        self.assertEqual(r.status, 0)
        team = tc.dec_team_response(r.payload)
        self.assertEqual(team, {"id": "dc3d8ei9o8m3e0g1opfg", "name": "Ajax", "version": 3,
                                "players": [{"name": "Edwin", "position": 1},
                                            {"name": "Frenkie", "position": 3}]})

    def test_ref_only_request_bytes(self):
        got = tc.encode_request(8, tc.f_bytes(1, "dc3d8ei9o8m3e0g1opfg"), method_ref=1)
        self.assertEqual(got[4:12], bytes.fromhex("0100000000080001"))
        self.assertEqual(len(got) - 22, 12, "12 bytes of framing")
        # NB: PROTOCOL.md prints the length as 36 (0x24); by its own rules it is 30 (0x1e).
        self.assertEqual(struct.unpack(">I", got[:4])[0], 30)

    def test_error_bytes(self):
        msg = b"no team with id 00000000000000000000"
        self.assertEqual(len(msg), 36)
        body = bytes([5]) + struct.pack(">H", 36) + msg
        frame = tc.encode_frame(2, 0x08, 9, body)
        self.assertEqual(frame[:13].hex(), "0000002d0208000000090500" + "24")


class Lifecycle(Base):
    def test_full_lifecycle(self):
        c = self.c
        name = unique("Doc Lifecycle")
        # Create (leading/trailing space is trimmed per "Names ... are trimmed")
        t = c.create_team("  %s  " % name)
        self.assertRegex(t["id"], XID, "team id is an xid")
        self.assertEqual(t["name"], name, "name trimmed")
        self.assertEqual(t["players"], [])
        self.assertEqual(t["version"], 1, "version 1 when created")
        tid = t["id"]

        # AddPlayer
        t = c.add_player(tid, "Edwin", tc.POSITION_GK, expected_version=1)
        self.assertEqual(t["id"], tid)
        self.assertEqual(t["name"], name)
        self.assertEqual(t["players"], [{"name": "Edwin", "position": tc.POSITION_GK}])
        self.assertEqual(t["version"], 2)

        # Duplicate player name ignoring case -> ALREADY_EXISTS
        r = c.call(tc.SVC + "AddPlayer", tc.f_bytes(1, tid)
                   + tc.f_bytes(2, tc.enc_player("EDWIN", tc.POSITION_DEF)))
        self.assertStatus(r, tc.ALREADY_EXISTS, "duplicate player")

        # Rename
        new_name = unique("Doc Renamed")
        t = c.rename_team(tid, new_name, expected_version=2)
        self.assertEqual(t["name"], new_name)
        self.assertEqual(t["version"], 3)
        self.assertEqual(t["players"], [{"name": "Edwin", "position": tc.POSITION_GK}])

        # SearchTeams: case-insensitive substring
        term = new_name.split()[-1].upper()
        teams, token = c.search_teams(term)
        self.assertEqual(len(teams), 1, "search for unique term finds exactly the team")
        self.assertEqual(teams[0], t, "search result equals the team")
        self.assertEqual(token, "", "single page has empty next_page_token")

        # GetTeam
        g = c.get_team(tid)
        self.assertEqual(g, t)

        # RemovePlayer: name matches ignoring case, but wrong position -> NOT_FOUND
        r = c.call(tc.SVC + "RemovePlayer", tc.f_bytes(1, tid)
                   + tc.f_bytes(2, tc.enc_player("edwin", tc.POSITION_ST)))
        self.assertStatus(r, tc.NOT_FOUND, "RemovePlayer with wrong position")
        t = c.remove_player(tid, "edwin", tc.POSITION_GK, expected_version=3)
        self.assertEqual(t["players"], [])
        self.assertEqual(t["version"], 4)
        self.assertEqual(t["name"], new_name)

        # DeleteTeam: OK with empty payload
        payload = c.delete_team(tid, expected_version=4)
        self.assertEqual(payload, b"", "DeleteTeamResponse is empty")
        r = c.call(tc.SVC + "GetTeam", tc.f_bytes(1, tid))
        self.assertStatus(r, tc.NOT_FOUND, "GetTeam after delete")
        teams, _ = c.search_teams(term)
        self.assertEqual(teams, [], "deleted team no longer found")

    def test_search_paging(self):
        tag = uuid.uuid4().hex[:10]
        names = ["pg %s %s" % (tag, x) for x in ("Charlie", "alpha", "Bravo")]
        ids = [self.c.create_team(n)["id"] for n in names]
        seen, token, pages = [], "", 0
        while True:
            teams, token = self.c.search_teams(tag, page_size=2, page_token=token)
            pages += 1
            self.assertLessEqual(len(teams), 2)
            seen += teams
            if not token:
                break
            self.assertLess(pages, 10, "paging does not terminate")
        self.assertEqual([t["name"] for t in seen], sorted(names, key=str.lower),
                         "sorted by lower-cased name")
        self.assertEqual(pages, 2)
        for i in ids:
            self.c.delete_team(i)


class Errors(Base):
    def test_invalid_position(self):
        tid = self.c.create_team(unique("Doc Pos"))["id"]
        for pos in (0, 5, 99):
            r = self.c.call(tc.SVC + "AddPlayer", tc.f_bytes(1, tid)
                            + tc.f_bytes(2, tc.enc_player("Bob", pos), always=True))
            self.assertStatus(r, tc.INVALID_ARGUMENT, "position %d" % pos)
        self.assertEqual(self.c.get_team(tid)["version"], 1, "failed adds changed nothing")
        self.c.delete_team(tid)

    def test_invalid_id_format(self):
        r = self.c.call(tc.SVC + "GetTeam", tc.f_bytes(1, "not-an-xid"))
        self.assertStatus(r, tc.INVALID_ARGUMENT, "malformed id")

    def test_missing_id(self):
        r = self.c.call(tc.SVC + "GetTeam", tc.f_bytes(1, MISSING_ID))
        self.assertStatus(r, tc.NOT_FOUND, "missing team")
        self.assertEqual(r.flags, tc.FLAG_STATUS_MESSAGE, "flags as in the document's error example")
        self.assertEqual(r.status_message, "no team with id " + MISSING_ID)
        for m, p in (("DeleteTeam", tc.f_bytes(1, MISSING_ID)),
                     ("RenameTeam", tc.f_bytes(1, MISSING_ID) + tc.f_bytes(2, "x")),
                     ("AddPlayer", tc.f_bytes(1, MISSING_ID)
                      + tc.f_bytes(2, tc.enc_player("x", 1)))):
            self.assertStatus(self.c.call(tc.SVC + m, p), tc.NOT_FOUND, m + " missing team")

    def test_unknown_method(self):
        r = self.c.call(tc.SVC + "NoSuchMethod", b"")
        self.assertStatus(r, tc.UNIMPLEMENTED, "unknown method name")
        r = self.c.call("/nope.v1.Nope/Nothing", b"")
        self.assertStatus(r, tc.UNIMPLEMENTED, "unknown service")
        self.assertStillWorks()
        # The ref bound by the failed call: not specified by the document; the
        # next call of that name re-sends the name, so we just check it still works.
        self.assertStatus(self.c.call(tc.SVC + "NoSuchMethod", b""), tc.UNIMPLEMENTED, "again")
        self.assertStillWorks()

    def test_undecodable_payload(self):
        for bad in (b"\x0a\x14ab",        # length-delimited field runs past the end
                    b"\xff",              # truncated varint key
                    b"\x0f\x00"):         # wire type 7 (invalid)
            r = self.c.call(tc.SVC + "GetTeam", bad)
            self.assertStatus(r, tc.INVALID_ARGUMENT, "bad payload %r" % bad)
            self.assertStillWorks()

    def test_stale_expected_version(self):
        c = self.c
        tid = c.create_team(unique("Doc Stale"))["id"]
        c.rename_team(tid, unique("Doc Stale2"))  # version 2
        cases = [
            ("RenameTeam", tc.f_bytes(1, tid) + tc.f_bytes(2, "x") + tc.f_varint(3, 1)),
            ("AddPlayer", tc.f_bytes(1, tid) + tc.f_bytes(2, tc.enc_player("p", 1)) + tc.f_varint(3, 1)),
            ("RemovePlayer", tc.f_bytes(1, tid) + tc.f_bytes(2, tc.enc_player("p", 1)) + tc.f_varint(3, 7)),
            ("DeleteTeam", tc.f_bytes(1, tid) + tc.f_varint(2, 1)),
        ]
        for m, p in cases:
            self.assertStatus(c.call(tc.SVC + m, p), tc.ABORTED, m + " stale version")
        self.assertEqual(c.get_team(tid)["version"], 2, "stale writes changed nothing")
        c.delete_team(tid, expected_version=2)

    def test_invalid_names(self):
        for n in ("", "   ", "x" * 101):
            r = self.c.call(tc.SVC + "CreateTeam", tc.f_bytes(1, n))
            self.assertStatus(r, tc.INVALID_ARGUMENT, "team name %r" % n[:10])
        t = self.c.create_team("y" * 100)
        self.assertEqual(len(t["name"]), 100)
        self.c.delete_team(t["id"])


class Pipelining(Base):
    def test_100_pipelined_gets(self):
        c = self.c
        teams = [c.create_team(unique("Doc Pipe %d" % i)) for i in range(5)]
        # Distinct, non-sequential call ids; everything is sent before any read.
        ids = [1000 + 7 * i for i in range(100)]
        expected = {}
        blob = b""
        for n, cid in enumerate(ids):
            if n % 10 == 9:
                want = None  # a NOT_FOUND mixed in
                payload = tc.f_bytes(1, MISSING_ID)
            else:
                want = teams[n % 5]
                payload = tc.f_bytes(1, want["id"])
            expected[cid] = want
            name = tc.SVC + "GetTeam" if n == 0 else None
            blob += tc.encode_request(cid, payload, method_ref=42, method_name=name)
        c.send_raw(blob)
        got = {}
        for _ in range(100):
            f = c.read_frame()
            self.assertEqual(f.type, tc.FRAME_RESPONSE)
            self.assertNotIn(f.call_id, got, "call id %d answered twice" % f.call_id)
            got[f.call_id] = tc.decode_response(f)
        self.assertEqual(set(got), set(ids), "every call answered exactly once")
        for cid, want in expected.items():
            r = got[cid]
            if want is None:
                self.assertStatus(r, tc.NOT_FOUND, "pipelined call %d" % cid)
            else:
                self.assertStatus(r, tc.OK, "pipelined call %d" % cid)
                self.assertEqual(tc.dec_team_response(r.payload), want, "call %d" % cid)
        for t in teams:
            c.delete_team(t["id"])


class MethodRefs(Base):
    def test_client_binding(self):
        c = self.c
        self.assertTrue(c.bind_refs)
        t = c.create_team(unique("Doc Ref"))
        for _ in range(3):
            self.assertEqual(c.get_team(t["id"]), t)
        self.assertIn(tc.SVC + "GetTeam", c.refs)
        c.delete_team(t["id"])

    def test_raw_binding_rules(self):
        c = self.c
        get = tc.SVC + "GetTeam"
        t = c.create_team(unique("Doc RawRef"))
        p = tc.f_bytes(1, t["id"])
        # Unbound ref -> UNIMPLEMENTED, connection survives.
        c.send_raw(tc.encode_request(501, p, method_ref=77))
        self.assertStatus(c.wait(501), tc.UNIMPLEMENTED, "unbound ref")
        # Bind ref 77 with name, then use ref alone (frame: flags 0, 12 bytes framing).
        c.send_raw(tc.encode_request(502, p, method_ref=77, method_name=get))
        self.assertStatus(c.wait(502), tc.OK, "bind call")
        frame = tc.encode_request(503, p, method_ref=77)
        self.assertEqual(frame[5], 0)
        self.assertEqual(len(frame) - len(p), 12)
        c.send_raw(frame)
        r = c.wait(503)
        self.assertStatus(r, tc.OK, "ref-only call")
        self.assertEqual(tc.dec_team_response(r.payload)["id"], t["id"])
        # Name with ref 0 never binds and is always routed by name.
        c.send_raw(tc.encode_request(504, b"", method_ref=0, method_name=tc.HEALTH + "Check"))
        self.assertStatus(c.wait(504), tc.OK, "ref 0 + name")
        # Rebinding ref 77 to Health/Check replaces the binding.
        c.send_raw(tc.encode_request(505, b"", method_ref=77, method_name=tc.HEALTH + "Check"))
        self.assertStatus(c.wait(505), tc.OK, "rebind")
        c.send_raw(tc.encode_request(506, b"", method_ref=77))
        r = c.wait(506)
        self.assertStatus(r, tc.OK, "ref after rebind")
        self.assertEqual(tc.parse_fields(r.payload)[1], [tc.SERVING_STATUS_SERVING])
        # Bindings are per connection.
        with tc.TeamsClient(ADDR) as other:
            other.send_raw(tc.encode_request(1, b"", method_ref=77))
            self.assertStatus(other.wait(1), tc.UNIMPLEMENTED, "ref from another connection")
        c.delete_team(t["id"])


class Metadata(Base):
    def test_request_id_echo(self):
        rid = "req-" + uuid.uuid4().hex
        r = self.c.call(tc.HEALTH + "Check", b"", metadata=[("request-id", rid)])
        self.assertStatus(r, tc.OK, "Check with metadata")
        self.assertTrue(r.flags & tc.FLAG_METADATA, "response has METADATA flag")
        self.assertIn(("request-id", rid), r.metadata)
        self.assertEqual(tc.parse_fields(r.payload)[1], [tc.SERVING_STATUS_SERVING])

    def test_request_id_echo_on_error(self):
        # Error responses carry both STATUS_MESSAGE and METADATA; this pins their order.
        rid = "req-" + uuid.uuid4().hex
        r = self.c.call(tc.SVC + "GetTeam", tc.f_bytes(1, MISSING_ID),
                        metadata=[("request-id", rid)])
        self.assertEqual(r.flags, tc.FLAG_STATUS_MESSAGE | tc.FLAG_METADATA)
        self.assertStatus(r, tc.NOT_FOUND, "error with metadata")
        self.assertEqual(r.status_message, "no team with id " + MISSING_ID)
        self.assertIn(("request-id", rid), r.metadata)

    def test_no_metadata_no_flag(self):
        r = self.c.call(tc.HEALTH + "Check", b"")
        self.assertEqual(r.flags & tc.FLAG_METADATA, 0)


class Health(Base):
    def test_check(self):
        h = self.c.health_check()
        self.assertEqual(h["status"], tc.SERVING_STATUS_SERVING)
        self.assertTrue(h["store"], "store is reported")

    def test_list_methods(self):
        listed = {m["name"]: m["server_streaming"] for m in self.c.list_methods()}
        documented = {tc.SVC + n: False for n in ("CreateTeam", "GetTeam", "RenameTeam", "DeleteTeam",
                                                  "AddPlayer", "RemovePlayer", "SearchTeams")}
        documented[tc.SVC + "WatchEvents"] = True
        documented[tc.HEALTH + "Check"] = False
        documented[tc.HEALTH + "ListMethods"] = False
        self.assertEqual(set(listed) - set(documented), set(), "only documented methods are listed")
        for name, streaming in listed.items():
            self.assertEqual(streaming, documented[name], "%s server_streaming" % name)
        unary = {n for n, s in documented.items() if not s}
        self.assertEqual(unary - set(listed), set(), "every unary method is listed")
        # "ListMethods returns the methods the server implements": an unlisted
        # method must answer UNIMPLEMENTED, a listed one must not.
        for name in documented:
            r = self.c.call(name, b"", deadline_ms=500)
            if name not in listed:
                sys.stderr.write("\nNOTE: %s is documented but not implemented by this server\n" % name)
                self.assertStatus(r, tc.UNIMPLEMENTED, "unlisted " + name)
            else:
                self.assertNotEqual(r.status, tc.UNIMPLEMENTED, "listed %s is implemented" % name)


class BadInput(Base):
    def test_client_may_not_send_response_frame(self):
        for ftype in (tc.FRAME_RESPONSE, tc.FRAME_STREAM_MESSAGE, tc.FRAME_GOAWAY, 9):
            self.c.send_raw(tc.encode_frame(ftype, 0, 300 + ftype, b"\x00"))
            self.assertStatus(self.c.wait(300 + ftype), tc.INVALID_ARGUMENT, "frame type %d" % ftype)
        self.assertStillWorks()

    def test_optional_fields_past_frame(self):
        self.c.send_raw(tc.encode_frame(tc.FRAME_REQUEST, tc.FLAG_METHOD_NAME, 310, b"\x00\x00\x50abc"))
        self.assertStatus(self.c.wait(310), tc.INVALID_ARGUMENT, "method name past frame end")
        self.assertStillWorks()

    def test_oversized_frame(self):
        big = 4 * 1024 * 1024 + 1
        self.c.send_raw(struct.pack(">IBBI", 6 + big, tc.FRAME_REQUEST, 0, 320))
        self.c.send_raw(b"\x00" * big)
        self.assertStatus(self.c.wait(320), tc.RESOURCE_EXHAUSTED, "oversized frame")
        self.assertStillWorks()

    def test_short_length_goaway(self):
        self.c.send_raw(struct.pack(">IBBI", 3, tc.FRAME_REQUEST, 0, 330))
        f = self.c.read_frame()
        self.assertEqual((f.type, f.flags, f.call_id), (tc.FRAME_GOAWAY, 0, 0))
        self.assertEqual(f.body[0], tc.INVALID_ARGUMENT)
        (n,) = struct.unpack(">H", f.body[1:3])
        self.assertEqual(len(f.body), 3 + n)
        with self.assertRaises(ConnectionError):
            self.c.read_frame()

    def test_idempotent_create(self):
        key = uuid.uuid4().hex
        a = self.c.create_team(unique("Doc Idem"), idempotency_key=key)
        b = self.c.create_team(unique("Doc Idem other"), idempotency_key=key)
        self.assertEqual(a, b, "retry with the same key returns the first team")
        self.c.delete_team(a["id"])


def main():
    print("teams-server at %s" % ADDR)
    try:
        tc.TeamsClient(ADDR).close()
    except OSError as e:
        print("FAIL: cannot connect to %s: %s (set TEAMS_SERVER=HOST:PORT)" % (ADDR, e))
        return 2
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    if not result.wasSuccessful():
        print("FAIL: %d failures, %d errors" % (len(result.failures), len(result.errors)))
        return 1
    print("OK: all protocol checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
