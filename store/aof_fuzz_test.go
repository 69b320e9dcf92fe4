package store

import (
	"os"
	"path/filepath"
	"testing"
)

// Whatever bytes the append-only file holds, loading it never panics: it
// loads, or fails with an error, or cuts a torn last record. A file that
// loaded is rewritten and the rewrite loads to the same keys.
func FuzzAOFLoad(f *testing.F) {
	for _, seed := range []string{
		"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n",
		"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*2\r\n$3\r\nDEL\r\n$1\r\nk\r\n",
		"*4\r\n$4\r\nHSET\r\n$1\r\nh\r\n$1\r\nf\r\n$1\r\n1\r\n*3\r\n$7\r\nPEXPIRE\r\n$1\r\nh\r\n$5\r\n99999\r\n",
		"*5\r\n$4\r\nXADD\r\n$1\r\ns\r\n$3\r\n1-1\r\n$1\r\nf\r\n$1\r\nv\r\n",
		"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv", "*1\r\n$8\r\nFLUSHALL\r\n", "garbage", "*2\r\n$5\r\nMULTI\r\n",
		"*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n*1\r\n$4\r\nEXEC\r\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "appendonly.aof"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		opts := Options{ActiveExpireInterval: -1, AOF: AOFOptions{Enabled: true, Dir: dir, Filename: "appendonly.aof", Fsync: "no", AutoRewritePercentage: -1}}
		ks, err := Open(opts)
		if err != nil {
			return // refused, with an error: fine
		}
		keys := ks.Do([][]byte{[]byte("KEYS"), []byte("*")})
		ks.Close()
		ks, err = Open(opts)
		if err != nil {
			t.Fatalf("the file loaded once, then not: %v", err)
		}
		defer ks.Close()
		if again := ks.Do([][]byte{[]byte("KEYS"), []byte("*")}); len(again.Array) != len(keys.Array) {
			t.Fatalf("keys %d, after reopening %d", len(keys.Array), len(again.Array))
		}
	})
}
