//go:build unix

package server

import (
	"net"
	"syscall"
)

// peerClosed reports whether the client closed its side of conn, without
// consuming anything it sent: a peek that reads 0 bytes means end of file.
// It must not run while another goroutine reads conn; a blocked client's
// connection goroutine is waiting in the handler, so nothing else reads.
func peerClosed(conn net.Conn) bool {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return false
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	closed := false
	var buf [1]byte
	_ = raw.Read(func(fd uintptr) bool {
		n, _, err := syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		closed = n == 0 && err == nil
		return true // never wait for data
	})
	return closed
}
