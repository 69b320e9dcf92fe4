package fdguard

import (
	"net"
	"syscall"
)

// ConnFD is the descriptor of a network connection (a TLS one's
// underlying socket), or -1.
func ConnFD(c net.Conn) int {
	if nc, ok := c.(interface{ NetConn() net.Conn }); ok {
		c = nc.NetConn()
	}
	return FD(c)
}

// FD is the descriptor of a socket or file that exposes one (a listener, a
// connection), or -1.
func FD(x any) int {
	sc, ok := x.(syscall.Conn)
	if !ok {
		return -1
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return -1
	}
	fd := -1
	_ = raw.Control(func(s uintptr) { fd = int(s) })
	return fd
}
