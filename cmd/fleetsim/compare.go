package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/fleetsim/fleetsim/report"
)

// cmdCompare writes one report comparing two or more run folders:
//
//	fleetsim compare [-o DIR] RUN_DIR RUN_DIR...
func cmdCompare(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", filepath.Join("out", "compare"), "output `directory` of the comparison report")
	dirs, err := parseInterleaved(fs, args)
	if err != nil {
		return exitBadInput
	}
	if len(dirs) < 2 {
		fmt.Fprintf(stderr, "fleetsim compare: name at least two run folders, found %d\n", len(dirs))
		return exitBadInput
	}
	if err := report.Compare(dirs, *out); err != nil {
		fmt.Fprintln(stderr, "fleetsim:", err)
		if errors.Is(err, report.ErrRunFolder) {
			return exitBadInput // a folder that is not a complete run: nothing written
		}
		return exitFailure
	}
	fmt.Fprintf(stdout, "wrote %s\n", filepath.Join(*out, "report.html"))
	return exitOK
}
