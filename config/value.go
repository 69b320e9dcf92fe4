package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Reasons for refusing a value: Redis 7's texts where Redis has the type.
const (
	reasonNotInt   = "argument couldn't be parsed into an integer"
	reasonMemory   = "argument must be a memory value"
	reasonRange    = "argument must be between %d and %d inclusive"
	reasonBool     = "argument must be 'yes' or 'no'"
	reasonEnum     = "argument(s) must be one of the following: %s"
	reasonDuration = "argument couldn't be parsed into a duration (Go syntax such as 5s or 1m30s, or an integer of seconds)"
	reasonNegative = "argument must not be negative"
	reasonBind     = "argument must be one host name or IP address"
	reasonSave     = "gearsd takes no RDB snapshots; its persistence is the append-only file (appendonly yes)"
	reasonNotify   = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."
)

// parse checks text against the setting and returns its canonical value.
func (s *Setting) parse(text string) (value, error) {
	switch s.Type {
	case Int:
		n, err := strconv.ParseInt(strings.TrimSpace(text), 10, 64)
		if err != nil {
			return value{}, errors.New(reasonNotInt)
		}
		if n < s.Min || n > s.Max {
			return value{}, fmt.Errorf(reasonRange, s.Min, s.Max)
		}
		return value{strconv.FormatInt(n, 10), n}, nil
	case Memory:
		n, ok := parseMemory(text)
		if !ok {
			return value{}, errors.New(reasonMemory)
		}
		if n < s.Min || n > s.Max {
			return value{}, fmt.Errorf(reasonRange, s.Min, s.Max)
		}
		return value{strconv.FormatInt(n, 10), n}, nil
	case Bool:
		b, ok := parseBool(text)
		if !ok {
			return value{}, errors.New(reasonBool)
		}
		return value{formatBool(b), b}, nil
	case Duration:
		d, err := ParseDuration(text)
		if err != nil {
			return value{}, err
		}
		return value{FormatDuration(d), d}, nil
	case Enum:
		low := strings.ToLower(strings.TrimSpace(text))
		for _, v := range s.Values {
			if v == low {
				return value{low, low}, nil
			}
		}
		return value{}, fmt.Errorf(reasonEnum, strings.Join(s.Values, ", "))
	}
	if s.check != nil {
		canon, err := s.check(text)
		if err != nil {
			return value{}, err
		}
		text = canon
	}
	return value{text, text}, nil
}

