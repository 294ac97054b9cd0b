package teams

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Frame types (docs/PROTOCOL.md, "Frames").
const (
	frameRequest       byte = 1
	frameResponse      byte = 2
	frameStreamMessage byte = 3
	frameCancel        byte = 4
	frameGoAway        byte = 5
	framePing          byte = 6
	framePong          byte = 7
	frameAuth          byte = 8
)

// Flag bits: which optional fields a REQUEST or RESPONSE body holds.
const (
	flagMethodName    byte = 0x01
	flagDeadline      byte = 0x02
	flagMetadata      byte = 0x04
	flagStatusMessage byte = 0x08
)

const (
	// headerSize is the frame header: u32 length, u8 type, u8 flags, u32 call id.
	headerSize = 10
	// authSchemeBearer is the AUTH frame's only scheme.
	authSchemeBearer = 1
	// maxTokenBytes is the longest token an AUTH frame carries.
	maxTokenBytes = 1024
)

// frame is one frame as read: its header fields and its body.
type frame struct {
	kind   byte
	flags  byte
	callID uint32
	body   []byte
}

// requestHead is what a REQUEST carries besides its call id and payload.
type requestHead struct {
	methodRef uint16
	// methodName is sent when not empty (METHOD_NAME), binding methodRef if non-zero.
	methodName string
	// timeoutMillis is sent when hasDeadline (DEADLINE).
	timeoutMillis uint32
	hasDeadline   bool
	// metadata is an encoded teams.rpc.v1.Metadata, sent when not nil (METADATA).
	metadata []byte
}

// appendHeader appends a frame header for a body of bodySize bytes.
func appendHeader(dst []byte, kind, flags byte, callID uint32, bodySize int) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(6+bodySize))
	dst = append(dst, kind, flags)
	return binary.BigEndian.AppendUint32(dst, callID)
}

// appendRequest appends a REQUEST frame. The caller keeps the method name within
// 255 bytes and the metadata within 65535, the most their length prefixes hold.
func appendRequest(dst []byte, callID uint32, head requestHead, payload []byte) []byte {
	var flags byte
	size := 2 + len(payload)
	if head.methodName != "" {
		flags |= flagMethodName
		size += 1 + len(head.methodName)
	}
	if head.hasDeadline {
		flags |= flagDeadline
		size += 4
	}
	if head.metadata != nil {
		flags |= flagMetadata
		size += 2 + len(head.metadata)
	}
	dst = appendHeader(dst, frameRequest, flags, callID, size)
	dst = binary.BigEndian.AppendUint16(dst, head.methodRef)
	if head.methodName != "" {
		dst = append(dst, byte(len(head.methodName)))
		dst = append(dst, head.methodName...)
	}
	if head.hasDeadline {
		dst = binary.BigEndian.AppendUint32(dst, head.timeoutMillis)
	}
	if head.metadata != nil {
		dst = binary.BigEndian.AppendUint16(dst, uint16(len(head.metadata)))
		dst = append(dst, head.metadata...)
	}
	return append(dst, payload...)
}

// appendAuth appends an AUTH frame naming the caller by a bearer token of 1 to 1024 bytes.
func appendAuth(dst []byte, token string) []byte {
	dst = appendHeader(dst, frameAuth, 0, 0, 3+len(token))
	dst = append(dst, authSchemeBearer)
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(token)))
	return append(dst, token...)
}

// appendCancel appends a CANCEL frame for callID.
func appendCancel(dst []byte, callID uint32) []byte {
	return appendHeader(dst, frameCancel, 0, callID, 0)
}

// appendPing appends a PING frame carrying value.
func appendPing(dst []byte, value uint32) []byte {
	return appendHeader(dst, framePing, 0, value, 0)
}

// errFrameLength reports a byte stream that cannot be read as frames.
var errFrameLength = errors.New("unreadable byte stream: a frame length below 6")

// frameTooLargeError reports a frame longer than the reader buffers.
type frameTooLargeError struct{ length, limit uint32 }

func (e *frameTooLargeError) Error() string {
	return fmt.Sprintf("a frame length of %d bytes, over the client's limit of %d (Options.MaxResponseFrameBytes)", e.length, e.limit)
}

// readFrame reads one frame from r, refusing one whose length field is over maxLength.
func readFrame(r io.Reader, maxLength uint32) (frame, error) {
	var header [headerSize]byte
	if _, err := io.ReadFull(r, header[:]); err != nil {
		return frame{}, err
	}
	length := binary.BigEndian.Uint32(header[0:4])
	if length < 6 {
		return frame{}, errFrameLength
	}
	if length > maxLength {
		return frame{}, &frameTooLargeError{length: length, limit: maxLength}
	}
	f := frame{kind: header[4], flags: header[5], callID: binary.BigEndian.Uint32(header[6:10])}
	f.body = make([]byte, length-6)
	if _, err := io.ReadFull(r, f.body); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return frame{}, err
	}
	return f, nil
}

// response is a decoded RESPONSE frame.
type response struct {
	status  Code
	message string
	// metadata is nil when the frame has none.
	metadata Metadata
	payload  []byte
}

// errTruncated reports a frame body shorter than its fields say.
var errTruncated = errors.New("a field runs past the end of the frame")

// parseResponse decodes a RESPONSE body: u8 status, [STATUS_MESSAGE], [METADATA], payload.
func parseResponse(f frame) (response, error) {
	body := f.body
	if len(body) < 1 {
		return response{}, errTruncated
	}
	r := response{status: Code(body[0])}
	body = body[1:]
	if f.flags&flagStatusMessage != 0 {
		message, rest, err := readPrefixed16(body)
		if err != nil {
			return response{}, err
		}
		r.message, body = string(message), rest
	}
	if f.flags&flagMetadata != 0 {
		encoded, rest, err := readPrefixed16(body)
		if err != nil {
			return response{}, err
		}
		if r.metadata, err = decodeMetadata(encoded); err != nil {
			return response{}, fmt.Errorf("response metadata does not decode: %w", err)
		}
		body = rest
	}
	r.payload = body
	return r, nil
}

// goAway is a decoded GOAWAY frame.
type goAway struct {
	status     Code
	lastCallID uint32
	message    string
}

// parseGoAway decodes a GOAWAY body: u8 status, u32 last call id, u16 n, n bytes message.
func parseGoAway(body []byte) (goAway, error) {
	if len(body) < 5 {
		return goAway{}, errTruncated
	}
	g := goAway{status: Code(body[0]), lastCallID: binary.BigEndian.Uint32(body[1:5])}
	message, _, err := readPrefixed16(body[5:])
	if err != nil {
		return goAway{}, err
	}
	g.message = string(message)
	return g, nil
}

// readPrefixed16 splits a u16-length-prefixed field off the front of b.
func readPrefixed16(b []byte) (field, rest []byte, err error) {
	if len(b) < 2 {
		return nil, nil, errTruncated
	}
	n := int(binary.BigEndian.Uint16(b))
	if len(b) < 2+n {
		return nil, nil, errTruncated
	}
	return b[2 : 2+n], b[2+n:], nil
}
