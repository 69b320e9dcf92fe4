package resp

import (
	"bufio"
	"reflect"
	"strings"
	"testing"
)

func TestRead(t *testing.T) {
	wire := "+OK\r\n-ERR no\r\n:-7\r\n$3\r\na\r\n\r\n$-1\r\n*-1\r\n*2\r\n$0\r\n\r\n*1\r\n:1\r\n"
	want := []Value{Simple("OK"), Err("ERR no"), Int(-7), Bulk("a\r\n"), Null, NullArray,
		Array(Bulk(""), Array(Int(1)))}
	r := bufio.NewReader(strings.NewReader(wire))
	for i, w := range want {
		got, err := Read(r)
		if err != nil || !reflect.DeepEqual(got, w) {
			t.Fatalf("reply %d: got %v (%v), want %v", i, got, err, w)
		}
	}
	for _, bad := range []string{"?x\r\n", "+OK\n", "$5\r\nab\r\n", ":x\r\n"} {
		if _, err := Read(bufio.NewReader(strings.NewReader(bad))); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
