package tests

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// testPKI is a CA, a server certificate for 127.0.0.1 and a client
// certificate it signed, and a client certificate from another CA, written
// as PEM files for the servers and redis-cli.
type testPKI struct {
	dir                           string
	caCert, serverCert, serverKey string
	clientCert, clientKey         string
	strangerCert, strangerKey     string
	pool                          *x509.CertPool
	client                        tls.Certificate
}

func newTestPKI(t *testing.T) *testPKI {
	t.Helper()
	p := &testPKI{dir: t.TempDir(), pool: x509.NewCertPool()}
	write := func(name, typ string, der []byte) string {
		path := filepath.Join(p.dir, name)
		if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	serial := int64(1)
	issue := func(cn string, parent *x509.Certificate, parentKey *ecdsa.PrivateKey, isCA bool, server bool) (*x509.Certificate, *ecdsa.PrivateKey, []byte, []byte) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		serial++
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial),
			Subject:      pkix.Name{CommonName: cn},
			NotBefore:    time.Now().Add(-time.Hour),
			NotAfter:     time.Now().Add(24 * time.Hour),
			KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		}
		if isCA {
			tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
			tmpl.KeyUsage |= x509.KeyUsageCertSign
		} else if server {
			tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
			tmpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
			tmpl.DNSNames = []string{"localhost"}
		} else {
			tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
		}
		if parent == nil {
			parent, parentKey = tmpl, key
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
		if err != nil {
			t.Fatal(err)
		}
		cert, _ := x509.ParseCertificate(der)
		keyDER, err := x509.MarshalECPrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		return cert, key, der, keyDER
	}
	ca, caKey, caDER, _ := issue("gearsd test CA", nil, nil, true, false)
	p.caCert = write("ca.crt", "CERTIFICATE", caDER)
	p.pool.AddCert(ca)
	_, _, der, keyDER := issue("server", ca, caKey, false, true)
	p.serverCert, p.serverKey = write("server.crt", "CERTIFICATE", der), write("server.key", "EC PRIVATE KEY", keyDER)
	_, _, der, keyDER = issue("client", ca, caKey, false, false)
	p.clientCert, p.clientKey = write("client.crt", "CERTIFICATE", der), write("client.key", "EC PRIVATE KEY", keyDER)
	var err error
	if p.client, err = tls.LoadX509KeyPair(p.clientCert, p.clientKey); err != nil {
		t.Fatal(err)
	}
	other, otherKey, _, _ := issue("another CA", nil, nil, true, false)
	_, _, der, keyDER = issue("stranger", other, otherKey, false, false)
	p.strangerCert, p.strangerKey = write("stranger.crt", "CERTIFICATE", der), write("stranger.key", "EC PRIVATE KEY", keyDER)
	return p
}

// serverArgs are the TLS settings both servers are given.
func (p *testPKI) serverArgs(tlsPort int, extra ...string) []string {
	return append([]string{"--tls-port", strconv.Itoa(tlsPort), "--tls-cert-file", p.serverCert,
		"--tls-key-file", p.serverKey, "--tls-ca-cert-file", p.caCert}, extra...)
}

// tlsCLI runs redis-cli --tls against port and reports what it printed and
// whether it succeeded.
func tlsCLI(port int, args ...string) (string, bool) {
	argv := append([]string{"--tls", "-h", "127.0.0.1", "-p", strconv.Itoa(port)}, args...)
	out, err := exec.Command("redis-cli", argv...).CombinedOutput()
	s := strings.TrimSpace(string(out))
	return s, err == nil && !strings.Contains(strings.ToLower(s), "error") && !strings.Contains(s, "Could not connect")
}

