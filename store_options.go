package main

import (
	"fmt"

	"github.com/rs/zerolog"

	"github.com/gearsd/gearsd/config"
	"github.com/gearsd/gearsd/store"
)

// storeOptions maps the persistence settings (dir, appendonly, appendfsync,
// appendfilename) to the keyspace's options; the store's warnings (a
// truncated append-only file, rewrites) go to the log.
func storeOptions(cfg *config.Config, log zerolog.Logger) store.Options {
	return store.Options{AOF: store.AOFOptions{
		Enabled:  cfg.Bool(config.AppendOnly),
		Dir:      cfg.String(config.Dir),
		Filename: cfg.String(config.AppendFilename),
		Fsync:    cfg.String(config.AppendFsync),
		Checksum: cfg.Bool(config.AOFChecksum),
		Logf: func(format string, args ...any) {
			log.Warn().Str("component", "aof").Msg(fmt.Sprintf(format, args...))
		},
	}}
}
