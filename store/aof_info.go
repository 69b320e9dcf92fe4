package store

import (
	"strconv"
	"time"
)

// PersistenceInfo returns INFO persistence's fields, in Redis 7's order
// for those that apply (the server calls it through an optional
// interface). Keys are loaded before the server starts, so loading is 0
// whenever it can be asked.
func (ks *Keyspace) PersistenceInfo() [][2]string {
	a := ks.aof
	if a == nil {
		return [][2]string{
			{"loading", "0"},
			{"async_loading", "0"},
			{"aof_enabled", "0"},
			{"aof_rewrite_in_progress", "0"},
			{"aof_rewrite_scheduled", "0"},
			{"aof_last_rewrite_time_sec", "-1"},
			{"aof_current_rewrite_time_sec", "-1"},
			{"aof_last_bgrewrite_status", "ok"},
			{"aof_rewrites", "0"},
			{"aof_last_write_status", "ok"},
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	itoa := func(n int64) string { return strconv.FormatInt(n, 10) }
	status := func(err error) string {
		if err != nil {
			return "err"
		}
		return "ok"
	}
	inProgress, current, last := "0", "-1", "-1"
	if a.rw != nil {
		inProgress = "1"
		current = itoa(int64(time.Since(a.rwStats.started).Seconds()))
	}
	if a.rwStats.count > 0 {
		last = itoa(int64(a.rwStats.lastTime.Seconds()))
	}
	bgStatus := a.rwStats.lastStatus
	if bgStatus == "" {
		bgStatus = "ok"
	}
	return [][2]string{
		{"loading", "0"},
		{"async_loading", "0"},
		{"aof_enabled", "1"},
		{"aof_rewrite_in_progress", inProgress},
		{"aof_rewrite_scheduled", "0"},
		{"aof_last_rewrite_time_sec", last},
		{"aof_current_rewrite_time_sec", current},
		{"aof_last_bgrewrite_status", bgStatus},
		{"aof_rewrites", itoa(int64(a.rwStats.count))},
		{"aof_last_write_status", status(a.writeErr)},
		{"aof_current_size", itoa(a.size)},
		{"aof_base_size", itoa(a.baseSize)},
		{"aof_pending_rewrite", "0"},
		{"aof_buffer_length", itoa(int64(len(a.buf)))},
		{"aof_pending_bio_fsync", "0"},
		{"aof_delayed_fsync", "0"},
	}
}
