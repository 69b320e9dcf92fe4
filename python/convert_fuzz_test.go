package python

import (
	"bytes"
	"testing"
)

// Whatever bytes the C encoder's buffer holds, Decode never panics, and a
// value it decodes encodes back to the bytes it consumed: the Go half of
// every value crossing from Python reads exactly what was written.
func FuzzDecode(f *testing.F) {
	for _, v := range []any{nil, true, int64(-5), 3.25, "str", []byte("b"), ByteArray("a"),
		[]any{int64(1), "x", []any{nil, false}}} {
		buf, err := Encode(nil, v)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(buf)
	}
	f.Add([]byte("l\xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, rest, err := Decode(data)
		if err != nil {
			return
		}
		if _, isOpaque := v.(Opaque); isOpaque || containsOpaque(v) {
			return // Opaque has no encoding of its own
		}
		again, err := Encode(nil, v)
		if err != nil {
			t.Fatalf("decoded %#v does not encode: %v", v, err)
		}
		if consumed := data[:len(data)-len(rest)]; !bytes.Equal(again, consumed) {
			t.Fatalf("decoded %#v from %q, which encodes as %q", v, consumed, again)
		}
	})
}

func containsOpaque(v any) bool {
	switch x := v.(type) {
	case Opaque:
		return true
	case []any:
		for _, e := range x {
			if containsOpaque(e) {
				return true
			}
		}
	}
	return false
}
