package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/fleetsim/fleetsim/sweep"
)

const mergeUsage = `usage: fleetsim merge [-o OUT] [-q] SHARD_DIR...
  Joins the shard folders of one sweep (fleetsim sweep --shard I/N) into
  OUT/results.csv, report.html and sweep.json, byte for byte what the
  unsharded sweep writes. The three are prepared whole before any is put in
  OUT. Exit 2, with nothing written, for folders that are not every shard of
  one finished sweep, or an OUT that holds something other than a sweep's
  files and shard folders (unless --force).
`

// cmdMerge joins the shard folders of one sweep into the folder the
// unsharded sweep would have written.
func cmdMerge(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("merge", stderr)
	out := fs.String("o", "", "output `directory` (default out/<scenario>-sweep)")
	quiet := fs.Bool("q", false, "quiet: print nothing on success")
	force := fs.Bool("force", false, "write into OUT even if it holds files that are not a sweep's (they are left alone)")
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
	if code := checkSweepFolder("merge", dir, *force, "written", stderr); code != exitOK {
		return code
	}
	if err := writeMerged(dir, m, rows); err != nil {
		fmt.Fprintln(stderr, "fleetsim merge:", err)
		return exitFailure
	}
	if !*quiet {
		fmt.Fprintf(stdout, "%s: merged %d shard(s), %d runs of %d variant(s); wrote %s\n",
			m.Scenario, len(dirs), len(rows), len(m.Variants), dir)
	}
	return exitOK
}

// mergeTmpPrefix names the temporary folder a merge prepares its files in.
const mergeTmpPrefix = ".merge.tmp-"

// writeMerged writes the merged sweep's files (sweep.Write) so that none is
// put in dir before all are written: into a temporary folder, beside dir
// when dir is missing (the folder then becomes dir, whole), inside dir
// otherwise (dir may hold the shards' folders, which stay), each file then
// renamed into dir. On an error the temporary folder is removed.
func writeMerged(dir string, m *sweep.Manifest, rows []sweep.Row) (err error) {
	dir = filepath.Clean(dir)
	_, statErr := os.Lstat(dir)
	fresh := errors.Is(statErr, fs.ErrNotExist)
	in := dir
	if fresh {
		in = filepath.Dir(dir)
	}
	if err := os.MkdirAll(in, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(in, mergeTmpPrefix)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	if err := sweep.Write(tmp, m, rows); err != nil {
		return err
	}
	if fresh {
		if err := os.Chmod(tmp, 0o755); err != nil {
			return err
		}
		return os.Rename(tmp, dir)
	}
	for _, f := range []string{sweep.ResultsFile, sweep.ReportFile, sweep.ManifestFile} {
		if err := os.Rename(filepath.Join(tmp, f), filepath.Join(dir, f)); err != nil {
			return err
		}
	}
	return os.Remove(tmp)
}
