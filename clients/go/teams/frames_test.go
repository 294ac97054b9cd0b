package teams

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"teamservice/clients/go/teamsv1"
)

// unhex decodes a hex dump whose bytes are separated by spaces.
func unhex(t *testing.T, dump string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(dump), ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The worked example of docs/PROTOCOL.md: GetTeam, call id 7, binding method ref 1, 1000 ms deadline.
func TestRequestFrameMatchesWorkedExample(t *testing.T) {
	payload, err := proto.Marshal(&teamsv1.GetTeamRequest{Id: "dc3d8ei9o8m3e0g1opfg"})
	if err != nil {
		t.Fatal(err)
	}
	head := requestHead{methodRef: 1, methodName: methodGetTeam.path, hasDeadline: true, timeoutMillis: 1000}
	got := appendRequest(nil, 7, head, payload)
	want := unhex(t, `00 00 00 40 01 03 00 00 00 07 00 01 1d 2f 74 65
		61 6d 73 2e 76 31 2e 54 65 61 6d 53 65 72 76 69
		63 65 2f 47 65 74 54 65 61 6d 00 00 03 e8 0a 14
		64 63 33 64 38 65 69 39 6f 38 6d 33 65 30 67 31
		6f 70 66 67`)
	if !bytes.Equal(got, want) {
		t.Fatalf("request frame\n got %x\nwant %x", got, want)
	}

	// The next call sends the bound ref alone: 12 bytes of framing.
	got = appendRequest(nil, 8, requestHead{methodRef: 1}, payload)
	if !bytes.Equal(got[:12], unhex(t, "00 00 00 1e 01 00 00 00 00 08 00 01")) || len(got) != 34 {
		t.Fatalf("request by ref: %x", got)
	}
}

func TestResponseFrameMatchesWorkedExample(t *testing.T) {
	stream := unhex(t, `00 00 00 3f 02 00 00 00 00 07 00 0a 36 0a 14 64
		63 33 64 38 65 69 39 6f 38 6d 33 65 30 67 31 6f
		70 66 67 12 04 41 6a 61 78 1a 09 0a 05 45 64 77
		69 6e 10 01 1a 0b 0a 07 46 72 65 6e 6b 69 65 10
		03 20 03`)
	f, err := readFrame(bytes.NewReader(stream), 1<<20)
	if err != nil || f.kind != frameResponse || f.callID != 7 {
		t.Fatalf("frame %+v, %v", f, err)
	}
	r, err := parseResponse(f)
	if err != nil || r.status != OK {
		t.Fatalf("response %+v, %v", r, err)
	}
	var message teamsv1.GetTeamResponse
	if err := proto.Unmarshal(r.payload, &message); err != nil {
		t.Fatal(err)
	}
	team := teamFromProto(message.Team)
	if team.Name != "Ajax" || team.Version != 3 || len(team.Players) != 2 || team.Players[1] != (Player{"Frenkie", PositionMID}) {
		t.Fatalf("team %+v", team)
	}
}

func TestErrorResponseAndGoAway(t *testing.T) {
	message := "no team with id 00000000000000000000"
	stream := append(unhex(t, "00 00 00 2d 02 08 00 00 00 09 05 00 24"), message...)
	f, err := readFrame(bytes.NewReader(stream), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	r, err := parseResponse(f)
	if err != nil || r.status != NotFound || r.message != message || len(r.payload) != 0 {
		t.Fatalf("response %+v, %v", r, err)
	}

	shutdown := "the server is shutting down"
	stream = append(unhex(t, "00 00 00 28 05 00 00 00 00 00 0e 00 00 00 08 00 1b"), shutdown...)
	if f, err = readFrame(bytes.NewReader(stream), 1<<20); err != nil {
		t.Fatal(err)
	}
	g, err := parseGoAway(f.body)
	if err != nil || g != (goAway{status: Unavailable, lastCallID: 8, message: shutdown}) {
		t.Fatalf("GOAWAY %+v, %v", g, err)
	}

	// A message longer than its frame is refused, not read past the frame.
	if _, err := parseResponse(frame{kind: frameResponse, flags: flagStatusMessage, body: []byte{5, 0, 9, 'x'}}); err == nil {
		t.Fatal("a truncated status message was accepted")
	}
	if _, err := readFrame(bytes.NewReader(unhex(t, "00 00 00 05 02 00 00 00 00 01")), 1<<20); err != errFrameLength {
		t.Fatalf("a length below 6: %v", err)
	}
}

func TestAuthPingCancelFrames(t *testing.T) {
	if got, want := appendAuth(nil, "hello"), unhex(t, "00 00 00 0e 08 00 00 00 00 00 01 00 05 68 65 6c 6c 6f"); !bytes.Equal(got, want) {
		t.Fatalf("AUTH %x, want %x", got, want)
	}
	if got, want := appendPing(nil, 0xdeadbeef), unhex(t, "00 00 00 06 06 00 de ad be ef"); !bytes.Equal(got, want) {
		t.Fatalf("PING %x, want %x", got, want)
	}
	if got, want := appendCancel(nil, 5), unhex(t, "00 00 00 06 04 00 00 00 00 05"); !bytes.Equal(got, want) {
		t.Fatalf("CANCEL %x, want %x", got, want)
	}
}

func TestMetadataRoundTrip(t *testing.T) {
	md := Metadata{{MetadataRequestID, "a"}, {"k", "1"}, {"k", "2"}}
	encoded, err := encodeMetadata(md)
	if err != nil {
		t.Fatal(err)
	}
	head := requestHead{methodName: methodCheck.path, metadata: encoded}
	f, err := readFrame(bytes.NewReader(appendRequest(nil, 1, head, nil)), 1<<20)
	if err != nil || f.flags != flagMethodName|flagMetadata {
		t.Fatalf("frame %+v, %v", f, err)
	}
	decoded, err := decodeMetadata(encoded)
	if err != nil || len(decoded) != 3 || decoded[2] != (MetadataEntry{"k", "2"}) {
		t.Fatalf("decoded %v, %v", decoded, err)
	}
	if v, ok := decoded.Get("k"); !ok || v != "1" {
		t.Fatalf("Get(k) = %q, %v; want the first value", v, ok)
	}
}
