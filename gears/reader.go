package gears

import (
	"time"

	"github.com/gearsd/gearsd/python"
	"github.com/gearsd/gearsd/resp"
	"github.com/gearsd/gearsd/store"
)

// readKeys is the Go half of KeysReader (python-api.md §5.1): it scans the
// store on this goroutine and sends each batch of records, already encoded
// for one crossing, to the lane. It stops early when stop closes.
func (x *Execution) readKeys(out chan<- []byte, stop <-chan struct{}) {
	defer close(out)
	var reading time.Duration // time in the store and encoding, not waiting for the lane
	defer func() {
		x.mu.Lock()
		x.readTime = reading
		x.mu.Unlock()
	}()
	send := func(entries []store.Entry) bool {
		t0 := time.Now()
		buf, err := encodeRecords(entries, x.readValue)
		reading += time.Since(t0)
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
	if x.noScan {
		// One record for the exact key, even when it does not exist.
		send([]store.Entry{readEntry(x.engine.store, x.pattern, x.readValue)})
		return
	}
	var cursor uint64
	for {
		t0 := time.Now()
		next, entries := x.engine.store.ScanEntries(cursor, x.pattern, batchSize, x.readValue)
		reading += time.Since(t0)
		if len(entries) > 0 && !send(entries) {
			return
		}
		if next == 0 {
			return
		}
		cursor = next
	}
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
