// Command gearsd is a standalone Redis-protocol server that runs RedisGears
// 1.2 Python in CPython sub-interpreters.
//
// main is the wiring only: arguments -> configuration -> store -> modules ->
// server -> run until SIGINT/SIGTERM or SHUTDOWN -> graceful shutdown ->
// close modules, then store -> exit code.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/rs/zerolog"

	"github.com/gearsd/gearsd/config"
	"github.com/gearsd/gearsd/gctune"
	"github.com/gearsd/gearsd/server"
	"github.com/gearsd/gearsd/store"
)

// Exit codes.
const (
	exitOK     = 0
	exitFailed = 1 // could not start, or stopped on an error
	exitUsage  = 2 // bad arguments or configuration
)

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) int {
	// >> Configuration: defaults, --config FILE, GEARSD_* environment, arguments.
	cfg, err := config.Load(args, os.Environ())
	switch {
	case errors.Is(err, config.ErrHelp):
		config.Usage(os.Stdout, "gearsd")
		return exitOK
	case errors.Is(err, config.ErrVersion):
		fmt.Println("gearsd", server.Version)
		return exitOK
	case err != nil:
		fmt.Fprintln(os.Stderr, "gearsd:", err)
		return exitUsage
	}
	log := server.NewLogger(cfg, os.Stderr)
	defer startGCFloor(cfg).Stop()

	// >> Store: the append-only file is replayed before anything is served.
	st, err := store.Open(storeOptions(cfg, log))
	if err != nil {
		log.Error().Err(err).Msg("loading the keyspace")
		return exitFailed
	}

	// >> Modules
	var modules []server.Module
	g, err := newGearsModule(cfg, st, log)
	if err != nil {
		log.Error().Err(err).Msg("starting the gears engine")
		st.Close()
		return exitFailed
	}
	modules = append(modules, g)

	srv := server.New(cfg, st, log, modules...)
	g.SetServerCommands(srv.ScriptCommand)
	if err := srv.LoadACLFile(); err != nil {
		log.Error().Err(err).Str("aclfile", cfg.String(config.ACLFile)).Msg("loading the ACL file")
		closeModule(context.Background(), g)
		st.Close()
		return exitFailed
	}

	// >> Run until a signal, SHUTDOWN, or a listener error.
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	served := make(chan error, 1)
	go func() { served <- srv.ListenAndServe() }()

	code := exitOK
	select {
	case sig := <-sigs:
		log.Info().Str("signal", sig.String()).Msg("received signal")
		shutdown(srv, cfg, sigs, log)
		<-served
	case err := <-served: // SHUTDOWN ends Serve with nil
		if err != nil {
			log.Error().Err(err).Msg("server stopped")
			code = exitFailed
		}
		shutdown(srv, cfg, sigs, log) // a no-op after SHUTDOWN; closes nothing twice
	}

	// >> Close modules (newest first), then the store.
	ctx, cancel := context.WithTimeout(context.Background(), grace(cfg))
	defer cancel()
	for i := len(modules) - 1; i >= 0; i-- {
		if err := closeModule(ctx, modules[i]); err != nil {
			log.Error().Err(err).Msg("closing a module")
			code = exitFailed
		}
	}
	if err := st.Close(); err != nil {
		log.Error().Err(err).Msg("closing the store")
		code = exitFailed
	}
	log.Info().Msg("bye")
	return code
}

// shutdown stops the server gracefully within shutdown-timeout; a second
// signal cuts the wait short.
func shutdown(srv *server.Server, cfg *config.Config, sigs <-chan os.Signal, log zerolog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), grace(cfg))
	defer cancel()
	go func() {
		select {
		case <-sigs:
			log.Warn().Msg("second signal: closing connections now")
			cancel()
		case <-ctx.Done():
		}
	}()
	if err := srv.Shutdown(ctx); err != nil {
		log.Warn().Err(err).Msg("shutdown did not finish in time")
	}
}

func grace(cfg *config.Config) time.Duration {
	return time.Duration(cfg.Int(config.ShutdownTimeout)) * time.Second
}

// closeModule closes a module that has a Close method, with or without a
// context (the gears engine's takes one: it ends every interpreter).
func closeModule(ctx context.Context, m server.Module) error {
	switch c := m.(type) {
	case interface{ Close(context.Context) error }:
		return c.Close(ctx)
	case io.Closer:
		return c.Close()
	}
	return nil
}

// startGCFloor applies the gc-floor-mb setting, unless GOGC is set in the
// environment: then the operator has chosen.
func startGCFloor(cfg *config.Config) *gctune.Tuner {
	if _, set := os.LookupEnv("GOGC"); set {
		return gctune.Floor(0)
	}
	return gctune.Floor(uint64(cfg.Int(config.GCFloorMB)) << 20)
}
