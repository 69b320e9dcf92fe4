package server

import (
	"time"

	"github.com/gearsd/gearsd/resp"
)

// Blocking list commands (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH) are the
// store's; the server only waits for them. A blocked client waits on its
// connection's goroutine, so only it waits and its pipelined commands keep
// their order; the store serves blocked clients in the order they blocked
// (store/blocking.go). Inside MULTI these commands are queued and EXEC runs
// them without blocking (store.Do), as Redis does.

// blockingList names the store's blocking commands served through
// store.Block; XREAD and XREADGROUP with BLOCK wait inside store.Do.
var blockingList = map[string]bool{"blpop": true, "brpop": true, "blmove": true, "brpoplpush": true}

// blockPoll is how often a blocked client checks whether it was killed
// (CLIENT KILL) or disconnected: its goroutine is not reading its socket
// meanwhile. A client gone stops waiting, as in Redis, so no element is
// popped for nobody.
const blockPoll = 100 * time.Millisecond

// block runs a blocking command for c and waits for its reply: an
// element, the timeout's null array, or the null array at shutdown.
func (s *Server) block(c *client, args [][]byte) resp.Value {
	v, w := s.store.Block(args)
	if w == nil {
		return v
	}
	s.stats.blocked.Add(1)
	defer s.stats.blocked.Add(-1)
	c.blocking.Store(true)
	defer c.blocking.Store(false)
	var timeout <-chan time.Time
	if d := w.Timeout(); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		timeout = t.C
	}
	poll := time.NewTicker(blockPoll)
	defer poll.Stop()
	for {
		select {
		case v := <-w.Done():
			return v
		case <-timeout:
			return w.Cancel()
		case <-s.ctx.Done():
			return w.Cancel()
		case <-poll.C:
			c.mu.Lock()
			killed := c.killed
			c.mu.Unlock()
			if killed || (c.ctl != nil && c.ctl.peerGone()) {
				return w.Cancel()
			}
		}
	}
}
