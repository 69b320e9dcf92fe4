package server

import (
	"crypto/tls"
	"strings"
	"testing"
)

func TestTLSProtocols(t *testing.T) {
	cases := []struct {
		in     string
		lo, hi uint16
		err    string
	}{
		{"", tls.VersionTLS12, tls.VersionTLS13, ""},
		{"TLSv1.2", tls.VersionTLS12, tls.VersionTLS12, ""},
		{"tlsv1.3 TLSv1.2", tls.VersionTLS12, tls.VersionTLS13, ""},
		{"TLSv1 TLSv1.1 TLSv1.2", tls.VersionTLS10, tls.VersionTLS12, ""},
		{"TLSv1.1 TLSv1.3", 0, 0, "leaves a gap"},
		{"SSLv3", 0, 0, "unknown protocol"},
	}
	for _, tc := range cases {
		lo, hi, err := tlsProtocols(tc.in)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%q: err %v, want %q", tc.in, err, tc.err)
		case tc.err == "" && (err != nil || lo != tc.lo || hi != tc.hi):
			t.Errorf("%q: %x-%x %v, want %x-%x", tc.in, lo, hi, err, tc.lo, tc.hi)
		}
	}
}

func TestTLSCiphers(t *testing.T) {
	ids, err := tlsCiphers("ECDHE-RSA-AES128-GCM-SHA256:TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384")
	if err != nil || len(ids) != 2 || ids[0] != tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 || ids[1] != tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 {
		t.Errorf("ids %v, err %v", ids, err)
	}
	if _, err := tlsCiphers("HIGH:!aNULL"); err == nil {
		t.Error("OpenSSL keywords accepted")
	}
	if _, err := tlsCiphers("RC4-SHA"); err == nil {
		t.Error("an insecure suite accepted")
	}
	// Every OpenSSL name of the table is one crypto/tls implements.
	for ossl := range openSSLCiphers {
		if _, err := tlsCiphers(ossl); err != nil {
			t.Errorf("%s: %v", ossl, err)
		}
	}
	if err := checkTLS13Suites("TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256"); err != nil {
		t.Error(err)
	}
	if err := checkTLS13Suites("TLS_AES_256_GCM_SHA384"); err == nil || !strings.Contains(err.Error(), "cannot be left out") {
		t.Errorf("a partial TLS 1.3 list: %v", err)
	}
}
