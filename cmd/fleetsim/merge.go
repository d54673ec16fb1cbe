package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/fleetsim/fleetsim/sweep"
)

// cmdMerge joins the shard folders of one sweep into the folder the
// unsharded sweep would have written: fleetsim merge DIR... [-o OUT] [-q].
func cmdMerge(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("merge", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: fleetsim merge SHARD_DIR... [-o OUT] [-q]\n  joins the shards of one sweep into OUT/results.csv, report.html and sweep.json")
		fs.PrintDefaults()
	}
	out := fs.String("o", "", "output `directory` (default out/<scenario>-sweep)")
	quiet := fs.Bool("q", false, "quiet: print nothing on success")
	dirs, err := parseInterleaved(fs, args)
	if err != nil {
		return exitBadInput
	}
	if len(dirs) == 0 {
		fmt.Fprintln(stderr, "fleetsim merge: name the shard folders to merge")
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
