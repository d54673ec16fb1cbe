//go:build linux || darwin

package kube

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time (user + system) the test process has used,
// so a benchmark on a shared machine can report a rate per CPU-second.
func processCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
