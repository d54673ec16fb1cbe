//go:build linux

package report

import "golang.org/x/sys/unix"

// exchange swaps the paths a and b in one atomic step (renameat2 with
// RENAME_EXCHANGE, Linux 3.15; not every file system has it).
func exchange(a, b string) error {
	return unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
}
