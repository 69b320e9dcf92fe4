package server

import (
	"io"
	"os"
	"time"

	"github.com/gearsd/gearsd/config"
	"github.com/mattn/go-isatty"
	"github.com/rs/zerolog"
)

// NewLogger returns the process's logger, writing to out: human-readable
// console lines when logformat is console, or auto and out is a terminal;
// JSON lines otherwise. The level follows loglevel, now and after each
// CONFIG SET, through zerolog's global level (one process, one level).
func NewLogger(cfg *config.Config, out io.Writer) zerolog.Logger {
	format := cfg.String(config.LogFormat)
	if format == "auto" {
		format = "json"
		if f, ok := out.(*os.File); ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())) {
			format = "console"
		}
	}
	if format == "console" {
		out = zerolog.ConsoleWriter{Out: out, TimeFormat: "2006-01-02 15:04:05.000"}
	}
	zerolog.TimeFieldFormat = time.RFC3339Nano
	zerolog.SetGlobalLevel(Level(cfg.String(config.LogLevel)))
	cfg.OnChange(config.LogLevel, func(v string) { zerolog.SetGlobalLevel(Level(v)) })
	return zerolog.New(out).Level(zerolog.TraceLevel).With().Timestamp().Logger()
}

// Level maps Redis's log levels to zerolog's: Redis logs connections at
// verbose, which is zerolog's debug; Redis's debug is finer still.
func Level(redis string) zerolog.Level {
	switch redis {
	case "debug":
		return zerolog.TraceLevel
	case "verbose":
		return zerolog.DebugLevel
	case "warning":
		return zerolog.WarnLevel
	}
	return zerolog.InfoLevel
}
