#!/usr/bin/env python3
"""Checks docs/PROTOCOL.md against a running teams-server.

Usage:  TEAMS_SERVER=127.0.0.1:7199 python3 Tests/ProtocolClient/test_protocol_doc.py
(default server 127.0.0.1:7070). Exits non-zero if any check fails.

With TEAMS_SERVER_BINARY=PATH/TO/teams-server (run.sh sets it), the checks of
limits and shutdown also run: each starts its own server with the flags it
needs (--store memory, a free port). Without it they are skipped.
"""

import os
import hashlib
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import teams_client as tc  # noqa: E402

ADDR = os.environ.get("TEAMS_SERVER", "127.0.0.1:7070")
SERVER_BINARY = os.environ.get("TEAMS_SERVER_BINARY") or None
if SERVER_BINARY and os.sep in SERVER_BINARY:
    SERVER_BINARY = os.path.abspath(SERVER_BINARY)
NEEDS_BINARY = unittest.skipUnless(SERVER_BINARY, "set TEAMS_SERVER_BINARY to start servers with other flags")
XID = re.compile(r"^[0-9a-v]{20}$")
MISSING_ID = "00000000000000000000"


def unique(prefix):
    return "%s %s" % (prefix, uuid.uuid4().hex[:10])


class StatusAsserts(object):
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


def free_port():
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


