package server

import (
	"fmt"
	"slices"

	"github.com/gearsd/gearsd/config"
	"github.com/gearsd/gearsd/resp"
	"github.com/tidwall/redcon"
)

// Pub/Sub: SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, PUBLISH and
// PUBSUB, in RESP2 (Redis 7.0's pubsub.c). The registry is pubsub.go, a
// subscriber's connection and its bounded queue of messages subscriber.go.
func init() {
	register(
		&command{name: "subscribe", offLoop: true, arity: -2, flags: []string{"pubsub", "noscript", "loading", "stale"},
			group: "pubsub", since: "2.0.0", summary: "Listens for messages published to channels.", run: cmdSubscribe},
		&command{name: "unsubscribe", arity: -1, flags: []string{"pubsub", "noscript", "loading", "stale"},
			group: "pubsub", since: "2.0.0", summary: "Stops listening to messages posted to channels.", run: cmdUnsubscribe},
		&command{name: "psubscribe", offLoop: true, arity: -2, flags: []string{"pubsub", "noscript", "loading", "stale"},
			group: "pubsub", since: "2.0.0", summary: "Listens for messages published to channels that match one or more patterns.", run: cmdPsubscribe},
		&command{name: "punsubscribe", arity: -1, flags: []string{"pubsub", "noscript", "loading", "stale"},
			group: "pubsub", since: "2.0.0", summary: "Stops listening to messages published to channels that match one or more patterns.", run: cmdPunsubscribe},
		&command{name: "publish", arity: 3, flags: []string{"pubsub", "loading", "stale", "fast", "may_replicate"},
			group: "pubsub", since: "2.0.0", summary: "Posts a message to a channel.", run: cmdPublish},
		container("pubsub", "pubsub", "A container for Pub/Sub commands.",
			&command{name: "channels", arity: -2, flags: []string{"pubsub", "loading", "stale"}, since: "2.8.0",
				summary: "Returns the active channels.", run: cmdPubsubChannels},
			&command{name: "numsub", arity: -2, flags: []string{"pubsub", "loading", "stale"}, since: "2.8.0",
				summary: "Returns a count of subscribers to channels.", run: cmdPubsubNumsub},
			&command{name: "numpat", arity: 2, flags: []string{"pubsub", "loading", "stale"}, since: "2.8.0",
				summary: "Returns a count of unique pattern subscriptions.", run: cmdPubsubNumpat},
			&command{name: "help", arity: 2, flags: []string{"loading", "stale"}, since: "6.2.0",
				summary: "Returns helpful text about the different subcommands.", run: cmdPubsubHelp},
		),
	)
}

// Error texts of pub/sub (Redis 7.0.15).
const msgSubscribedContext = "ERR Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"

// allowedSubscribed are the commands a client with subscriptions may send
// (RESP2): the rest are refused with msgSubscribedContext.
var allowedSubscribed = map[string]bool{
	"subscribe": true, "unsubscribe": true, "psubscribe": true, "punsubscribe": true,
	"ping": true, "quit": true, "reset": true,
}

// subscribedGate is call's step for a client with subscriptions: only the
// allowed commands run, and PING answers in pub/sub's shape.
func (s *Server) subscribedGate(c *client, cmd *command, args [][]byte) (resp.Value, bool) {
	if c.sub == nil || c.sub.count() == 0 {
		return resp.Value{}, false
	}
	if !allowedSubscribed[cmd.name] {
		return resp.Err(fmt.Sprintf(msgSubscribedContext, cmd.name)), true
	}
	if cmd.name == "ping" {
		msg := ""
		if len(args) > 1 {
			msg = string(args[1])
		}
		return resp.Array(resp.Bulk("pong"), resp.Bulk(msg)), true
	}
	return resp.Value{}, false
}

// SUBSCRIBE channel [channel ...]
func cmdSubscribe(s *Server, c *client, args [][]byte) resp.Value {
	return s.subscribe(c, args[1:], false)
}

// PSUBSCRIBE pattern [pattern ...]
func cmdPsubscribe(s *Server, c *client, args [][]byte) resp.Value {
	return s.subscribe(c, args[1:], true)
}

// UNSUBSCRIBE [channel ...]
func cmdUnsubscribe(s *Server, c *client, args [][]byte) resp.Value {
	return s.unsubscribe(c, args[1:], false)
}

// PUNSUBSCRIBE [pattern ...]
func cmdPunsubscribe(s *Server, c *client, args [][]byte) resp.Value {
	return s.unsubscribe(c, args[1:], true)
}