// parseMemory reads a memory value as Redis's memtoull does: digits, then
// an optional unit, b k kb m mb g gb, in any case (k is 1000, kb 1024).
// No sign, no fraction, and no overflow past int64.
func parseMemory(text string) (int64, bool) {
	low := strings.ToLower(text)
	digits := strings.TrimRight(low, "bkmg")
	mul := int64(1)
	switch low[len(digits):] {
	case "", "b":
	case "k":
		mul = 1000
	case "kb":
		mul = 1024
	case "m":
		mul = 1000 * 1000
	case "mb":
		mul = 1024 * 1024
	case "g":
		mul = 1000 * 1000 * 1000
	case "gb":
		mul = 1024 * 1024 * 1024
	default:
		return 0, false
	}
	if digits == "" || strings.TrimLeft(digits, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || n > (1<<63-1)/mul {
		return 0, false
	}
	return n * mul, true
}

func parseBool(text string) (b, ok bool) {
	switch strings.ToLower(strings.TrimSpace(text)) {
	case "yes", "true":
		return true, true
	case "no", "false":
		return false, true
	}
	return false, false
}

func formatBool(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// ParseDuration reads Go duration syntax ("5s", "1m30s", "250ms") or a plain
// integer, taken as seconds the way Redis's own time settings are written.
// Negative durations are refused.
func ParseDuration(text string) (time.Duration, error) {
	text = strings.TrimSpace(text)
	var d time.Duration
	if n, err := strconv.ParseInt(text, 10, 64); err == nil {
		if n > int64(1<<63-1)/int64(time.Second) {
			return 0, errors.New(reasonDuration)
		}
		d = time.Duration(n) * time.Second
	} else if d, err = time.ParseDuration(text); err != nil {
		return 0, errors.New(reasonDuration)
	}
	if d < 0 {
		return 0, errors.New(reasonNegative)
	}
	return d, nil
}

// FormatDuration writes d in its shortest whole unit ("5s", "5m", "2h",
// "250ms") so CONFIG GET shows what a person would have typed; "0" for zero.
func FormatDuration(d time.Duration) string {
	switch {
	case d == 0:
		return "0"
	case d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	case d%time.Minute == 0:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	case d%time.Second == 0:
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	case d%time.Millisecond == 0:
		return strconv.FormatInt(int64(d/time.Millisecond), 10) + "ms"
	}
	return d.String()
}

func checkBind(text string) (string, error) {
	text = strings.TrimSpace(text)
	if text == "" || strings.ContainsAny(text, " \t\r\n") {
		return "", errors.New(reasonBind)
	}
	return text, nil
}

// checkSave accepts only the empty save setting: snapshots off, as
// redis-server --save "" has them. Clients such as redis-benchmark read it.
func checkSave(text string) (string, error) {
	if strings.TrimSpace(text) != "" {
		return "", errors.New(reasonSave)
	}
	return "", nil
}

// Keyspace event classes, in the order Redis writes them back
// (notify.c: keyspaceEventsFlagsToString).
const (
	notifyGeneric = 1 << iota
	notifyString
	notifyList
	notifySet
	notifyHash
	notifyZset
	notifyExpired
	notifyEvicted
	notifyStream
	notifyModule
	notifyNew
	notifyKeyspace
	notifyKeyevent
	notifyKeyMiss

	// 'A' stands for these; it does not include n (new) nor m (key miss).
	notifyAll = notifyGeneric | notifyString | notifyList | notifySet | notifyHash |
		notifyZset | notifyExpired | notifyEvicted | notifyStream | notifyModule
)

var notifyClasses = []struct {
	flag int
	char byte
}{
	{notifyGeneric, 'g'}, {notifyString, '$'}, {notifyList, 'l'}, {notifySet, 's'},
	{notifyHash, 'h'}, {notifyZset, 'z'}, {notifyExpired, 'x'}, {notifyEvicted, 'e'},
	{notifyStream, 't'}, {notifyModule, 'd'}, {notifyNew, 'n'},
}

// checkNotifyFlags validates notify-keyspace-events and normalizes it the
// way Redis 7 does ("KEA" reads back as "AKE"), so CONFIG GET agrees.
func checkNotifyFlags(text string) (string, error) {
	flags := 0
	for i := 0; i < len(text); i++ {
		switch c := text[i]; c {
		case 'A':
			flags |= notifyAll
		case 'K':
			flags |= notifyKeyspace
		case 'E':
			flags |= notifyKeyevent
		case 'm':
			flags |= notifyKeyMiss
		default:
			found := false
			for _, nc := range notifyClasses {
				if nc.char == c {
					flags |= nc.flag
					found = true
				}
			}
			if !found {
				return "", errors.New(reasonNotify)
			}
		}
	}
	var b strings.Builder
	if flags&notifyAll == notifyAll {
		b.WriteByte('A')
	} else {
		for _, nc := range notifyClasses {
			if flags&nc.flag != 0 {
				b.WriteByte(nc.char)
			}
		}
	}
	if flags&notifyAll == notifyAll && flags&notifyNew != 0 {
		b.WriteByte('n')
	}
	if flags&notifyKeyspace != 0 {
		b.WriteByte('K')
	}
	if flags&notifyKeyevent != 0 {
		b.WriteByte('E')
	}
	if flags&notifyKeyMiss != 0 {
		b.WriteByte('m')
	}
	return b.String(), nil
}
