package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/fleetsim/fleetsim/report"
	"github.com/fleetsim/fleetsim/scenarios"
	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/des"
)

const runUsage = `usage: fleetsim run [-o DIR] [--seed N] [-q] [SCENARIO] [--set KEY=VALUE ...]
  Runs SCENARIO, a library scenario's name (fleetsim list) or a .toml file
  (default: the library's ` + scenarios.DefaultName + `), and writes report.html, the CSV and
  the JSON files into DIR, then prints the cost, each service's waits, SLO
  attainment and availability, and the placement failures. --set sets a
  scenario key as a sweep's --set does (a dotted path, a TOML value:
  --set orchestrator=eks, --set services.web.desired_count=6); with --set
  and no -o, DIR is out/<scenario name>-<values> (out/ecs-vs-eks-eks). DIR is written
  whole: into .DIR.tmp-XXXX beside it, which replaces DIR when complete, so
  an earlier run there is replaced as a whole or, after an error or Ctrl-C,
  left as it was. A DIR that holds anything but an earlier run (a run's
  folder holds ` + report.RunMarker + ` and only the files a run writes) is
  refused unless --force. The scenario's warnings (fields AWS accepts that
  fleetsim does not model, quotas passed) are printed, kept in summary.json
  and shown in the report; --strict makes them problems. Exit 2 on bad
  input (nothing is written), 1 if the run fails, 130 after Ctrl-C or
  SIGTERM (nothing is written).
`

// pauseAfterEnv is the CLI's test hook: with FLEETSIM_TEST_PAUSE_AFTER=NAME
// in the environment, run stops after writing the file NAME (summary.json,
// plots/cost.png ...) into its temporary folder, says so on stderr and
// waits for a signal (at most a minute), so that a test can interrupt a
// write half-way. Unset, as it is outside tests, it does nothing.
const pauseAfterEnv = "FLEETSIM_TEST_PAUSE_AFTER"

