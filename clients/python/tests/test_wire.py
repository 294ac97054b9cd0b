"""The wire format against the byte dumps of docs/PROTOCOL.md, and the pacing
policies; no server needed."""

from __future__ import annotations

import unittest

from teams_client import CONNECTION_BACKOFF, Player, Position, StatusCode, Team
from teams_client import _frames, _messages
from teams_client._connection import Endpoint
from teams_client.policy import RetryThrottle


def dump(text: str) -> bytes:
    return bytes.fromhex(text.replace(" ", "").replace("\n", ""))


GET_TEAM_REQUEST = dump("""
    00 00 00 40 01 03 00 00 00 07 00 01 1d 2f 74 65 61 6d 73 2e 76 31 2e 54 65 61 6d 53 65 72 76 69
    63 65 2f 47 65 74 54 65 61 6d 00 00 03 e8 0a 14 64 63 33 64 38 65 69 39 6f 38 6d 33 65 30 67 31
    6f 70 66 67""")
GET_TEAM_RESPONSE = dump("""
    00 00 00 3f 02 00 00 00 00 07 00 0a 36 0a 14 64 63 33 64 38 65 69 39 6f 38 6d 33 65 30 67 31 6f
    70 66 67 12 04 41 6a 61 78 1a 09 0a 05 45 64 77 69 6e 10 01 1a 0b 0a 07 46 72 65 6e 6b 69 65 10
    03 20 03""")
TEAM_ID = "dc3d8ei9o8m3e0g1opfg"


class WorkedExampleTest(unittest.TestCase):
    def test_get_team_request_with_name_and_deadline(self) -> None:
        payload = _messages.get_team_request(TEAM_ID)
        frame = _frames.encode_request(7, 1, _messages.GET_TEAM.path, 1000, None, payload)
        self.assertEqual(frame, GET_TEAM_REQUEST)

    def test_request_by_bound_ref(self) -> None:
        frame = _frames.encode_request(8, 1, None, None, None, _messages.get_team_request(TEAM_ID))
        self.assertEqual(frame[:12], dump("00 00 00 1e 01 00 00 00 00 08 00 01"))
        self.assertEqual(len(frame), 34)

    def test_get_team_response(self) -> None:
        (frame,) = _frames.FrameDecoder(1 << 20).feed(GET_TEAM_RESPONSE)
        self.assertEqual((frame.type, frame.call_id), (_frames.RESPONSE, 7))
        response = _frames.decode_response(frame)
        self.assertEqual(response.status, StatusCode.OK)
        team = _messages.team_response(response.payload)
        players = (Player("Edwin", Position.GK), Player("Frenkie", Position.MID))
        self.assertEqual(team, Team(TEAM_ID, "Ajax", players, 3))

    def test_frames_split_anywhere_are_reassembled(self) -> None:
        decoder = _frames.FrameDecoder(1 << 20)
        stream = GET_TEAM_RESPONSE * 2
        frames = [f for i in range(len(stream)) for f in decoder.feed(stream[i:i + 1])]
        self.assertEqual([f.call_id for f in frames], [7, 7])

    def test_error_response(self) -> None:
        message = b"no team with id 00000000000000000000"
        data = dump("00 00 00 2d 02 08 00 00 00 09 05 00 24") + message
        (frame,) = _frames.FrameDecoder(1 << 20).feed(data)
        response = _frames.decode_response(frame)
        self.assertEqual((response.status, response.message, response.payload), (StatusCode.NOT_FOUND, message.decode(), b""))

    def test_goaway(self) -> None:
        data = dump("00 00 00 28 05 00 00 00 00 00 0e 00 00 00 08 00 1b") + b"the server is shutting down"
        (frame,) = _frames.FrameDecoder(1 << 20).feed(data)
        goaway = _frames.decode_goaway(frame)
        self.assertEqual(goaway, _frames.GoAway(StatusCode.UNAVAILABLE, 8, "the server is shutting down"))

    def test_ping_and_auth(self) -> None:
        self.assertEqual(_frames.encode_ping(0xDEADBEEF), dump("00 00 00 06 06 00 de ad be ef"))
        self.assertEqual(_frames.encode_auth(b"hello"), dump("00 00 00 0e 08 00 00 00 00 00 01 00 05") + b"hello")

    def test_a_length_below_six_cannot_be_read(self) -> None:
        with self.assertRaises(_frames.ProtocolError):
            _frames.FrameDecoder(1 << 20).feed(dump("00 00 00 05 02 00 00 00 00 01"))

    def test_metadata_round_trip(self) -> None:
        pairs = (("request-id", "r-1"), ("x", ""), ("request-id", "é"))
        self.assertEqual(_frames.decode_metadata(_frames.encode_metadata(pairs)), pairs)


class PolicyTest(unittest.TestCase):
    def test_connection_backoff_is_grpcs(self) -> None:
        self.assertEqual(CONNECTION_BACKOFF.delay(0, spread=0), 1.0)
        self.assertAlmostEqual(CONNECTION_BACKOFF.delay(1, spread=0), 1.6)
        self.assertAlmostEqual(CONNECTION_BACKOFF.delay(2, spread=1), 1.6 * 1.6 * 1.2)
        self.assertAlmostEqual(CONNECTION_BACKOFF.delay(3, spread=-1), 1.6**3 * 0.8)
        self.assertEqual(CONNECTION_BACKOFF.delay(100, spread=0), 120.0)
        for attempt in range(20):
            delay = CONNECTION_BACKOFF.delay(attempt)
            base = min(1.6**attempt, 120.0)
            self.assertTrue(base * 0.8 <= delay <= base * 1.2, (attempt, delay))

    def test_retry_throttle(self) -> None:
        throttle = RetryThrottle()
        self.assertEqual([throttle.record_failure() for _ in range(5)], [True, True, True, True, False])
        for _ in range(10):
            throttle.record_success()
        self.assertAlmostEqual(throttle.tokens, 6.0)
        self.assertFalse(throttle.record_failure())  # 5 tokens left: not more than half

    def test_endpoints(self) -> None:
        self.assertEqual(Endpoint.parse("127.0.0.1:7070"), Endpoint("127.0.0.1", 7070))
        self.assertEqual(Endpoint.parse("[::1]:7070"), Endpoint("::1", 7070))
        self.assertEqual(str(Endpoint("::1", 7070)), "[::1]:7070")
        for bad in ("localhost", "host:", ":80", "host:0", "host:http"):
            with self.assertRaises(ValueError, msg=bad):
                Endpoint.parse(bad)


if __name__ == "__main__":
    unittest.main()
