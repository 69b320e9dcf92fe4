//go:build !linux

package server

// Without epoll every connection has its own goroutine: the event-loops
// setting is accepted and ignored.

type eventLoop struct{}

func (s *Server) startLoops()             {}
func (s *Server) stopLoops()              {}
func (s *Server) adopt(*conn) bool        { return false }
func (l *eventLoop) requestClose(c *conn) {}
func (c *conn) loopWrite() error          { panic("server: no event loop on this system") }
