package fdguard

import (
	"net"
	"testing"
)

// A number closed by one owner and reused by another at once stays
// protected when the first releases it.
func TestHoldsAreCounted(t *testing.T) {
	Protect(1000)
	Protect(1000) // a second owner got the same number
	Release(1000) // the first lets go
	if !Protected(1000) {
		t.Fatal("the second owner's descriptor lost its protection")
	}
	Release(1000)
	if Protected(1000) {
		t.Fatal("released twice, still protected")
	}
	Protect(-1)
	if Protected(-1) {
		t.Fatal("-1 protected")
	}
}

func TestProtectAllOpenAndConnFD(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fd := ConnFD(c)
	if fd < 3 {
		t.Fatalf("ConnFD = %d", fd)
	}
	ProtectAllOpen()
	if !Protected(0) || !Protected(fd) {
		t.Fatalf("open descriptors not protected: 0 %v, %d %v", Protected(0), fd, Protected(fd))
	}
}