// TLS as redis-server serves it: redis-cli --tls with a client certificate
// the CA signed is served; one without a certificate, or from another CA,
// is refused while tls-auth-clients is yes and served with no; a plain port
// can sit beside the TLS one. Each case runs against a real redis-server
// with the same certificates and settings.
func TestTLSLikeRedis(t *testing.T) {
	p := newTestPKI(t)
	withCert := []string{"--cacert", p.caCert, "--cert", p.clientCert, "--key", p.clientKey}
	noCert := []string{"--cacert", p.caCert}
	stranger := []string{"--cacert", p.caCert, "--cert", p.strangerCert, "--key", p.strangerKey}
	cases := []struct {
		name     string
		settings []string
		cli      []string
		served   bool
	}{
		{"client certificate", nil, withCert, true},
		{"no client certificate", nil, noCert, false},
		{"a certificate from another CA", nil, stranger, false},
		{"tls-auth-clients no, no certificate", []string{"--tls-auth-clients", "no"}, noCert, true},
		{"tls-auth-clients optional, no certificate", []string{"--tls-auth-clients", "optional"}, noCert, true},
		{"tls-auth-clients optional, another CA", []string{"--tls-auth-clients", "optional"}, stranger, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			redisTLS, gearsdTLS := freePort(t), freePort(t)
			startRedis(t, p.serverArgs(redisTLS, tc.settings...)...)
			gs := startServer(t, p.serverArgs(gearsdTLS, tc.settings...)...)
			want, wantOK := tlsCLI(redisTLS, append(tc.cli, "PING")...)
			got, gotOK := tlsCLI(gearsdTLS, append(tc.cli, "PING")...)
			t.Logf("redis-server: %.100q; gearsd: %.100q", want, got)
			if wantOK != tc.served {
				t.Fatalf("redis-server: served %v (%q), the test expects %v", wantOK, want, tc.served)
			}
			if gotOK != wantOK || (wantOK && got != want) {
				t.Errorf("redis-cli --tls %v PING:\n  redis-server: %q (served %v)\n  gearsd:       %q (served %v)", tc.cli, want, wantOK, got, gotOK)
			}
			// The plain port beside it serves as ever.
			if out := redisCLI(t, gs, "PING"); strings.TrimSpace(out) != "PONG" {
				t.Errorf("plain port: %q", out)
			}
		})
	}
}

// TLS alone (port 0), with go-redis: keys and Python run over it; a plain
// client on the TLS port gets nothing; tls-protocols TLSv1.3 refuses a
// TLS 1.2 client.
func TestTLSOnly(t *testing.T) {
	p := newTestPKI(t)
	port := freePort(t)
	s := startServer(t, p.serverArgs(port, "--port", "0", "--tls-protocols", "TLSv1.3")...)
	addr := "127.0.0.1:" + strconv.Itoa(port)
	tc := &tls.Config{RootCAs: p.pool, Certificates: []tls.Certificate{p.client}, MinVersion: tls.VersionTLS12}
	c := redis.NewClient(&redis.Options{Addr: addr, TLSConfig: tc, MaxRetries: -1})
	defer c.Close()
	ctx := context.Background()
	if err := c.Set(ctx, "k", "over tls", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if v, err := c.Get(ctx, "k").Result(); err != nil || v != "over tls" {
		t.Errorf("GET = %q, %v", v, err)
	}
	if v, err := c.Do(ctx, "RG.PYEXECUTE", "GB().map(lambda r: r['value']).run('k')").Result(); err != nil || !strings.Contains(strings.ReplaceAll(strings.ReplaceAll(toString(v), "\n", ""), " ", ""), "overtls") {
		t.Errorf("RG.PYEXECUTE over TLS = %v, %v", v, err)
	}
	// The connection is TLS 1.3.
	conn, err := tls.Dial("tcp", addr, tc)
	if err != nil {
		t.Fatal(err)
	}
	if v := conn.ConnectionState().Version; v != tls.VersionTLS13 {
		t.Errorf("negotiated %x", v)
	}
	conn.Close()
	// A TLS 1.2 client is refused.
	tc12 := tc.Clone()
	tc12.MaxVersion = tls.VersionTLS12
	if conn, err := tls.Dial("tcp", addr, tc12); err == nil {
		conn.Close()
		t.Error("a TLS 1.2 client was accepted under tls-protocols TLSv1.3")
	}
	// Plain RESP on the TLS port: no reply.
	raw, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	raw.Write([]byte("PING\r\n"))
	raw.SetReadDeadline(time.Now().Add(2 * time.Second))
	buf := make([]byte, 64)
	if n, _ := raw.Read(buf); strings.Contains(string(buf[:n]), "PONG") {
		t.Error("plain PING answered on the TLS port")
	}
	if !s.Alive() {
		t.Fatal("server died")
	}
}

func toString(v any) string {
	switch v := v.(type) {
	case []any:
		var b strings.Builder
		for _, e := range v {
			b.WriteString(toString(e))
		}
		return b.String()
	case string:
		return v
	}
	return ""
}
