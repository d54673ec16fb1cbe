//go:build !linux

package report

import "errors"

// exchange is not available here: swapInto falls back to two renames.
func exchange(a, b string) error { return errors.New("report: no atomic exchange on this system") }
