package teams

import (
	"crypto/tls"
	"errors"
	"fmt"
	"math"
	"net"
	"time"
)

// Options configure a Client. Only Endpoints is required; a zero field takes the
// default its comment gives.
type Options struct {
	// Endpoints are the servers, as "host:port", at least one. The client keeps one
	// connection for new calls, to the first endpoint that answers; when that
	// connection is lost or drained it fails over to the next endpoint, round the list.
	Endpoints []string
	// Token, when not empty, names the caller to servers that authenticate: it is
	// sent in an AUTH frame as the first frame of every connection, reconnects
	// included. 1 to 1024 bytes.
	Token string
	// TLS, when not nil, makes every connection TLS with this configuration (add a
	// client certificate to Certificates for mutual TLS). An empty ServerName is
	// set to each endpoint's host, so the server's certificate is checked against it.
	TLS *tls.Config
	// DefaultTimeout is the deadline of a unary call whose context has none, and how
	// long each WatchEvents attempt waits for a connection. Default 30 s.
	DefaultTimeout time.Duration
	// ConnectTimeout bounds one connection attempt: TCP connect and TLS handshake.
	// Default 20 s.
	ConnectTimeout time.Duration
	// KeepaliveInterval: after this long with nothing read on a connection, the
	// client sends a PING. Default 30 s; negative turns keepalive off. Keep it at or
	// above the server's --min-ping-interval (10 s by default).
	KeepaliveInterval time.Duration
	// KeepaliveTimeout: a PING not answered by a PONG within this drops the
	// connection as dead. Default 10 s.
	KeepaliveTimeout time.Duration
	// ReconnectBackoff spaces the passes over Endpoints while none can be reached,
	// and the resumes of a watch. Default DefaultConnectionBackoff.
	ReconnectBackoff Backoff
	// RetryBackoff spaces the retries of a call that ended UNAVAILABLE. Default
	// DefaultRetryBackoff.
	RetryBackoff Backoff
	// MaxResponseFrameBytes bounds the length field of a frame from the server, as
	// the server's --max-frame-bytes does for requests: a longer frame fails the
	// connection's calls with RESOURCE_EXHAUSTED (they may have run). Default 4 MiB;
	// 6 to 2^32 − 1.
	MaxResponseFrameBytes int
	// MaxAttempts is how many times a call that is safe to repeat is sent when it
	// ends UNAVAILABLE, the first included; 1 turns these retries off. Default 5.
	// Calls that never ran are sent again regardless, until their deadline.
	MaxAttempts int
}

const (
	defaultTimeout           = 30 * time.Second
	defaultConnectTimeout    = 20 * time.Second
	defaultKeepaliveInterval = 30 * time.Second
	defaultKeepaliveTimeout  = 10 * time.Second
	defaultMaxAttempts       = 5
	defaultMaxFrameBytes     = 4 << 20
)

// withDefaults checks o and returns it with every zero field set to its default.
func (o Options) withDefaults() (Options, error) {
	if len(o.Endpoints) == 0 {
		return o, errors.New("teams: Options.Endpoints is empty")
	}
	for _, endpoint := range o.Endpoints {
		if _, _, err := net.SplitHostPort(endpoint); err != nil {
			return o, fmt.Errorf("teams: endpoint %q is not host:port: %w", endpoint, err)
		}
	}
	if len(o.Token) > maxTokenBytes {
		return o, fmt.Errorf("teams: Options.Token is %d bytes, at most %d", len(o.Token), maxTokenBytes)
	}
	o.Endpoints = append([]string(nil), o.Endpoints...)
	setDefault(&o.DefaultTimeout, defaultTimeout)
	setDefault(&o.ConnectTimeout, defaultConnectTimeout)
	setDefault(&o.KeepaliveInterval, defaultKeepaliveInterval)
	setDefault(&o.KeepaliveTimeout, defaultKeepaliveTimeout)
	if o.ReconnectBackoff == (Backoff{}) {
		o.ReconnectBackoff = DefaultConnectionBackoff
	}
	if o.RetryBackoff == (Backoff{}) {
		o.RetryBackoff = DefaultRetryBackoff
	}
	if o.MaxResponseFrameBytes <= 0 {
		o.MaxResponseFrameBytes = defaultMaxFrameBytes
	}
	if o.MaxResponseFrameBytes < 6 || o.MaxResponseFrameBytes > math.MaxUint32 {
		return o, fmt.Errorf("teams: Options.MaxResponseFrameBytes is %d, want 6 to %d", o.MaxResponseFrameBytes, uint32(math.MaxUint32))
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = defaultMaxAttempts
	}
	return o, nil
}

func setDefault(d *time.Duration, value time.Duration) {
	if *d == 0 {
		*d = value
	}
}
