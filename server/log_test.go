package server

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/gearsd/gearsd/config"
	"github.com/rs/zerolog"
)

func TestNewLogger(t *testing.T) {
	defer zerolog.SetGlobalLevel(zerolog.TraceLevel)
	cfg := config.Default()
	var buf bytes.Buffer
	log := NewLogger(cfg, &buf) // not a terminal: JSON
	log.Debug().Msg("hidden at notice")
	log.Info().Str("k", "v").Msg("shown")
	var line map[string]any
	if err := json.Unmarshal(bytes.TrimSpace(buf.Bytes()), &line); err != nil {
		t.Fatalf("not one JSON line: %q", buf.String())
	}
	if line["message"] != "shown" || line["k"] != "v" || line["level"] != "info" {
		t.Errorf("line = %v", line)
	}
	// CONFIG SET loglevel takes effect at once.
	buf.Reset()
	if err := cfg.Set(config.LogLevel, "verbose"); err != nil {
		t.Fatal(err)
	}
	log.Debug().Msg("client connected")
	if !strings.Contains(buf.String(), "client connected") {
		t.Errorf("debug line missing at verbose: %q", buf.String())
	}

	cfg2, _ := config.Load([]string{"--logformat", "console"}, nil)
	buf.Reset()
	log2 := NewLogger(cfg2, &buf)
	log2.Info().Msg("for people")
	if strings.HasPrefix(buf.String(), "{") || !strings.Contains(buf.String(), "for people") {
		t.Errorf("console format: %q", buf.String())
	}
}

func TestLevel(t *testing.T) {
	for redis, want := range map[string]zerolog.Level{
		"debug": zerolog.TraceLevel, "verbose": zerolog.DebugLevel,
		"notice": zerolog.InfoLevel, "warning": zerolog.WarnLevel,
	} {
		if got := Level(redis); got != want {
			t.Errorf("Level(%s) = %v", redis, got)
		}
	}
}
