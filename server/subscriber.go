package server

import (
	"sync"
	"time"

	"github.com/gearsd/gearsd/resp"
	"github.com/tidwall/redcon"
)

// A subscribed connection. Its first SUBSCRIBE or PSUBSCRIBE detaches it
// from the connection loop (redcon's Detach) and serves it on the same
// goroutine until it closes (serveSubscriber), because from then on two
// parties write to it: its own commands' replies, and the messages other
// clients publish. Both write under wmu. Publishers only append to the
// subscriber's queue (push) and a writer goroutine per subscriber writes the
// queue out, so a subscriber that reads slowly or not at all holds up nobody
// but itself.
//
// The queue is bounded as Redis bounds a pub/sub client's output buffer,
// by client-output-buffer-limit's pubsub class (32mb 8mb 60 by default): a
// subscriber whose unwritten messages exceed the hard limit, or stay above
// the soft one for its seconds, is disconnected, and its messages are
// dropped. Disconnecting rather than silently dropping is Redis's policy: a
// client that misses messages should know it did.

// kindNoReply marks a handler that wrote its replies itself (the pub/sub
// commands write one reply per channel): the encoder writes nothing for it.
const kindNoReply resp.Kind = 255

var noReply = resp.Value{Kind: kindNoReply}

type subscriber struct {
	s *Server
	c *client

	// conn is the detached connection; wmu orders every write and flush.
	conn redcon.DetachedConn
	wmu  sync.Mutex

	// The names subscribed to, guarded by Server.pubsub.mu.
	channels, patterns map[string]struct{}

	qmu       sync.Mutex
	queue     [][]byte
	queued    int       // bytes in queue
	softSince time.Time // when queued last went over the soft limit
	dead      bool      // disconnected for its backlog: push drops
	wake      chan struct{}
	stop      chan struct{}
	stopped   chan struct{} // closed when writeLoop has returned
}

// newSubscriber detaches c's connection for its first subscription. The
// connection is exempt from the idle timeout from then on, as Redis
// exempts pub/sub clients.
func newSubscriber(s *Server, c *client) *subscriber {
	if ic, ok := c.conn.(interface{ SetIdleClose(time.Duration) }); ok {
		ic.SetIdleClose(0)
	}
	return &subscriber{
		s: s, c: c,
		conn:    c.conn.Detach(),
		wake:    make(chan struct{}, 1),
		stop:    make(chan struct{}),
		stopped: make(chan struct{}),
	}
}

// count is the number of c's subscriptions; 0 for a nil subscriber.
func (sub *subscriber) count() int {
	if sub == nil {
		return 0
	}
	sub.s.pubsub.mu.RLock()
	defer sub.s.pubsub.mu.RUnlock()
	return len(sub.channels) + len(sub.patterns)
}

// push queues one encoded message; it never blocks on the network.
func (sub *subscriber) push(msg []byte) {
	sub.qmu.Lock()
	if sub.dead {
		sub.qmu.Unlock()
		return
	}
	sub.queue = append(sub.queue, msg)
	sub.queued += len(msg)
	l := &sub.s.outputLimits.Load().Pubsub
	queued := int64(sub.queued)
	over := l.Hard > 0 && queued > l.Hard
	if l.Soft > 0 && queued > l.Soft {
		if sub.softSince.IsZero() {
			sub.softSince = time.Now()
		} else if time.Since(sub.softSince) > time.Duration(l.SoftSeconds)*time.Second {
			over = true
		}
	} else {
		sub.softSince = time.Time{}
	}
	if over {
		sub.dead = true
		sub.queue, sub.queued = nil, 0
	}
	sub.qmu.Unlock()
	if over {
		sub.s.log.Warn().Int64("id", sub.c.id).Str("addr", sub.c.addr).
			Msg("Client scheduled to be closed ASAP for overcoming of output buffer limits (client-output-buffer-limit pubsub).")
		if sub.c.ctl != nil {
			sub.c.ctl.abort()
		}
		return
	}
	select {
	case sub.wake <- struct{}{}:
	default:
	}
}

// writeLoop writes queued messages until stop or a write error.
func (sub *subscriber) writeLoop() {
	defer close(sub.stopped)
	for {
		select {
		case <-sub.stop:
			return
		case <-sub.wake:
		}
		sub.qmu.Lock()
		q := sub.queue
		sub.queue, sub.queued, sub.softSince = nil, 0, time.Time{}
		sub.qmu.Unlock()
		sub.wmu.Lock()
		for _, m := range q {
			sub.conn.WriteRaw(m)
		}
		err := sub.conn.Flush()
		sub.wmu.Unlock()
		if err != nil {
			if sub.c.ctl != nil {
				sub.c.ctl.abort()
			}
			return
		}
	}
}

func (sub *subscriber) flush() error {
	sub.wmu.Lock()
	defer sub.wmu.Unlock()
	return sub.conn.Flush()
}

// serveSubscriber is the loop of a detached connection: what the
// connection loop does for one command, with replies written under the
// write lock and flushed after each command. It keeps serving after the
// last UNSUBSCRIBE, as an ordinary client, and returns when the connection
// ends; the connection is closed then.
func (s *Server) serveSubscriber(sub *subscriber) {
	c := sub.c
	go sub.writeLoop()
	defer func() {
		s.pubsub.unsubscribeAll(sub)
		close(sub.stop)
		if c.ctl != nil {
			c.ctl.abort() // ends a write the writer is blocked in
		}
		// The connection loop closes the connection once this returns:
		// the writer must be done with it.
		<-sub.stopped
		c.quit = true
	}()
	if sub.flush() != nil {
		return
	}
	for {
		// Idle while reading: Shutdown closes idle clients at once.
		if c.end() {
			return
		}
		rc, err := sub.conn.ReadCommand()
		if err != nil {
			return
		}
		if !c.begin() {
			return
		}
		if len(rc.Args) == 0 {
			continue
		}
		c.lastActive.Store(time.Now().UnixNano())
		s.stats.commands.Add(1)
		s.stats.netInput.Add(int64(len(rc.Raw)))
		v := s.call(c, rc.Args)
		if v.Kind == resp.KindError {
			s.stats.errors.Add(1)
		}
		if v.Kind != kindNoReply {
			sub.wmu.Lock()
			writeReply(c, sub.conn, v)
			sub.wmu.Unlock()
		}
		if sub.flush() != nil || c.quit {
			return
		}
	}
}

// writeReply writes v as CLIENT REPLY allows.
func writeReply(c *client, conn redcon.Conn, v resp.Value) {
	switch c.reply {
	case replyOn:
		writeValue(conn, v)
	case replySkipNext:
		c.reply = replySkip
	case replySkip:
		c.reply = replyOn
	}
}

// resetPubsub is RESET's and a closed connection's part: no subscriptions.
func (s *Server) resetPubsub(c *client) {
	if c.sub != nil {
		s.pubsub.unsubscribeAll(c.sub)
	}
}

// countsChanged publishes sub's counts for CLIENT LIST; it runs under the
// registry's lock.
func (sub *subscriber) countsChanged() {
	sub.c.subs.Store(int32(len(sub.channels)))
	sub.c.psubs.Store(int32(len(sub.patterns)))
}

// pubsub reports whether c is a pub/sub client (CLIENT LIST's P flag and
// TYPE pubsub): it has at least one subscription. It may be called from
// any goroutine.
func (c *client) pubsub() bool { return c.subs.Load()+c.psubs.Load() > 0 }
