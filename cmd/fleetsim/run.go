package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/fleetsim/fleetsim/report"
	"github.com/fleetsim/fleetsim/scenarios"
	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/des"
)

const runUsage = `usage: fleetsim run [-o DIR] [--seed N] [-q] [SCENARIO]
  Runs SCENARIO, a library scenario's name (fleetsim list) or a .toml file
  (default: the library's ` + scenarios.DefaultName + `), and writes report.html, the CSV and
  the JSON files into DIR, then prints the cost, each service's waits, SLO
  attainment and availability, and the placement failures. Exit 2 on bad
  input (nothing is written), 1 if the run fails.
`

func cmdRun(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("run", stderr)
	out := fs.String("o", "", "output `directory` (default out/<scenario name>)")
	var seed seedFlag
	fs.Var(&seed, "seed", "run with seed `N` (0 to 18446744073709551615, as a sweep prints them) instead of the scenario's")
	quiet := fs.Bool("q", false, "quiet: no progress bar and no summary table")
	pos, code, done := parseArgs(fs, runUsage, args, stdout, stderr)
	if done {
		return code
	}
	if len(pos) > 1 {
		fmt.Fprintf(stderr, "fleetsim run: one scenario at a time, found %d: %s\n", len(pos), strings.Join(pos, " "))
		return exitBadInput
	}
	name := ""
	if len(pos) == 1 {
		name = pos[0]
	}
	sc, err := resolveScenario(name)
	if err != nil {
		return reportProblems(stderr, err)
	}
	if !*quiet {
		printWarnings(stderr, sc.Warnings)
	}
	cfg := sc.Config
	if seed.set {
		cfg.Seed = seed.n
	}
	dir := *out
	if dir == "" {
		if dir, err = nameDir("out", cfg.Name, ""); err != nil {
			fmt.Fprintf(stderr, "fleetsim run: %v: give the folder with -o; nothing was run or written\n", err)
			return exitBadInput
		}
	}

	w := sim.New(cfg)
	stop := showProgress(w.Engine(), cfg.Duration, stderr, *quiet)
	wallStart := time.Now()
	res, err := w.Run()
	wall := time.Since(wallStart)
	stop()
	if err != nil {
		fmt.Fprintf(stderr, "fleetsim: %s: %v\n", sc.File, err)
		return exitFailure
	}
	wrote, err := report.WriteRunOutputs(dir, res, sc.Source, sc.Outputs)
	if err != nil {
		fmt.Fprintln(stderr, "fleetsim:", err)
		return exitFailure
	}
	if !*quiet {
		cost, err := report.ComputeCost(res, report.PricesFor(res.Config)) // the bill cost.json holds
		if err != nil {
			fmt.Fprintln(stderr, "fleetsim:", err)
			return exitFailure
		}
		printSummary(stdout, res, cost, wall)
		fmt.Fprintf(stdout, "wrote %s/{%s}\n", dir, strings.Join(wrote, ","))
	}
	return exitOK
}

// seedFlag is --seed: any uint64, as a sweep prints its seeds. A negative
// number or anything else is refused (exit 2), never ignored.
type seedFlag struct {
	n   uint64
	set bool
}

func (s *seedFlag) String() string {
	if s == nil || !s.set {
		return ""
	}
	return strconv.FormatUint(s.n, 10)
}

func (s *seedFlag) Set(v string) error {
	n, err := strconv.ParseUint(v, 10, 64)
	switch {
	case err == nil:
		s.n, s.set = n, true
		return nil
	case strings.HasPrefix(strings.TrimSpace(v), "-"):
		return errors.New("a seed is not negative: want a whole number from 0 to 18446744073709551615")
	default:
		return errors.New("want a whole number from 0 to 18446744073709551615")
	}
}

// resolveScenario loads the scenario run names (a test may stand in for it).
var resolveScenario = scenarios.Resolve

// nameDir is the output folder parent/NAME+suffix that a scenario's name
// makes when no -o is given. The validator allows only names of letters,
// digits, hyphens and underscores; whatever the name (a sweep.json on disk
// holds one too), a folder that is not strictly inside parent is refused.
func nameDir(parent, name, suffix string) (string, error) {
	dir := filepath.Join(parent, name+suffix)
	rel, err := filepath.Rel(parent, dir)
	if err != nil || rel == "." || !filepath.IsLocal(rel) {
		return "", fmt.Errorf("the scenario name %q makes the output folder %s, which is not inside %s", name, dir, parent+string(filepath.Separator))
	}
	return dir, nil
}

// parseInterleaved parses flags wherever they appear among the positional
// arguments (fleetsim run NAME -o DIR as well as fleetsim run -o DIR NAME).
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// showProgress draws a progress bar in simulated time on stderr when it is a
// terminal and the run lasts more than a second of wall time. It returns a
// function that finishes the bar.
func showProgress(eng *des.Engine, total time.Duration, stderr io.Writer, quiet bool) func() {
	f, ok := stderr.(*os.File)
	if quiet || !ok || !term.IsTerminal(int(f.Fd())) {
		return func() {}
	}
	start := time.Now()
	var bar *progressbar.ProgressBar
	eng.OnProgress(des.At(total/200+1), func(now des.Time) {
		if bar == nil {
			if time.Since(start) < time.Second {
				return
			}
			bar = progressbar.NewOptions64(int64(total/time.Minute),
				progressbar.OptionSetWriter(stderr),
				progressbar.OptionSetDescription("simulating"),
				progressbar.OptionSetItsString("sim-min"),
				progressbar.OptionShowIts(),
				progressbar.OptionSetPredictTime(true),
				progressbar.OptionClearOnFinish())
		}
		_ = bar.Set64(int64(now.Duration() / time.Minute))
	})
	return func() {
		if bar != nil {
			_ = bar.Finish()
		}
	}
}

// printWarnings writes a scenario's warnings, one a line, in the problem
// form (file:line: key: ...): the run goes ahead.
func printWarnings(stderr io.Writer, warnings scenarios.Problems) {
	for _, w := range warnings {
		fmt.Fprintln(stderr, "fleetsim: warning:", w.Error())
	}
}
