//go:build unix

package server

import (
	"syscall"
	"time"
)

// cpuTimes returns the process's system and user CPU time, for INFO cpu.
func cpuTimes() (sys, user time.Duration, ok bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, 0, false
	}
	return time.Duration(ru.Stime.Nano()), time.Duration(ru.Utime.Nano()), true
}
