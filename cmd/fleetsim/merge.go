package main

import (
	"fmt"
	"io"

	"github.com/fleetsim/fleetsim/sweep"
)

const mergeUsage = `usage: fleetsim merge [-o OUT] [-q] SHARD_DIR...
  Joins the shard folders of one sweep (fleetsim sweep --shard I/N) into
  OUT/results.csv, report.html and sweep.json, byte for byte what the
  unsharded sweep writes. Exit 2, with nothing written, for folders that are
  not every shard of one finished sweep.
`

// cmdMerge joins the shard folders of one sweep into the folder the
// unsharded sweep would have written.
func cmdMerge(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("merge", stderr)
	out := fs.String("o", "", "output `directory` (default out/<scenario>-sweep)")
	quiet := fs.Bool("q", false, "quiet: print nothing on success")
	dirs, code, done := parseArgs(fs, mergeUsage, args, stdout, stderr)
	if done {
		return code
	}
	if len(dirs) == 0 {
		fmt.Fprintln(stderr, "fleetsim merge: name the shard folders to merge")
		fmt.Fprint(stderr, mergeUsage)
		return exitBadInput
	}
	m, rows, err := sweep.Merge(dirs)
	if err != nil {
		fmt.Fprintln(stderr, "fleetsim", err)
		fmt.Fprintln(stderr, "fleetsim merge: nothing was written")
		return exitBadInput
	}
	dir := *out
	if dir == "" {
		if dir, err = nameDir("out", m.Scenario, "-sweep"); err != nil {
			fmt.Fprintf(stderr, "fleetsim merge: %v: give the folder with -o; nothing was written\n", err)
			return exitBadInput
		}
	}
	if err := sweep.Write(dir, m, rows); err != nil {
		fmt.Fprintln(stderr, "fleetsim merge:", err)
		return exitFailure
	}
	if !*quiet {
		fmt.Fprintf(stdout, "%s: merged %d shard(s), %d runs of %d variant(s); wrote %s\n",
			m.Scenario, len(dirs), len(rows), len(m.Variants), dir)
	}
	return exitOK
}
