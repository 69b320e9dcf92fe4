package store

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every batch is followed by a checksum annotation; a byte flipped inside
// a value is then refused at load, naming the offset, while the same file
// untouched loads.
func TestAOFChecksumFindsAFlippedByte(t *testing.T) {
	dir := t.TempDir()
	clock := &fakeClock{t: testEpoch}
	ks, _ := openAOFKeyspace(t, dir, "always", clock)
	do(ks, "SET", "a", "value-one")
	do(ks, "HSET", "h", "f", "value-two")
	ks.Close()
	path := filepath.Join(dir, "appendonly.aof")
	good, _ := os.ReadFile(path)
	if n := bytes.Count(good, []byte("\n#CRC32C ")); n != 2 {
		t.Fatalf("%d checksum annotations in %q, want one per write", n, good)
	}
	again, _ := openAOFKeyspace(t, dir, "always", clock)
	if got := do(again, "GET", "a"); got.Str != "value-one" {
		t.Fatalf("GET a = %v", got)
	}
	again.Close()
	good, _ = os.ReadFile(path)
	i := bytes.Index(good, []byte("value-two"))
	bad := bytes.Clone(good)
	bad[i+6] ^= 0x01 // "value-uwo": still valid RESP
	os.WriteFile(path, bad, 0o644)
	_, err := Open(Options{AOF: AOFOptions{Enabled: true, Dir: dir, Checksum: true}})
	if err == nil || !strings.Contains(err.Error(), "checksum mismatch") || !strings.Contains(err.Error(), "corrupt") {
		t.Fatalf("Open of a file with a flipped byte = %v, want a checksum error", err)
	}
	// Without the setting the annotations are checked all the same: they
	// are in the file.
	_, err = Open(Options{AOF: AOFOptions{Enabled: true, Dir: dir}})
	if err == nil || !strings.Contains(err.Error(), "checksum mismatch") {
		t.Fatalf("Open without Checksum = %v, want the file's checksums checked", err)
	}
}

// A file written without checksums, then appended to with them, covers
// the old records in its first annotation; a rewrite writes one for its
// whole file; a torn annotation at the end is cut like a torn record.
func TestAOFChecksumOverOldFileRewriteAndTornTail(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "appendonly.aof")
	plain, err := Open(Options{ActiveExpireInterval: -1, AOF: AOFOptions{Enabled: true, Dir: dir, Fsync: "always", AutoRewritePercentage: -1}})
	if err != nil {
		t.Fatal(err)
	}
	do(plain, "SET", "old", "written-without")
	plain.Close()
	clock := &fakeClock{t: testEpoch}
	ks, _ := openAOFKeyspace(t, dir, "always", clock)
	do(ks, "SET", "new", "with")
	ks.Close()
	data, _ := os.ReadFile(path)
	i := bytes.Index(data, []byte("written-without"))
	data[i] ^= 0x01
	os.WriteFile(path, data, 0o644)
	if _, err := Open(Options{AOF: AOFOptions{Enabled: true, Dir: dir}}); err == nil || !strings.Contains(err.Error(), "checksum mismatch") {
		t.Fatalf("a flipped byte before the first annotation: %v", err)
	}
	data[i] ^= 0x01
	os.WriteFile(path, data, 0o644)

	ks, _ = openAOFKeyspace(t, dir, "always", clock)
	do(ks, "BGREWRITEAOF")
	if st := waitRewrite(t, ks); st != "ok" {
		t.Fatalf("rewrite: %s", st)
	}
	do(ks, "SET", "after", "rewrite")
	ks.Close()
	data, _ = os.ReadFile(path)
	if n := bytes.Count(data, []byte("#CRC32C ")); n != 2 {
		t.Errorf("%d annotations after a rewrite and a write, want 2: %q", n, data)
	}
	torn := append(bytes.Clone(data), "#CRC32C 0000"...)
	os.WriteFile(path, torn, 0o644)
	again, log := openAOFKeyspace(t, dir, "always", clock)
	if got := do(again, "MGET", "old", "new", "after"); got.String() != "[written-without with rewrite]" && !strings.Contains(got.String(), "rewrite") {
		t.Errorf("MGET after a torn annotation = %v", got)
	}
	if !strings.Contains(log.String(), "AOF loaded anyway") {
		t.Errorf("no warning for the torn annotation: %q", log)
	}
}
