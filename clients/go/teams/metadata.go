package teams

import (
	"google.golang.org/protobuf/proto"

	"teamservice/clients/go/rpcv1"
)

// Metadata is a call's ordered list of key/value pairs (teams.rpc.v1.Metadata).
// Keys are lower-case ASCII by convention, compared exactly, and may repeat.
type Metadata []MetadataEntry

// MetadataEntry is one key/value pair of Metadata.
type MetadataEntry struct {
	Key   string
	Value string
}

// Metadata keys the server acts on (docs/PROTOCOL.md, "Metadata").
const (
	// MetadataRequestID: the server echoes a request's first request-id in its
	// response metadata, on errors too.
	MetadataRequestID = "request-id"
	// MetadataTraceparent: a W3C Trace Context traceparent, logged with the call
	// and passed on to the requests the server makes for it.
	MetadataTraceparent = "traceparent"
)

// Get returns the value of the first entry with key, and whether there is one.
func (md Metadata) Get(key string) (string, bool) {
	for _, entry := range md {
		if entry.Key == key {
			return entry.Value, true
		}
	}
	return "", false
}

func encodeMetadata(md Metadata) ([]byte, error) {
	message := &rpcv1.Metadata{Entries: make([]*rpcv1.Metadata_Entry, len(md))}
	for i, entry := range md {
		message.Entries[i] = &rpcv1.Metadata_Entry{Key: entry.Key, Value: entry.Value}
	}
	return proto.Marshal(message)
}

func decodeMetadata(bytes []byte) (Metadata, error) {
	var message rpcv1.Metadata
	if err := proto.Unmarshal(bytes, &message); err != nil {
		return nil, err
	}
	md := make(Metadata, len(message.Entries))
	for i, entry := range message.Entries {
		md[i] = MetadataEntry{Key: entry.Key, Value: entry.Value}
	}
	return md, nil
}
