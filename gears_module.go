package main

import (
	"context"

	"github.com/rs/zerolog"

	"github.com/gearsd/gearsd/config"
	"github.com/gearsd/gearsd/gears"
	"github.com/gearsd/gearsd/server"
	"github.com/gearsd/gearsd/store"
	"github.com/gearsd/gearsd/subinterp"
)

// gearsModule adapts the gears engine to server.Module: server/ builds
// without cgo, so it cannot name gears' types.
type gearsModule struct{ *gears.Engine }

// newGearsModule starts the engine from the configuration and keeps its
// runtime-settable settings in step with CONFIG SET.
func newGearsModule(cfg *config.Config, st store.Store, log zerolog.Logger) (*gearsModule, error) {
	pairs := cfg.Gears()
	if !cfg.Bool(config.PythonAttemptTraceback) {
		pairs = append([][2]string{{"PythonAttemptTraceback", "0"}}, pairs...)
	}
	e, err := gears.New(gears.Options{
		Store: st,
		Interpreters: subinterp.Options{
			Lanes:           cfg.Int(config.SchedulerLanes),
			GIL:             cfg.String(config.PythonGIL),
			PoolSize:        cfg.Int(config.PythonPoolSize),
			PoolIdleTimeout: cfg.Duration(config.PythonPoolIdleTimeout),
			QueueTimeout:    cfg.Duration(config.SchedulerQueueTimeout),
			SpareThreads:    cfg.Int(config.SchedulerSpareThreads),
			HandoffAfter:    cfg.Duration(config.SchedulerHandoffAfter),
			Timeslice:       cfg.Duration(config.SchedulerTimeslice),
		},
		ExecutionTimeout: cfg.Duration(config.PythonExecutionTimeout),
		GearsConfig:      pairs,
		Sandbox:          sandboxOptions(cfg, log),
		Log:              log.With().Str("component", "gears").Logger(),
	})
	if err != nil {
		return nil, err
	}
	cfg.OnChange(config.PythonExecutionTimeout, func(string) {
		e.SetExecutionTimeout(cfg.Duration(config.PythonExecutionTimeout))
	})
	cfg.OnChange(config.SchedulerQueueTimeout, func(string) {
		e.SetQueueTimeout(cfg.Duration(config.SchedulerQueueTimeout))
	})
	cfg.OnChange(config.PythonAttemptTraceback, func(string) {
		e.SetGearsConfig("PythonAttemptTraceback", boolDigit(cfg.Bool(config.PythonAttemptTraceback)))
	})
	return &gearsModule{e}, nil
}

func (m *gearsModule) Commands() []server.ModuleCommand {
	var out []server.ModuleCommand
	for _, c := range m.Engine.Commands() {
		out = append(out, server.ModuleCommand{
			Name: c.Name, Arity: c.Arity, Flags: c.Flags, DenyInMulti: c.DenyInMulti,
			Summary: c.Summary, Group: "gears",
			Handler: c.Handler,
		})
	}
	return out
}

func (m *gearsModule) Info() (string, []server.InfoField) {
	section, fields := m.Engine.Info()
	out := make([]server.InfoField, len(fields))
	for i, f := range fields {
		out[i] = server.InfoField{Name: f[0], Value: f[1]}
	}
	return section, out
}

func (m *gearsModule) Close(ctx context.Context) error { return m.Engine.Close(ctx) }

// Purge gives back the memory kept for the next interpreters (MEMORY PURGE).
func (m *gearsModule) Purge() { m.Engine.Purge() }

var (
	_ server.Module = (*gearsModule)(nil)
	_ server.Purger = (*gearsModule)(nil)
)

func boolDigit(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// sandboxOptions is strict mode's configuration, or nil (and a warning)
// for python.sandbox trusted.
func sandboxOptions(cfg *config.Config, log zerolog.Logger) *gears.SandboxOptions {
	if cfg.String(config.PythonSandbox) == "trusted" {
		log.Warn().Msg("python.sandbox trusted: sessions' Python runs without guards, with the server's full powers")
		return nil
	}
	return &gears.SandboxOptions{
		ServerPaths: []string{cfg.String(config.Dir), cfg.File(), cfg.String(config.ACLFile),
			cfg.String(config.TLSKeyFile), cfg.String(config.TLSCertFile)},
		AllowSubprocess: cfg.Bool(config.PythonAllowSubprocess),
	}
}
