package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/fleetsim/fleetsim/scenarios"
	"github.com/fleetsim/fleetsim/sweep"
)

const showUsage = `usage: fleetsim show [--list | --file PATH | -o DIR] NAME
  Prints the TOML of NAME, a scenario shipped in the binary (fleetsim list
  names them; a .toml file works too), to start a scenario of your own from.
  A scenario may refer to files beside it (task definition JSON, traces):
  --list lists them, --file PATH prints one as stored (a .gz trace stays
  compressed), and -o DIR writes the scenario and all of them into DIR, ready
  for fleetsim run DIR/NAME.toml. -o refuses to overwrite a file.
`

func cmdShow(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("show", stderr)
	list := fs.Bool("list", false, "list the files the scenario refers to, one a line, instead of its TOML")
	file := fs.String("file", "", "print the referenced file at `PATH` (as --list names it) instead of the TOML")
	out := fs.String("o", "", "write the scenario and the files it refers to into `DIR`")
	pos, code, done := parseArgs(fs, showUsage, args, stdout, stderr)
	if done {
		return code
	}
	bad := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "fleetsim show: "+format+"\n", a...)
		return exitBadInput
	}
	if len(pos) != 1 {
		fmt.Fprint(stderr, showUsage)
		return bad("name one scenario, found %d", len(pos))
	}
	if n := countTrue(*list, *file != "", *out != ""); n > 1 {
		return bad("--list, --file and -o are alternatives: give one")
	}
	sc, refs, read, err := scenarioFiles(pos[0])
	if err != nil {
		return reportProblems(stderr, err)
	}
	switch {
	case *list:
		for _, r := range refs {
			fmt.Fprintln(stdout, r)
		}
	case *file != "":
		want := path.Clean(filepath.ToSlash(*file))
		if !slices.Contains(refs, want) {
			return bad("%s does not refer to %s (it refers to: %s)", pos[0], *file, listOrNone(refs))
		}
		b, err := read(want)
		if err != nil {
			fmt.Fprintln(stderr, "fleetsim show:", err)
			return exitFailure
		}
		_, _ = stdout.Write(b)
	case *out != "":
		return exportScenario(*out, sc, refs, read, stdout, stderr)
	default:
		fmt.Fprint(stdout, sc.Source)
		if len(refs) > 0 {
			fmt.Fprintf(stderr, "fleetsim show: %s refers to %s; fleetsim show -o DIR %s writes them beside it\n",
				pos[0], strings.Join(refs, ", "), pos[0])
		}
	}
	return exitOK
}

// scenarioFiles loads a scenario as a sweep does and lists the files it
// refers to (relative to it, cleaned, sorted), by validating it with a
// reader that records what it is asked for.
func scenarioFiles(name string) (*scenarios.Scenario, []string, func(string) ([]byte, error), error) {
	sc, read, err := sweep.Resolve(name)
	if err != nil {
		return nil, nil, nil, err
	}
	var refs []string
	record := func(rel string) ([]byte, error) {
		b, err := read(rel)
		if c := path.Clean(rel); err == nil && !slices.Contains(refs, c) {
			refs = append(refs, c)
		}
		return b, err
	}
	if _, err := scenarios.Parse(sc.Source, sc.File, record); err != nil {
		return nil, nil, nil, err
	}
	slices.Sort(refs)
	return sc, refs, read, nil
}

// exportScenario writes the scenario as DIR/NAME.toml and each file it
// refers to at its relative path under DIR. Nothing is overwritten: if any
// of the files exists, nothing is written.
func exportScenario(dir string, sc *scenarios.Scenario, refs []string, read func(string) ([]byte, error), stdout, stderr io.Writer) int {
	name := sc.Config.Name + ".toml"
	targets := []string{name}
	for _, r := range refs {
		if !filepath.IsLocal(filepath.FromSlash(r)) {
			fmt.Fprintf(stderr, "fleetsim show: %s refers to %s, outside its folder: copy it by hand\n", sc.File, r)
			return exitBadInput
		}
		targets = append(targets, r)
	}
	for _, t := range targets {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(t))); !errors.Is(err, fs.ErrNotExist) {
			fmt.Fprintf(stderr, "fleetsim show: %s already exists; choose another -o. Nothing was written\n", filepath.Join(dir, t))
			return exitBadInput
		}
	}
	write := func(rel string, b []byte) error {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		return os.WriteFile(p, b, 0o644)
	}
	if err := write(name, []byte(sc.Source)); err != nil {
		fmt.Fprintln(stderr, "fleetsim show:", err)
		return exitFailure
	}
	for _, r := range refs {
		b, err := read(r)
		if err == nil {
			err = write(r, b)
		}
		if err != nil {
			fmt.Fprintln(stderr, "fleetsim show:", err)
			return exitFailure
		}
	}
	fmt.Fprintf(stdout, "wrote %s; run it with: fleetsim run %s\n", strings.Join(prefixed(dir, targets), ", "), filepath.Join(dir, name))
	return exitOK
}

func prefixed(dir string, rels []string) []string {
	out := make([]string, len(rels))
	for i, r := range rels {
		out[i] = filepath.Join(dir, filepath.FromSlash(r))
	}
	return out
}

func listOrNone(s []string) string {
	if len(s) == 0 {
		return "no file"
	}
	return strings.Join(s, ", ")
}

func countTrue(bs ...bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}
