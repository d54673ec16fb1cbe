package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"github.com/fleetsim/fleetsim/report"
)

const compareUsage = `usage: fleetsim compare [-o DIR] RUN_DIR RUN_DIR...
  Puts two or more run folders (what fleetsim run -o writes) side by side in
  DIR/report.html: cost, instances, each service and batch job, with each
  run's difference from the first, and figures overlaid. A difference is
  called better or worse only beyond the noise threshold the page states;
  runs of different scenarios or durations are compared with a warning.
`

// cmdCompare writes one report comparing two or more run folders.
func cmdCompare(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("compare", stderr)
	out := fs.String("o", filepath.Join("out", "compare"), "output `directory` of the comparison report")
	dirs, code, done := parseArgs(fs, compareUsage, args, stdout, stderr)
	if done {
		return code
	}
	if len(dirs) < 2 {
		fmt.Fprintf(stderr, "fleetsim compare: name at least two run folders, found %d\n", len(dirs))
		fmt.Fprint(stderr, compareUsage)
		return exitBadInput
	}
	warnings, err := report.CompareRuns(dirs, *out)
	if err != nil {
		fmt.Fprintln(stderr, "fleetsim:", err)
		if errors.Is(err, report.ErrRunFolder) {
			return exitBadInput // a folder that is not a complete run: nothing written
		}
		return exitFailure
	}
	for _, w := range warnings {
		fmt.Fprintln(stderr, "fleetsim compare: warning:", w)
	}
	fmt.Fprintf(stdout, "wrote %s\n", filepath.Join(*out, "report.html"))
	return exitOK
}