class ServerProcess(object):
    """A teams-server of our own: memory store, a free port, extra flags."""

    def __init__(self, *flags):
        self.port = free_port()
        self.address = "127.0.0.1:%d" % self.port
        self.flags = flags
        self._log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [SERVER_BINARY, "--store", "memory", "--host", "127.0.0.1", "--port", str(self.port),
             "--log-level", "warning"] + list(flags),
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("teams-server %s exited with %d:\n%s" % (
                    " ".join(flags), self.proc.returncode, self.log()))
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("teams-server %s did not listen on %s within 20 s:\n%s" % (
                        " ".join(flags), self.address, self.log()))
                time.sleep(0.05)

    def log(self):
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace")

    def wait_exit(self, timeout):
        """The exit code, or None if still running after timeout seconds."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            if self.wait_exit(10) is None:
                self.proc.kill()
                self.proc.wait(5)
        self._log.close()

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.stop()


class OwnServer(StatusAsserts, unittest.TestCase):
    """Tests against a server of their own, started once for the class with FLAGS."""

    FLAGS = ()

    @classmethod
    def setUpClass(cls):
        cls.server = ServerProcess(*cls.FLAGS)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def connect(self, timeout=5.0):
        c = tc.TeamsClient(self.server.address, timeout=timeout)
        self.addCleanup(c.close)
        return c

    def read_until_closed(self, c, limit=20):
        """Every frame until the server closes the connection (bounded by c's socket timeout)."""
        frames = []
        while len(frames) < limit:
            try:
                frames.append(c.read_frame())
            except (ConnectionError, OSError) as e:
                if isinstance(e, socket.timeout):
                    self.fail("connection still open; frames so far: %r" % [
                        (f.type, f.call_id) for f in frames])
                return frames
        self.fail("more than %d frames before the close" % limit)

    def assertGoAway(self, frame, status, last_call_id, message=None):
        self.assertEqual((frame.type, frame.flags, frame.call_id), (tc.FRAME_GOAWAY, 0, 0),
                         "a GOAWAY frame: type 5, flags 0, call id 0")
        g = tc.decode_goaway(frame)
        self.assertEqual(g.status, status, "GOAWAY status: %s" % g)
        self.assertEqual(g.last_call_id, last_call_id, "GOAWAY last call id: %s" % g)
        self.assertEqual(len(frame.body), 7 + len(g.message.encode("utf-8")), "GOAWAY body length")
        if message is not None:
            self.assertEqual(g.message, message)
        return g


class Base(StatusAsserts, unittest.TestCase):
    def setUp(self):
        self.c = tc.TeamsClient(ADDR)

    def tearDown(self):
        self.c.close()

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

    def test_goaway_bytes(self):
        msg = b"the server is shutting down"
        self.assertEqual(len(msg), 27)
        frame = bytes.fromhex("00000028 05 00 00000000 0e 00000008 001b") + msg
        self.assertEqual(len(frame), 44)
        length, ftype, flags, cid = tc.HEADER.unpack(frame[:10])
        self.assertEqual((length, ftype, flags, cid), (40, tc.FRAME_GOAWAY, 0, 0))
        g = tc.decode_goaway(tc.Frame(ftype, flags, cid, frame[10:]))
        self.assertEqual((g.status, g.last_call_id, g.message),
                         (tc.UNAVAILABLE, 8, msg.decode()))
        self.assertTrue(g.was_not_run(9))
        self.assertFalse(g.was_not_run(8))
        with self.assertRaises(tc.ProtocolError):
            tc.decode_goaway(tc.Frame(ftype, flags, cid, frame[10:16]))

    def test_ping_bytes(self):
        self.assertEqual(tc.encode_ping(0xDEADBEEF), bytes.fromhex("00000006 06 00 deadbeef"))

    def test_auth_bytes(self):
        frame = bytes.fromhex("0000000e 08 00 00000000 01 0005") + b"hello"
        self.assertEqual(len(frame), 18)
        self.assertEqual(tc.encode_auth("hello"), frame)
        length, ftype, flags, cid = tc.HEADER.unpack(frame[:10])
        self.assertEqual((length, ftype, flags, cid), (14, tc.FRAME_AUTH, 0, 0))
        with self.assertRaises(ValueError):
            tc.encode_auth(b"")
        with self.assertRaises(ValueError):
            tc.encode_auth(b"x" * 1025)

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
        for ftype in (tc.FRAME_RESPONSE, tc.FRAME_STREAM_MESSAGE, tc.FRAME_GOAWAY, tc.FRAME_PONG, 9):
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
        self.c.health_check()  # call 1: the last call the server accepted
        self.c.send_raw(struct.pack(">IBBI", 3, tc.FRAME_REQUEST, 0, 330))
        f = self.c.read_frame()
        self.assertEqual((f.type, f.flags, f.call_id), (tc.FRAME_GOAWAY, 0, 0))
        status, last_call_id, n = struct.unpack(">BIH", f.body[:7])
        self.assertEqual(status, tc.INVALID_ARGUMENT)
        self.assertEqual(last_call_id, 1, "last call id: the Check call")
        self.assertEqual(len(f.body), 7 + n)
        with self.assertRaises(ConnectionError):
            self.c.read_frame()

    def test_idempotent_create(self):
        key = uuid.uuid4().hex
        a = self.c.create_team(unique("Doc Idem"), idempotency_key=key)
        b = self.c.create_team(unique("Doc Idem other"), idempotency_key=key)
        self.assertEqual(a, b, "retry with the same key returns the first team")
        self.c.delete_team(a["id"])


class Keepalive(Base):
    """PING and PONG on the shared server (default minimum ping interval: 10 s)."""

    def test_ping_gets_pong_with_same_value(self):
        self.c.send_raw(tc.encode_ping(0xDEADBEEF))
        f = self.c.read_frame()
        self.assertEqual((f.type, f.flags, f.call_id, f.body), (tc.FRAME_PONG, 0, 0xDEADBEEF, b""),
                         "PONG: type 7, flags 0, the PING's value, empty body")
        rtt = self.c.ping(0)  # strike 1 of 2 allowed: still answered
        self.assertLess(rtt, 5)
        self.assertStillWorks()

    def test_ping_value_is_not_a_call_id(self):
        cid = self.c.send(tc.HEALTH + "Check")
        self.c.ping(cid)  # same value as the call in flight; the RESPONSE is kept meanwhile
        self.assertStatus(self.c.wait(cid), tc.OK, "call whose id the PING carried")
        self.assertEqual(self.c.goaway, None)


@NEEDS_BINARY
class TooManyPings(OwnServer):
    FLAGS = ("--min-ping-interval", "10s")

    def test_fourth_ping_in_a_burst_gets_goaway(self):
        c = self.connect()
        c.health_check()  # call 1
        # The first PING is never a strike; the next two are strikes 1 and 2 and are answered.
        for value in (1, 2, 3):
            c.ping(value, timeout=5)
        c.send_raw(tc.encode_ping(4))  # strike 3: not answered
        frames = self.read_until_closed(c)
        self.assertEqual([f.type for f in frames], [tc.FRAME_GOAWAY],
                         "only a GOAWAY, then the close")
        self.assertGoAway(frames[0], tc.RESOURCE_EXHAUSTED, 1, "too many pings")

    def test_client_api_raises_goaway(self):
        c = self.connect()
        for value in (10, 11, 12):
            c.ping(value, timeout=5)
        with self.assertRaises(tc.GoAway) as cm:
            c.ping(13, timeout=5)
        g = cm.exception
        self.assertEqual((g.status, g.last_call_id, g.message), (tc.RESOURCE_EXHAUSTED, 0, "too many pings"))
        self.assertIs(c.goaway, g)

    def test_other_connections_unaffected(self):
        other = self.connect()
        c = self.connect()
        for value in (1, 2, 3):
            c.ping(value, timeout=5)
        with self.assertRaises(tc.GoAway):
            c.ping(4, timeout=5)
        other.ping(4, timeout=5)
        self.assertEqual(other.health_check()["status"], tc.SERVING_STATUS_SERVING)

    def test_ping_respecting_interval_clears_strikes(self):
        with ServerProcess("--min-ping-interval", "1s") as server:
            with tc.TeamsClient(server.address, timeout=5) as c:
                for value in (1, 2, 3):  # strikes 0, 1, 2
                    c.ping(value, timeout=5)
                time.sleep(1.5)
                for value in (4, 5, 6):  # 4 respects the interval: strikes 0, 1, 2 again
                    c.ping(value, timeout=5)
                self.assertEqual(c.health_check()["status"], tc.SERVING_STATUS_SERVING)
                with self.assertRaises(tc.GoAway) as cm:
                    c.ping(7, timeout=5)
                self.assertEqual(cm.exception.status, tc.RESOURCE_EXHAUSTED)


@NEEDS_BINARY
class IdleTimeout(OwnServer):
    FLAGS = ("--idle-timeout", "1s")

    def test_idle_connection_gets_goaway_then_eof(self):
        c = self.connect(timeout=5)
        c.health_check()  # call 1
        start = time.monotonic()
        f = c.read_frame()  # nothing in flight, nothing sent: the server goes away
        waited = time.monotonic() - start
        self.assertGoAway(f, tc.UNAVAILABLE, 1)
        self.assertGreater(waited, 0.5, "GOAWAY came before the idle timeout")
        self.assertLess(waited, 4, "idle timeout 1s acts within 1.5 s, plus slack")
        with self.assertRaises(tc.ConnectionClosed):
            c.read_frame()

    def test_connection_with_a_call_in_flight_is_not_idle(self):
        c = self.connect(timeout=5)
        stream = c.send(tc.SVC + "WatchEvents", tc.f_varint(1, 0))  # call 1: live events only
        time.sleep(2.5)
        self.assertEqual(c.health_check()["status"], tc.SERVING_STATUS_SERVING,
                         "a stream in flight keeps the connection open")  # call 2
        c.cancel(stream)
        self.assertStatus(c.wait(stream), tc.CANCELLED, "cancelled stream")
        with self.assertRaises(tc.GoAway) as cm:
            c.wait(c.new_call_id())  # nothing was sent: only the GOAWAY and the close arrive
        self.assertEqual((cm.exception.status, cm.exception.last_call_id), (tc.UNAVAILABLE, 2))


@NEEDS_BINARY
class FrameReadTimeout(OwnServer):
    FLAGS = ("--frame-read-timeout", "1s")

    def test_incomplete_frame_gets_goaway(self):
        slow = self.connect(timeout=5)
        other = self.connect(timeout=5)
        slow.health_check()  # call 1
        frame = tc.encode_request(2, b"", method_name=tc.HEALTH + "Check")
        slow.send_raw(frame[:5])  # the length and the type, then nothing
        start = time.monotonic()
        # Other connections are unaffected meanwhile.
        self.assertEqual(other.health_check()["status"], tc.SERVING_STATUS_SERVING)
        f = slow.read_frame()
        waited = time.monotonic() - start
        self.assertGoAway(f, tc.DEADLINE_EXCEEDED, 1)
        self.assertLess(waited, 4, "frame read timeout 1s acts within 1.5 s, plus slack")
        with self.assertRaises(tc.ConnectionClosed):
            slow.read_frame()
        self.assertEqual(other.health_check()["status"], tc.SERVING_STATUS_SERVING)


@NEEDS_BINARY
class ConnectionLimit(OwnServer):
    FLAGS = ("--max-connections", "1")

    def admitted(self):
        """A working connection; retried briefly, as the server may still count the start-up probe."""
        deadline = time.monotonic() + 5
        while True:
            c = tc.TeamsClient(self.server.address, timeout=5)
            try:
                c.health_check()
                self.addCleanup(c.close)
                return c
            except (OSError, tc.ProtocolError):
                c.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def test_connection_beyond_limit_gets_goaway(self):
        first = self.admitted()
        extra = self.connect(timeout=5)
        frames = self.read_until_closed(extra)  # sends nothing: the GOAWAY comes first thing
        self.assertEqual([f.type for f in frames], [tc.FRAME_GOAWAY])
        self.assertGoAway(frames[0], tc.UNAVAILABLE, 0)
        self.assertEqual(first.health_check()["status"], tc.SERVING_STATUS_SERVING)
        first.close()
        self.assertEqual(self.admitted().health_check()["status"], tc.SERVING_STATUS_SERVING,
                         "a closed connection frees its place")


@NEEDS_BINARY
class CallsPerConnection(OwnServer):
    FLAGS = ("--max-calls-per-connection", "2")

    def test_call_beyond_limit_is_resource_exhausted(self):
        c = self.connect()
        streams = [c.send(tc.SVC + "WatchEvents", tc.f_varint(1, 0)) for _ in range(2)]  # in flight
        r = c.call(tc.HEALTH + "Check")
        self.assertStatus(r, tc.RESOURCE_EXHAUSTED, "third call in flight")
        with tc.TeamsClient(self.server.address, timeout=5) as other:  # the limit is per connection
            self.assertEqual(other.health_check()["status"], tc.SERVING_STATUS_SERVING)
        c.cancel(streams[0])
        self.assertStatus(c.wait(streams[0]), tc.CANCELLED, "cancelled stream")
        self.assertEqual(c.health_check()["status"], tc.SERVING_STATUS_SERVING,
                         "the connection stayed up, and a call fits again")
        c.cancel(streams[1])
        self.assertStatus(c.wait(streams[1]), tc.CANCELLED, "cancelled stream")


class AuthWithoutAuthentication(StatusAsserts, unittest.TestCase):
    """The shared server (run.sh) authenticates no one: an AUTH frame is ignored."""

    def test_auth_frame_is_ignored(self):
        with tc.TeamsClient(ADDR, timeout=5, token="any token at all") as c:
            self.assertEqual(c.health_check()["status"], tc.SERVING_STATUS_SERVING)
            team = c.create_team(unique("Doc Auth Off"))
            c.delete_team(team["id"])


@NEEDS_BINARY
class Authentication(OwnServer):
    """A server of its own with --auth-tokens: a reader and a writer, each with a token."""

    WRITER_TOKEN = "doc-writer-" + uuid.uuid4().hex
    READER_TOKEN = "doc-reader-" + uuid.uuid4().hex
    UNAUTHENTICATED_MESSAGE = "authenticate with a token (AUTH frame) or a client certificate"

    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.mkdtemp(prefix="teams-doc-auth-")
        path = os.path.join(cls.folder, "teams.tokens")
        with open(path, "w") as f:
            f.write("# NAME ROLE SHA256HEX\n\n")
            for name, role, token in (("reader-1", "reader", cls.READER_TOKEN),
                                      ("writer-1", "writer", cls.WRITER_TOKEN)):
                f.write("%s %s %s\n" % (name, role, hashlib.sha256(token.encode()).hexdigest()))
        try:
            cls.server = ServerProcess("--auth-tokens", path)
        except Exception:
            shutil.rmtree(cls.folder, ignore_errors=True)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.folder, ignore_errors=True)

    def connect(self, timeout=5.0, token=None):
        c = tc.TeamsClient(self.server.address, timeout=timeout, token=token)
        self.addCleanup(c.close)
        return c

    def test_writer_token_creates_a_team(self):
        c = self.connect(token=self.WRITER_TOKEN)
        team = c.create_team(unique("Doc Writer"))
        self.assertTrue(XID.match(team["id"]), team)
        self.assertEqual(c.get_team(team["id"])["name"], team["name"])

    def test_no_token_is_unauthenticated_and_check_still_works(self):
        c = self.connect()
        r = c.call(tc.SVC + "CreateTeam", tc.f_bytes(1, unique("Doc Anonymous")))
        self.assertStatus(r, tc.UNAUTHENTICATED, "CreateTeam without a token")
        self.assertEqual(r.status_message, self.UNAUTHENTICATED_MESSAGE)
        self.assertEqual(c.health_check()["status"], tc.SERVING_STATUS_SERVING,
                         "Check needs no credentials, and the connection stays open")

    def test_bad_token_gets_goaway_then_eof(self):
        c = self.connect()
        c.auth("not-a-valid-token")
        frames = self.read_until_closed(c)
        self.assertEqual([f.type for f in frames], [tc.FRAME_GOAWAY], "only a GOAWAY, then the close")
        self.assertGoAway(frames[0], tc.UNAUTHENTICATED, 0, "the token is not valid")

    def test_reader_token_may_not_delete(self):
        c = self.connect(token=self.READER_TOKEN)
        self.assertStatus(c.call(tc.SVC + "GetTeam", tc.f_bytes(1, MISSING_ID)), tc.NOT_FOUND,
                          "a reader may call GetTeam")
        r = c.call(tc.SVC + "DeleteTeam", tc.f_bytes(1, MISSING_ID))
        self.assertStatus(r, tc.PERMISSION_DENIED, "DeleteTeam by a reader")
        self.assertEqual(r.status_message,
                         "caller reader-1 (reader) may not call /teams.v1.TeamService/DeleteTeam")
        self.assertEqual(c.health_check()["status"], tc.SERVING_STATUS_SERVING, "the connection stays open")

    def test_requests_pipelined_behind_auth(self):
        c = self.connect()
        c.send_raw(tc.encode_auth(self.WRITER_TOKEN)
                   + tc.encode_request(1, tc.f_bytes(1, MISSING_ID), method_name=tc.SVC + "GetTeam"))
        self.assertStatus(c.wait(1), tc.NOT_FOUND, "GetTeam in the same write as the AUTH frame")

    def test_auth_after_another_frame_is_invalid_argument(self):
        c = self.connect()
        c.health_check()  # call 1: Check needs no credentials
        c.auth(self.WRITER_TOKEN)
        frames = self.read_until_closed(c)
        self.assertEqual([f.type for f in frames], [tc.FRAME_GOAWAY], "only a GOAWAY, then the close")
        self.assertGoAway(frames[0], tc.INVALID_ARGUMENT, 1)


