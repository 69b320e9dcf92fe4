package gears

import (
	"time"

	"github.com/gearsd/gearsd/python"
	"github.com/gearsd/gearsd/resp"
	"github.com/gearsd/gearsd/store"
)

// The Go half of KeysReader (python-api.md §5.1): the store is scanned on
// the Go side and each batch of records is encoded for one crossing. The
// first batch is read where the script's job runs (firstKeys), so a small
// keyspace costs no more crossings; the rest by a goroutine that reads
// ahead while the lane works (readKeys).

// firstKeys reads the first batch. next is the cursor to go on from, 0 when
// there is nothing more. PRECONDITION: none (a store call).
func (x *Execution) firstKeys() (buf []byte, next uint64, err error) {
	t0 := time.Now()
	defer func() { x.addReadTime(time.Since(t0)) }()
	if x.noScan {
		// One record for the exact key, even when it does not exist.
		buf, err = encodeRecords([]store.Entry{readEntry(x.engine.store, x.pattern, x.readValue)}, x.readValue)
		return buf, 0, err
	}
	next, entries := x.engine.store.ScanEntries(0, x.pattern, batchSize, x.readValue)
	buf, err = encodeRecords(entries, x.readValue)
	return buf, next, err
}

// readKeys scans from cursor from (every key when whole, for an UNBLOCKING
// run whose first batch was not read with its script) and sends each batch
// on out. It stops early when stop closes.
func (x *Execution) readKeys(from uint64, whole bool, out chan<- []byte, stop <-chan struct{}) {
	defer close(out)
	send := func(buf []byte, err error) bool {
		if err != nil {
			x.engine.log.Error().Err(err).Msg("encoding KeysReader records")
			return false
		}
		select {
		case out <- buf:
			return true
		case <-stop:
			return false
		}
	}
	if whole {
		buf, next, err := x.firstKeys()
		if !send(buf, err) || next == 0 {
			return
		}
		from = next
	}
	for cursor := from; cursor != 0; {
		t0 := time.Now()
		next, entries := x.engine.store.ScanEntries(cursor, x.pattern, batchSize, x.readValue)
		var buf []byte
		var err error
		if len(entries) > 0 {
			buf, err = encodeRecords(entries, x.readValue)
		}
		x.addReadTime(time.Since(t0))
		if len(entries) > 0 && !send(buf, err) {
			return
		}
		cursor = next
	}
}

func (x *Execution) addReadTime(d time.Duration) {
	x.mu.Lock()
	x.readTime += d
	x.mu.Unlock()
}

// readEntry reads one key through the store's commands, as a record.
func readEntry(st store.Store, key string, withValue bool) store.Entry {
	e := store.Entry{Key: key, Type: "empty"}
	t := st.Do([][]byte{[]byte("TYPE"), []byte(key)})
	if t.Kind == resp.KindSimple && t.Str != "none" {
		e.Type = t.Str
	}
	if !withValue {
		return e
	}
	switch e.Type {
	case "string":
		e.Value = st.Do([][]byte{[]byte("GET"), []byte(key)}).Str
	case "hash":
		v := st.Do([][]byte{[]byte("HGETALL"), []byte(key)})
		h := make(map[string]string, len(v.Array)/2)
		for i := 0; i+1 < len(v.Array); i += 2 {
			h[v.Array[i].Str] = v.Array[i+1].Str
		}
		e.Value = h
	case "list":
		v := st.Do([][]byte{[]byte("LRANGE"), []byte(key), []byte("0"), []byte("-1")})
		l := make([]string, len(v.Array))
		for i, el := range v.Array {
			l[i] = el.Str
		}
		e.Value = l
	}
	return e
}

// encodeRecords builds the KeysReader records of a batch: dicts of event,
// key, type and value in that order (the order RedisGears prints them), or
// event and key only without values.
func encodeRecords(entries []store.Entry, withValue bool) ([]byte, error) {
	records := make([]any, len(entries))
	for i, e := range entries {
		if !withValue {
			records[i] = python.Dict{{Key: "event", Value: nil}, {Key: "key", Value: e.Key}}
			continue
		}
		typ := e.Type
		if typ == "stream" {
			typ = "unknown" // the reference has no stream branch (§5.1)
		}
		var value any
		switch v := e.Value.(type) {
		case string, []string, map[string]string:
			value = v
		}
		records[i] = python.Dict{{Key: "event", Value: nil}, {Key: "key", Value: e.Key}, {Key: "type", Value: typ}, {Key: "value", Value: value}}
	}
	return python.Encode(nil, records)
}