func cmdRun(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("run", stderr)
	out := fs.String("o", "", "output `directory` (default out/<scenario name>)")
	var seed seedFlag
	fs.Var(&seed, "seed", "run with seed `N` (0 to 18446744073709551615, as a sweep prints them) instead of the scenario's")
	quiet := fs.Bool("q", false, "quiet: no progress bar and no summary table")
	force := fs.Bool("force", false, "replace DIR even if it holds something other than an earlier run")
	gz := fs.Bool("gzip", false, "write timeseries.csv and events.csv gzip-compressed, as timeseries.csv.gz and events.csv.gz")
	strict := fs.Bool("strict", false, "treat the scenario's warnings (fields not modelled, quotas passed) as problems: nothing is run")
	var sets listFlag
	fs.Var(&sets, "set", "`KEY=VALUE`: set a scenario key, as a sweep's --set (repeatable)")
	var explain explainFlag
	fs.Var(&explain, "explain", "write explain.json and a report section for the first 5 pods whose name starts with `PREFIX` (or that carry labels KEY=VALUE[,KEY=VALUE]; ECS: the first 5 placements of the services and batch jobs it starts); repeatable")
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
	ovs, err := runOverrides(sets) // run_set.go
	if err != nil {
		fmt.Fprintf(stderr, "fleetsim run: %s\nfleetsim run: nothing was run or written\n", strings.ReplaceAll(err.Error(), "\n", "\nfleetsim run: "))
		return exitBadInput
	}
	var sc *scenarios.Scenario
	if len(ovs) > 0 {
		sc, err = resolveWithSets(name, ovs)
	} else {
		sc, err = resolveScenario(name)
	}
	if err == nil && *strict && len(sc.Warnings) > 0 {
		err = sc.Warnings
	}
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
	if err := addExplain(cfg, explain); err != nil { // explain.go
		fmt.Fprintf(stderr, "fleetsim run: %v; nothing was run or written\n", err)
		return exitBadInput
	}
	dir := *out
	if dir == "" {
		if dir, err = nameDir("out", cfg.Name, setSuffix(ovs)); err != nil {
			fmt.Fprintf(stderr, "fleetsim run: %v: give the folder with -o; nothing was run or written\n", err)
			return exitBadInput
		}
	}

	if err := report.CheckRunFolder(dir, *force); err != nil {
		return refuseFolder(stderr, err, "run or written")
	}

	ctx, interrupted, stopSignals := catchInterrupts()
	defer stopSignals()
	defer softMemoryLimit(cfg)() // memlimit.go
	w := sim.New(cfg)
	stop := showProgress(ctx, w.Engine(), cfg.Duration, stderr, *quiet)
	wallStart := time.Now()
	res, err := w.Run()
	wall := time.Since(wallStart)
	stop()
	if ctx.Err() != nil {
		return runInterrupted(stderr, interrupted(), dir)
	}
	if err != nil {
		fmt.Fprintf(stderr, "fleetsim: %s: %v\n", sc.File, err)
		return exitFailure
	}
	res.Summary.Warnings = warningLines(sc.Warnings)
	bi, ok := debug.ReadBuildInfo()
	opts := report.WriteOptions{Outputs: sc.Outputs, Version: versionLine(bi, ok), Force: *force, Gzip: *gz,
		AfterFile: pauseAfter(ctx, os.Getenv(pauseAfterEnv), stderr)}
	wrote, err := report.WriteRunFolder(ctx, dir, res, sc.Source, opts)
	switch {
	case errors.Is(err, context.Canceled):
		return runInterrupted(stderr, interrupted(), dir)
	case errors.Is(err, report.ErrFolderInUse), errors.Is(err, report.ErrWorkingFolder): // changed while the run was simulated
		return refuseFolder(stderr, err, "written")
	case err != nil:
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

// refuseFolder reports a folder run will not write (report.ErrFolderInUse,
// report.ErrWorkingFolder): exit 2, with what to do instead.
func refuseFolder(stderr io.Writer, err error, nothing string) int {
	if errors.Is(err, report.ErrWorkingFolder) {
		fmt.Fprintf(stderr, "fleetsim run: %v\n", strings.Replace(err.Error(), "report: the output folder", "it", 1))
		fmt.Fprintf(stderr, "fleetsim run: give another folder with -o; nothing was %s\n", nothing)
		return exitBadInput
	}
	fmt.Fprintf(stderr, "fleetsim run: %v\n", strings.Replace(err.Error(), report.ErrFolderInUse.Error(), "it holds something other than an earlier fleetsim run", 1))
	fmt.Fprintf(stderr, "fleetsim run: give another folder with -o, or add --force to replace it; nothing was %s\n", nothing)
	return exitBadInput
}

// runInterrupted reports a run stopped by a signal: the temporary folder is
// gone and dir is as it was.
func runInterrupted(stderr io.Writer, sig os.Signal, dir string) int {
	fmt.Fprintf(stderr, "\nfleetsim run: %v: stopped; nothing was written, %s is as it was\n", sig, dir)
	return exitInterrupted
}

// catchInterrupts catches SIGINT and SIGTERM until stop is called: the
// first cancels ctx, and interrupted returns it; later ones are dropped
// (not the default action), so a second Ctrl-C cannot kill the process
// half-way through removing its temporary folder.
func catchInterrupts() (ctx context.Context, interrupted func() os.Signal, stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	var first atomic.Value
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-sigs:
			first.Store(sig)
			cancel()
		case <-done:
		}
	}()
	interrupted = func() os.Signal {
		if sig, ok := first.Load().(os.Signal); ok {
			return sig
		}
		return os.Interrupt
	}
	return ctx, interrupted, func() { signal.Stop(sigs); close(done); cancel() }
}

// pauseAfter is the report.WriteOptions.AfterFile of the test hook
// (pauseAfterEnv): nil when name is "".
func pauseAfter(ctx context.Context, name string, stderr io.Writer) func(string) {
	if name == "" {
		return nil
	}
	return func(path string) {
		if filepath.ToSlash(path) != name && !strings.HasSuffix(filepath.ToSlash(path), "/"+name) {
			return
		}
		fmt.Fprintf(stderr, "fleetsim run: test hook %s: paused after writing %s\n", pauseAfterEnv, path)
		select {
		case <-ctx.Done():
		case <-time.After(time.Minute):
		}
	}
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
// terminal and the run lasts more than a second of wall time, and stops the
// run once ctx is cancelled (checked every 0.5% of the simulated time). It
// returns a function that finishes the bar.
func showProgress(ctx context.Context, eng *des.Engine, total time.Duration, stderr io.Writer, quiet bool) func() {
	f, ok := stderr.(*os.File)
	tty := !quiet && ok && term.IsTerminal(int(f.Fd()))
	start := time.Now()
	var bar *progressbar.ProgressBar
	eng.OnProgress(des.At(total/200+1), func(now des.Time) {
		if ctx.Err() != nil {
			eng.Stop()
			return
		}
		if !tty {
			return
		}
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

// warningLines is the warnings as summary.json and the report give them:
// one a line, as printed.
func warningLines(warnings scenarios.Problems) []string {
	var out []string
	for _, w := range warnings {
		out = append(out, w.Error())
	}
	return out
}
