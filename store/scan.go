package store

// scanNodes is the walk of SCAN (Redis's scanGenericCommand, step 2): it
// collects the nodes of the dict's buckets from cursor on until it has
// count of them, the walk ends, or 10*count buckets were visited (so a
// sparse table does not hold the lock for long). next is 0 at the end.
func (db *db) scanNodes(cursor uint64, count int) (next uint64, nodes []*node) {
	maxIterations := count * 10
	for {
		cursor = db.dict.scan(cursor, func(n *node) { nodes = append(nodes, n) })
		if cursor == 0 || maxIterations == 0 || len(nodes) >= count {
			return cursor, nodes
		}
		maxIterations--
	}
}

// scanKeys is SCAN's walk and its filter (step 3): keys not matching
// pattern (when match is set) or not of type typ ("" for any, compared without
// case) are dropped, and so are expired keys, which are deleted.
func (db *db) scanKeys(cursor uint64, count int, match bool, pattern, typ string) (next uint64, keys []*node) {
	next, nodes := db.scanNodes(cursor, count)
	keys = nodes[:0]
	for _, n := range nodes {
		if match && !globMatch(pattern, n.key()) {
			continue
		}
		// Redis's TYPE filter looks the key up for reading first: a
		// keyspace hit, or a miss when that lookup deletes it.
		if typ != "" && db.reading {
			db.stats.count(!db.expired(n))
		}
		if db.expired(n) {
			db.expire(n)
			// That lookup names an expired key's type "none", and the
			// expiry filter then finds nothing to expire: SCAN TYPE none
			// returns expired keys.
			if typ != "" && foldEqual(typ, "none") {
				keys = append(keys, n)
			}
			continue
		}
		if typ != "" && !foldEqual(typ, n.typeName()) {
			continue
		}
		keys = append(keys, n)
	}
	return next, keys
}

// ScanEntries is SCAN for readers. See Store.ScanEntries.
func (ks *Keyspace) ScanEntries(cursor uint64, match string, count int, withValues bool) (uint64, []Entry) {
	if count <= 0 {
		count = 10
	}
	db := ks.lock()
	defer ks.unlock()
	next, nodes := db.scanKeys(cursor, count, match != "" && match != "*", match, "")
	entries := make([]Entry, len(nodes))
	for i, n := range nodes {
		entries[i] = Entry{Key: n.key(), Type: n.typeName()}
		if withValues {
			entries[i].Value = n.readerValue()
		}
	}
	return next, entries
}

// readerValue is the value a reader sees (Entry.Value): string for a
// string, map[string]string for a hash, []string for a list, nil for the
// others. Maps and slices are copies: the reader uses them unlocked.
func (n *node) readerValue() any {
	switch v := n.obj.(type) {
	case nil:
		return n.str()
	case *hashValue:
		return v.toMap()
	case *listValue:
		return v.toSlice()
	}
	return nil
}