// subscribe adds subscriptions and writes one confirmation per name. The
// first subscription takes the connection out of the ordinary loop
// (subscriber.go): from then on messages can arrive at any time, so the
// connection's writes are shared with the subscriber's writer. When this
// call detached the connection, it serves it until it closes.
func (s *Server) subscribe(c *client, names [][]byte, pattern bool) resp.Value {
	first := c.sub == nil
	if first {
		c.sub = newSubscriber(s, c)
	}
	sub := c.sub
	kind := "subscribe"
	if pattern {
		kind = "psubscribe"
	}
	// Registration and confirmation under the write lock: a message
	// published meanwhile is queued and written after the confirmation.
	sub.wmu.Lock()
	for _, n := range names {
		name := string(n)
		count := s.pubsub.subscribe(sub, name, pattern)
		writeValue(sub.conn, resp.Array(resp.Bulk(kind), resp.Bulk(name), resp.Int(int64(count))))
	}
	sub.wmu.Unlock()
	if first {
		s.serveSubscriber(sub)
	}
	return noReply
}

// unsubscribe removes the named subscriptions, or all of them when names is
// empty, with one confirmation per name (or one with a null name when
// there was none). It works on a client that never subscribed too.
func (s *Server) unsubscribe(c *client, names [][]byte, pattern bool) resp.Value {
	kind := "unsubscribe"
	if pattern {
		kind = "punsubscribe"
	}
	var conn redcon.Conn = c.conn
	sub := c.sub
	if sub != nil {
		conn = sub.conn
		sub.wmu.Lock()
		defer sub.wmu.Unlock()
	}
	var list []string
	if len(names) == 0 {
		if sub != nil {
			list = s.pubsub.subscriptions(sub, pattern)
		}
	} else {
		for _, n := range names {
			list = append(list, string(n))
		}
	}
	if len(list) == 0 {
		writeValue(conn, resp.Array(resp.Bulk(kind), resp.Null, resp.Int(int64(sub.count()))))
		return noReply
	}
	for _, name := range list {
		count := 0
		if sub != nil {
			count = s.pubsub.unsubscribe(sub, name, pattern)
		}
		writeValue(conn, resp.Array(resp.Bulk(kind), resp.Bulk(name), resp.Int(int64(count))))
	}
	return noReply
}

// PUBLISH channel message: the number of clients that received it.
func cmdPublish(s *Server, c *client, args [][]byte) resp.Value {
	return resp.Int(int64(s.pubsub.publish(string(args[1]), args[2])))
}

// PUBSUB CHANNELS [pattern]: the channels with at least one subscriber.
func cmdPubsubChannels(s *Server, c *client, args [][]byte) resp.Value {
	if len(args) > 3 {
		return resp.Err(fmt.Sprintf(msgWrongArity, "pubsub|channels"))
	}
	pattern := ""
	if len(args) == 3 {
		pattern = string(args[2])
	}
	var out []string
	for _, ch := range s.pubsub.channels() {
		if pattern == "" || config.GlobMatch(pattern, ch, false) {
			out = append(out, ch)
		}
	}
	slices.Sort(out)
	return resp.BulkArray(out)
}

// PUBSUB NUMSUB [channel ...]: each channel and its number of subscribers.
func cmdPubsubNumsub(s *Server, c *client, args [][]byte) resp.Value {
	out := make([]resp.Value, 0, 2*(len(args)-2))
	for _, ch := range args[2:] {
		out = append(out, resp.BulkBytes(ch), resp.Int(int64(s.pubsub.numsub(string(ch)))))
	}
	return resp.Array(out...)
}

// PUBSUB NUMPAT: the number of patterns subscribed to.
func cmdPubsubNumpat(s *Server, c *client, args [][]byte) resp.Value {
	return resp.Int(int64(s.pubsub.numpat()))
}

var pubsubHelp = []string{
	"PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"CHANNELS [<pattern>]",
	"    Return the currently active channels matching a <pattern> (default: '*').",
	"NUMPAT",
	"    Return number of subscriptions to patterns.",
	"NUMSUB [<channel> ...]",
	"    Return the number of subscribers for the specified channels, excluding",
	"    pattern subscriptions(default: no channels).",
	"SHARDCHANNELS [<pattern>]",
	"    Return the currently active shard level channels matching a <pattern> (default: '*').",
	"SHARDNUMSUB [<shardchannel> ...]",
	"    Return the number of subscribers for the specified shard level channel(s)",
	"HELP",
	"    Prints this help.",
}

func cmdPubsubHelp(s *Server, c *client, args [][]byte) resp.Value {
	out := make([]resp.Value, len(pubsubHelp))
	for i, l := range pubsubHelp {
		out[i] = resp.Simple(l)
	}
	return resp.Array(out...)
}
