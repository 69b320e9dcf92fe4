package store

import (
	"runtime"
	"strconv"
	"testing"
)

func benchKeys(n int) [][]byte {
	keys := make([][]byte, n)
	for i := range keys {
		keys[i] = []byte("key:" + strconv.Itoa(100000000+i))
	}
	return keys
}

func BenchmarkSet(b *testing.B) {
	ks := NewKeyspace(Options{})
	defer ks.Close()
	keys := benchKeys(100_000)
	argv := [][]byte{[]byte("SET"), nil, []byte("xxx")}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		argv[1] = keys[i%len(keys)]
		ks.Do(argv)
	}
}

func BenchmarkGet(b *testing.B) {
	ks := NewKeyspace(Options{})
	defer ks.Close()
	keys := benchKeys(100_000)
	for _, k := range keys {
		ks.Do([][]byte{[]byte("SET"), k, []byte("xxx")})
	}
	argv := [][]byte{[]byte("GET"), nil}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		argv[1] = keys[i%len(keys)]
		ks.Do(argv)
	}
}

func BenchmarkGetParallel(b *testing.B) {
	ks := NewKeyspace(Options{})
	defer ks.Close()
	keys := benchKeys(100_000)
	for _, k := range keys {
		ks.Do([][]byte{[]byte("SET"), k, []byte("xxx")})
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		argv := [][]byte{[]byte("GET"), nil}
		for i := 0; pb.Next(); i++ {
			argv[1] = keys[i%len(keys)]
			ks.Do(argv)
		}
	})
}

// TestMemoryPerKey bounds the heap a million small string keys take, the
// shape of redis-benchmark's keys (issue 3 targets at most 1.5x Redis's
// RSS, and Redis 7.0 needs about 80 bytes for one of these).
func TestMemoryPerKey(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates a million keys")
	}
	const n = 1_000_000
	ks := NewKeyspace(Options{ActiveExpireInterval: -1})
	defer ks.Close()
	argv := [][]byte{[]byte("SET"), nil, []byte("xxx")}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	key := []byte("key:000000000000")
	for i := range n {
		strconv.AppendInt(key[:4], int64(100000000000+i), 10)
		argv[1] = key
		ks.Do(argv)
	}
	for ks.db.dict.rehash(1000) {
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	perKey := float64(after.HeapAlloc-before.HeapAlloc) / n
	t.Logf("%.1f bytes of heap per key", perKey)
	if perKey > 100 {
		t.Errorf("%.1f bytes of heap per small string key, want at most 100", perKey)
	}
	runtime.KeepAlive(ks)
}
