package server

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gearsd/gearsd/acl"
	"github.com/gearsd/gearsd/store"
	"github.com/tidwall/redcon"
)

// client is the state of one connection. The connection's own goroutine
// (redcon runs one per connection) reads and writes it freely; the fields
// under mu are also read by other connections (CLIENT LIST, INFO) and by
// Shutdown.
type client struct {
	id      int64
	conn    redcon.Conn
	ctl     connControl // nil for a connection that is no socket (tests)
	addr    string      // remote
	laddr   string
	created time.Time

	// Set on the connection's goroutine only.
	authenticated bool
	// user is the ACL user the client is logged in as (default until an
	// AUTH); read by CLIENT LIST and DELUSER from other goroutines.
	userRef atomic.Pointer[acl.User]
	quit    bool         // close once the current reply is written (QUIT, CLIENT KILL of oneself)
	reply   replyMode    // CLIENT REPLY
	watch   *store.Watch // WATCHed keys (cmd_tx.go)
	sub     *subscriber  // pub/sub state, once it subscribed (cmd_pubsub.go)

	// The last command found, under the name as the client sent it.
	lastFound *command
	lastName  []byte

	lastActive atomic.Int64 // unix nanoseconds of the last command's start

	// For CLIENT LIST, read by other connections: subscriptions to
	// channels and patterns (kept under the pub/sub registry's lock), and
	// whether the client waits in a blocking command.
	subs, psubs atomic.Int32
	blocking    atomic.Bool

	// Commands run and bytes read since the last flushStats.
	pendingCommands, pendingInput int64

	lastCmd atomic.Pointer[string] // the name of the last command run
	busy    atomic.Bool            // inside a command: Shutdown lets it finish its reply
	closing atomic.Bool            // Shutdown started: close after the current reply, run nothing more

	mu      sync.Mutex
	name    string
	libName string
	libVer  string
	noEvict bool
	// tx is the MULTI/EXEC state, nil outside a transaction: the transactions
	// issue adds the queue, the dirty mark of EXECABORT and WATCHed keys
	// here (written under mu, as CLIENT LIST reads it). Nothing queues yet.
	tx     *transaction
	killed bool // CLIENT KILL closed it: no longer listed while redcon winds it down
}

// connControl is what other goroutines may do to a client's connection
// (implemented by conn).
type connControl interface {
	abort()         // close it now
	endIfIdle()     // close it unless it runs a command (Shutdown)
	peerGone() bool // the client closed its side (a blocked command asks)
}

// transaction is a client's MULTI state (for the transactions issue).
type transaction struct {
	queued [][][]byte // commands queued by MULTI, run by EXEC
	dirty  bool       // a command failed to queue: EXEC answers EXECABORT
	// offLoop: a queued command may wait, so EXEC does not run on an
	// event loop (runsOnLoop).
	offLoop bool
}

type replyMode uint8

const (
	replyOn       replyMode = iota
	replyOff                // CLIENT REPLY OFF: write nothing until ON
	replySkipNext           // CLIENT REPLY SKIP was just run: silent, and so is the next
	replySkip               // write nothing for this command, then ON again
)

func newClient(id int64, conn redcon.Conn, user *acl.User, authenticated bool) *client {
	c := &client{
		id:            id,
		conn:          conn,
		addr:          conn.RemoteAddr(),
		created:       time.Now(),
		authenticated: authenticated,
	}
	if nc := conn.NetConn(); nc != nil {
		c.laddr = nc.LocalAddr().String()
	}
	c.ctl, _ = conn.(connControl)
	c.lastActive.Store(c.created.UnixNano())
	c.userRef.Store(user)
	return c
}

// user is the ACL user c is logged in as.
func (c *client) user() *acl.User { return c.userRef.Load() }

func (c *client) getName() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.name
}

func (c *client) setName(name string) {
	c.mu.Lock()
	c.name = name
	c.mu.Unlock()
}

// info renders the client the way CLIENT LIST and CLIENT INFO do. The
// fields Redis has and gearsd does not measure (buffers, memory) are 0 so
// that parsers of the Redis format keep working.
func (c *client) info(now time.Time) string {
	c.mu.Lock()
	name, lib, ver, noEvict := c.name, c.libName, c.libVer, c.noEvict
	var cmd string
	if p := c.lastCmd.Load(); p != nil {
		cmd = *p
	}
	multi := -1
	if c.tx != nil {
		multi = len(c.tx.queued)
	}
	c.mu.Unlock()
	// Redis's flag letters, in its order; N for none.
	var fl []byte
	if c.pubsub() {
		fl = append(fl, 'P')
	}
	if multi >= 0 {
		fl = append(fl, 'x')
	}
	if c.blocking.Load() {
		fl = append(fl, 'b')
	}
	if noEvict {
		fl = append(fl, 'e')
	}
	flags := "N"
	if len(fl) > 0 {
		flags = string(fl)
	}
	if cmd == "" {
		cmd = "NULL"
	}
	idle := now.Sub(time.Unix(0, c.lastActive.Load()))
	var b strings.Builder
	fmt.Fprintf(&b, "id=%d addr=%s laddr=%s fd=-1 name=%s age=%d idle=%d flags=%s db=0 sub=%d psub=%d ssub=0 multi=%d",
		c.id, c.addr, c.laddr, name, int64(now.Sub(c.created).Seconds()), int64(idle.Seconds()), flags,
		c.subs.Load(), c.psubs.Load(), multi)
	fmt.Fprintf(&b, " qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r cmd=%s user=%s redir=-1 resp=2 lib-name=%s lib-ver=%s",
		cmd, c.user().Name, lib, ver)
	return b.String()
}

// validName reports whether s is a valid client (or library) name for
// Redis: printable ASCII without spaces.
func validName(s []byte) bool {
	for _, ch := range s {
		if ch < '!' || ch > '~' {
			return false
		}
	}
	return true
}

func sortClients(list []*client) {
	slices.SortFunc(list, func(a, b *client) int { return cmp.Compare(a.id, b.id) })
}
