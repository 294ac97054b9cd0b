package teams

import (
	"crypto/tls"
	"testing"
	"time"
)

func TestTLS(t *testing.T) {
	pki := newTestPKI(t)
	server := startServer(t, "--store", "memory", "--tls-cert", pki.serverCertFile, "--tls-key", pki.serverKeyFile)
	client := newTestClient(t, Options{Endpoints: []string{server.addr}, TLS: &tls.Config{RootCAs: pki.roots}})
	if _, err := client.CreateTeam(testContext(t, 10*time.Second), "Over TLS"); err != nil {
		t.Fatal(err)
	}

	// A client that does not trust the server's CA never gets a connection.
	untrusting := newTestClient(t, Options{Endpoints: []string{server.addr}, TLS: &tls.Config{}})
	_, err := untrusting.Check(testContext(t, 3*time.Second))
	wantCode(t, err, Unavailable)
}

func TestMutualTLS(t *testing.T) {
	pki := newTestPKI(t)
	server := startServer(t, "--store", "memory", "--tls-cert", pki.serverCertFile, "--tls-key", pki.serverKeyFile,
		"--tls-client-ca", pki.caFile)
	// With mutual TLS and no tokens file, every verified client is a writer.
	withCert := &tls.Config{RootCAs: pki.roots, Certificates: []tls.Certificate{pki.client}}
	client := newTestClient(t, Options{Endpoints: []string{server.addr}, TLS: withCert})
	if _, err := client.CreateTeam(testContext(t, 10*time.Second), "Mutual TLS"); err != nil {
		t.Fatal(err)
	}

	// Without a certificate the handshake fails (with TLS 1.3, only once the server's alert arrives).
	noCert := newTestClient(t, Options{Endpoints: []string{server.addr}, TLS: &tls.Config{RootCAs: pki.roots}})
	_, err := noCert.Check(testContext(t, 2*time.Second))
	wantCode(t, err, Unavailable)
}
