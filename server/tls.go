package server

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"strings"

	"github.com/gearsd/gearsd/config"
)

// TLS is crypto/tls configured from Redis's tls-* settings. A TLS connection
// is served on its own goroutine (the event loops read raw sockets), with
// everything else as for a plain one. The settings are read at start.

// tlsListener is tls-port's listener: its connections are *tls.Conn.
type tlsListener struct{ net.Listener }

// tlsVersion is one of tls-protocols' names.
type tlsVersion struct {
	name    string
	version uint16
}

var tlsVersions = []tlsVersion{
	{"TLSv1", tls.VersionTLS10},
	{"TLSv1.1", tls.VersionTLS11},
	{"TLSv1.2", tls.VersionTLS12},
	{"TLSv1.3", tls.VersionTLS13},
}

// openSSLCiphers maps OpenSSL's names of the TLS 1.2 suites crypto/tls
// implements to their IANA names (Go's). tls-ciphers takes either.
var openSSLCiphers = map[string]string{
	"ECDHE-ECDSA-AES128-GCM-SHA256": "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
	"ECDHE-RSA-AES128-GCM-SHA256":   "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
	"ECDHE-ECDSA-AES256-GCM-SHA384": "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
	"ECDHE-RSA-AES256-GCM-SHA384":   "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
	"ECDHE-ECDSA-CHACHA20-POLY1305": "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
	"ECDHE-RSA-CHACHA20-POLY1305":   "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
	"ECDHE-ECDSA-AES128-SHA":        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
	"ECDHE-RSA-AES128-SHA":          "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
	"ECDHE-ECDSA-AES256-SHA":        "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
	"ECDHE-RSA-AES256-SHA":          "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
}

// tlsConfig builds the TLS configuration of tls-port. Its errors name the
// setting at fault.
func tlsConfig(cfg *config.Config) (*tls.Config, error) {
	certFile, keyFile := cfg.String(config.TLSCertFile), cfg.String(config.TLSKeyFile)
	if certFile == "" || keyFile == "" {
		return nil, errors.New("tls-port is set: tls-cert-file and tls-key-file must name the server's certificate and key")
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("tls-cert-file / tls-key-file: %w", err)
	}
	tc := &tls.Config{Certificates: []tls.Certificate{cert}}

	switch cfg.String(config.TLSAuthClients) {
	case "yes":
		tc.ClientAuth = tls.RequireAndVerifyClientCert
	case "optional":
		tc.ClientAuth = tls.VerifyClientCertIfGiven
	default:
		tc.ClientAuth = tls.NoClientCert
	}
	if caFile := cfg.String(config.TLSCACertFile); caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("tls-ca-cert-file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("tls-ca-cert-file: no PEM certificate in %s", caFile)
		}
		tc.ClientCAs = pool
	} else if tc.ClientAuth != tls.NoClientCert {
		// As Redis: verifying clients needs the CA that signed them.
		return nil, errors.New("tls-auth-clients is yes or optional: tls-ca-cert-file must name the CA that signs client certificates (or set tls-auth-clients no)")
	}

	if tc.MinVersion, tc.MaxVersion, err = tlsProtocols(cfg.String(config.TLSProtocols)); err != nil {
		return nil, err
	}
	if tc.CipherSuites, err = tlsCiphers(cfg.String(config.TLSCiphers)); err != nil {
		return nil, err
	}
	if err := checkTLS13Suites(cfg.String(config.TLSCipherSuites)); err != nil {
		return nil, err
	}
	return tc, nil
}

// tlsProtocols reads tls-protocols ("TLSv1.2 TLSv1.3", Redis's default when
// empty) as the lowest and highest version: crypto/tls enables a range.
func tlsProtocols(text string) (lo, hi uint16, err error) {
	if strings.TrimSpace(text) == "" {
		return tls.VersionTLS12, tls.VersionTLS13, nil
	}
	var idx []int
	for _, name := range strings.Fields(text) {
		i := slices.IndexFunc(tlsVersions, func(v tlsVersion) bool { return strings.EqualFold(v.name, name) })
		if i < 0 {
			return 0, 0, fmt.Errorf("tls-protocols: unknown protocol %q (TLSv1, TLSv1.1, TLSv1.2, TLSv1.3)", name)
		}
		idx = append(idx, i)
	}
	slices.Sort(idx)
	idx = slices.Compact(idx)
	if idx[len(idx)-1]-idx[0] != len(idx)-1 {
		return 0, 0, fmt.Errorf("tls-protocols: %q leaves a gap; crypto/tls enables a range of versions", text)
	}
	return tlsVersions[idx[0]].version, tlsVersions[idx[len(idx)-1]].version, nil
}

// tlsCiphers reads tls-ciphers, the TLS 1.2 suites, colon-separated, by
// OpenSSL's or IANA's names. OpenSSL's keywords (HIGH, !aNULL...) are not
// understood. Empty is crypto/tls's defaults.
func tlsCiphers(text string) ([]uint16, error) {
	if strings.TrimSpace(text) == "" {
		return nil, nil
	}
	byName := map[string]uint16{}
	for _, cs := range tls.CipherSuites() {
		byName[cs.Name] = cs.ID
	}
	var ids []uint16
	for _, name := range strings.Split(text, ":") {
		name = strings.TrimSpace(name)
		if iana, ok := openSSLCiphers[name]; ok {
			name = iana
		}
		id, ok := byName[name]
		if !ok {
			return nil, fmt.Errorf("tls-ciphers: %q is not a secure TLS 1.2 suite crypto/tls implements (names as OpenSSL's ECDHE-RSA-AES128-GCM-SHA256 or IANA's; keywords such as HIGH are not understood)", name)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// checkTLS13Suites checks tls-ciphersuites: crypto/tls always enables every
// TLS 1.3 suite it implements and cannot leave one out, so a list must name
// them all (in any order), or be empty.
func checkTLS13Suites(text string) error {
	if strings.TrimSpace(text) == "" {
		return nil
	}
	var all []string
	for _, cs := range tls.CipherSuites() {
		if slices.Contains(cs.SupportedVersions, tls.VersionTLS13) {
			all = append(all, cs.Name)
		}
	}
	given := strings.Split(text, ":")
	for i := range given {
		given[i] = strings.TrimSpace(given[i])
		if !slices.Contains(all, given[i]) {
			return fmt.Errorf("tls-ciphersuites: %q is not a TLS 1.3 suite crypto/tls implements (%s)", given[i], strings.Join(all, ":"))
		}
	}
	for _, name := range all {
		if !slices.Contains(given, name) {
			return fmt.Errorf("tls-ciphersuites: crypto/tls always enables every TLS 1.3 suite (%s); %s cannot be left out: list them all, leave tls-ciphersuites empty, or leave TLSv1.3 out of tls-protocols", strings.Join(all, ":"), name)
		}
	}
	return nil
}
