package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// OutputLimit bounds one class of clients' output buffer, as Redis's
// client-output-buffer-limit: a client whose unsent replies pass Hard bytes,
// or stay over Soft bytes for SoftSeconds, is disconnected. 0 is no limit.
type OutputLimit struct {
	Hard, Soft  int64
	SoftSeconds int64
}

// OutputLimits are the limits of every class of client Redis has. gearsd has
// no replicas; their class is kept so that CONFIG GET and SET read as Redis's.
type OutputLimits struct {
	Normal, Replica, Pubsub OutputLimit
}

// Redis's reasons for a bad client-output-buffer-limit.
const (
	reasonLimitArgs   = "Wrong number of arguments in buffer limit configuration."
	reasonLimitClass  = "Invalid client class specified in buffer limit configuration."
	reasonLimitValues = "Error in hard, soft or soft_seconds setting in buffer limit configuration."
)

// String is the canonical text, Redis's CONFIG GET form.
func (l OutputLimits) String() string {
	f := func(o OutputLimit) string { return fmt.Sprintf("%d %d %d", o.Hard, o.Soft, o.SoftSeconds) }
	return "normal " + f(l.Normal) + " slave " + f(l.Replica) + " pubsub " + f(l.Pubsub)
}

// ParseOutputLimits reads a canonical client-output-buffer-limit value.
func ParseOutputLimits(text string) (OutputLimits, error) {
	return applyOutputLimits(OutputLimits{}, text)
}

// applyOutputLimits applies "class hard soft seconds ..." over l: classes
// not named keep their limits, as Redis's CONFIG SET does.
func applyOutputLimits(l OutputLimits, text string) (OutputLimits, error) {
	f := strings.Fields(text)
	if len(f)%4 != 0 {
		return l, errors.New(reasonLimitArgs)
	}
	for i := 0; i < len(f); i += 4 {
		var o *OutputLimit
		switch strings.ToLower(f[i]) {
		case "normal":
			o = &l.Normal
		case "slave", "replica":
			o = &l.Replica
		case "pubsub":
			o = &l.Pubsub
		default:
			return l, errors.New(reasonLimitClass)
		}
		hard, ok1 := parseMemory(f[i+1])
		soft, ok2 := parseMemory(f[i+2])
		secs, err := strconv.ParseInt(f[i+3], 10, 64)
		if !ok1 || !ok2 || err != nil || secs < 0 {
			return l, errors.New(reasonLimitValues)
		}
		*o = OutputLimit{Hard: hard, Soft: soft, SoftSeconds: secs}
	}
	return l, nil
}

// mergeOutputLimits is client-output-buffer-limit's merge: the text over
// the current value.
func mergeOutputLimits(old, text string) (string, error) {
	cur, err := ParseOutputLimits(old)
	if err != nil {
		return "", err
	}
	l, err := applyOutputLimits(cur, text)
	if err != nil {
		return "", err
	}
	return l.String(), nil
}

// OutputLimits returns the client-output-buffer-limit setting.
func (c *Config) OutputLimits() OutputLimits {
	l, _ := ParseOutputLimits(c.String(ClientOutputBufferLimit)) // canonical: always parses
	return l
}