@NEEDS_BINARY
class Drain(StatusAsserts, unittest.TestCase):
    def test_sigterm_drain_on_the_wire(self):
        with ServerProcess("--drain-timeout", "5s") as server:
            with tc.TeamsClient(server.address, timeout=10) as c:
                c.health_check()  # call 1
                stream = c.send(tc.SVC + "WatchEvents", tc.f_varint(1, 0))  # call 2
                c.health_check()  # call 3: read after call 2, so the stream has started
                server.proc.send_signal(signal.SIGTERM)
                f = c.read_frame()
                self.assertEqual((f.type, f.flags, f.call_id), (tc.FRAME_GOAWAY, 0, 0), "GOAWAY first")
                g = tc.decode_goaway(f)
                self.assertEqual((g.status, g.last_call_id, g.message),
                                 (tc.UNAVAILABLE, 3, "the server is shutting down"))
                f = c.read_frame()
                self.assertEqual((f.type, f.call_id), (tc.FRAME_RESPONSE, stream), "the stream ends")
                r = tc.decode_response(f)
                self.assertStatus(r, tc.UNAVAILABLE, "stream at shutdown")
                with self.assertRaises(tc.ConnectionClosed, msg="nothing in flight: the server closes"):
                    c.read_frame()
            self.assertIsNotNone(server.wait_exit(15), "the server exits once drained")


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
