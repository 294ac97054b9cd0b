package teams

// CallOption changes one call: its request metadata, where its response metadata
// goes, or (CreateTeam) its idempotency key.
type CallOption func(*callOptions)

type callOptions struct {
	metadata         Metadata
	responseMetadata *Metadata
	idempotencyKey   string
}

// WithMetadata adds the entry key: value to the request's metadata, after those
// added before; see MetadataRequestID and MetadataTraceparent.
func WithMetadata(key, value string) CallOption {
	return func(o *callOptions) { o.metadata = append(o.metadata, MetadataEntry{Key: key, Value: value}) }
}

// WithResponseMetadata stores the response's metadata in *md when a unary call
// ends, whether it succeeded or failed (nil when the server sent none). An
// *Error carries the same metadata. WatchEvents ignores it.
func WithResponseMetadata(md *Metadata) CallOption {
	return func(o *callOptions) { o.responseMetadata = md }
}

// WithIdempotencyKey sets CreateTeam's idempotency_key (at most 128 bytes): the
// server returns the team the first call with this key created, for 24 hours, and
// creates nothing more. With a key, a CreateTeam whose outcome is unknown is
// retried like a read. Other methods ignore it.
func WithIdempotencyKey(key string) CallOption {
	return func(o *callOptions) { o.idempotencyKey = key }
}

func collectOptions(opts []CallOption) *callOptions {
	o := &callOptions{}
	for _, opt := range opts {
		opt(o)
	}
	return o
}
