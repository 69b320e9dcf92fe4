package store

// blockedClient is a client blocked in BLPOP, BRPOP or BLMOVE.
type blockedClient struct{}

// signalListReady notes that key got elements while clients wait on it.
func (db *db) signalListReady(key string) {}
