package acl

import (
	"sync"
	"time"
)

// Log is ACL LOG: the most recent denials, newest first. A denial like one
// logged less than a minute ago (same reason, context, object and user)
// counts into that entry, as Redis groups them.
type Log struct {
	mu      sync.Mutex
	entries []*LogEntry // newest first
	max     int
}

// LogEntry is one ACL LOG entry.
type LogEntry struct {
	Count      int
	Reason     string // "command", "key", "channel", "auth"
	Context    string // "toplevel", "multi"
	Object     string
	Username   string
	Created    time.Time
	Updated    time.Time
	ClientInfo string
}

// groupWithin is how long a repeated denial counts into the same entry.
const groupWithin = 60 * time.Second

// Add records a denial.
func (l *Log) Add(e LogEntry) {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, old := range l.entries {
		if old.Reason == e.Reason && old.Context == e.Context && old.Object == e.Object &&
			old.Username == e.Username && now.Sub(old.Updated) < groupWithin {
			old.Count++
			old.Updated = now
			old.ClientInfo = e.ClientInfo
			// The entry moves to the front, as Redis moves it.
			copy(l.entries[1:i+1], l.entries[:i])
			l.entries[0] = old
			return
		}
	}
	e.Count, e.Created, e.Updated = 1, now, now
	l.entries = append([]*LogEntry{&e}, l.entries...)
	if len(l.entries) > l.max {
		l.entries = l.entries[:l.max]
	}
}

// Entries returns up to n entries, newest first (n < 0: all), as copies.
func (l *Log) Entries(n int) []LogEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	if n < 0 || n > len(l.entries) {
		n = len(l.entries)
	}
	out := make([]LogEntry, n)
	for i := range out {
		out[i] = *l.entries[i]
	}
	return out
}

// Reset empties the log.
func (l *Log) Reset() {
	l.mu.Lock()
	l.entries = nil
	l.mu.Unlock()
}

// SetMax sets how many entries are kept (acllog-max-len).
func (l *Log) SetMax(n int) {
	l.mu.Lock()
	l.max = n
	if len(l.entries) > n {
		l.entries = l.entries[:n]
	}
	l.mu.Unlock()
}
