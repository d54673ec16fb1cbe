package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/fleetsim/fleetsim/scenarios"
	"github.com/fleetsim/fleetsim/sweep"
)

// listFlag collects a repeated flag's values.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, " ") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

const sweepUsage = `usage: fleetsim sweep [SCENARIO] --vary KEY=V1,V2,... [--vary ...] [--set KEY=V ...]
                      [--seeds N] [-j WORKERS] [--shard I/N] [-o DIR] [--restart] [-q]
  SCENARIO is a library scenario's name (fleetsim list) or a .toml file
  (default: the library's ` + scenarios.DefaultName + `). Runs every combination of the --vary values, each with N seeds, and writes
  DIR/results.csv, DIR/report.html and DIR/sweep.json (a shard: no report).
  KEY is a dotted scenario path (services.web.desired_count,
  services.web.auto_scaling.target_tracking.0.target_value); values are TOML
  (60, 0.5, "2h", true, ["m5.large","m5.xlarge"]); a bare word such as eks
  or m5.large is a string (--vary orchestrator=ecs,eks). --shard I/N
  (0 <= I < N) runs runs I, I+N, I+2N...; join shard folders with fleetsim
  merge.
  Finished runs are kept in DIR as they finish: after Ctrl-C (exit 130) or a
  crash, the same command resumes; --restart discards them instead. DIR
  holding anything but a sweep's files and shard folders is refused (exit 2)
  unless --force, which writes the sweep's files beside what is there.
  Each variant is compared with v1 (the first value of every --vary) seed by
  seed: put the current setting first.
`

func cmdSweep(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("sweep", stderr)
	var vary, set listFlag
	fs.Var(&vary, "vary", "`KEY=V1,V2,...`: a varied key and its values (repeatable)")
	fs.Var(&set, "set", "`KEY=VALUE`: a key set in every variant (repeatable)")
	seeds := fs.Int("seeds", 5, "`N` seeds per variant, derived from the scenario's seed")
	workers := fs.Int("j", runtime.GOMAXPROCS(0), "simulations run at once (default: the CPUs this process may use)")
	shardArg := fs.String("shard", "", "run only shard `I/N` (0-based: 0/3, 1/3, 2/3)")
	out := fs.String("o", "", "output `directory` (default out/<scenario>-sweep, a shard's out/<scenario>-sweep/shard-I-of-N)")
	quiet := fs.Bool("q", false, "quiet: no progress bar and no table")
	restart := fs.Bool("restart", false, "discard the unfinished sweep in the output directory instead of resuming it")
	force := fs.Bool("force", false, "write into DIR even if it holds files that are not a sweep's (they are left alone)")
	pos, code, done := parseArgs(fs, sweepUsage, args, stdout, stderr)
	if done {
		return code
	}
	if len(pos) > 1 {
		fmt.Fprintf(stderr, "fleetsim sweep: one scenario at a time, found %d: %s\n", len(pos), strings.Join(pos, " "))
		return exitBadInput
	}
	spec, shard, code := sweepSpec(pos, vary, set, *seeds, *shardArg, *workers, stderr)
	if code != exitOK {
		return code
	}
	plan, err := sweep.NewPlan(spec)
	if err != nil {
		return reportProblems(stderr, err)
	}
	dir := *out
	if dir == "" {
		if dir, err = nameDir("out", plan.Manifest.Scenario, "-sweep"); err != nil {
			fmt.Fprintf(stderr, "fleetsim sweep: %v: give the folder with -o; nothing was run or written\n", err)
			return exitBadInput
		}
		if shard.Count > 1 {
			dir = filepath.Join(dir, fmt.Sprintf("shard-%d-of-%d", shard.Index, shard.Count))
		}
	}
	if code := checkSweepFolder("sweep", dir, *force, "run or written", stderr); code != exitOK {
		return code
	}
	m := plan.Manifest
	m.Shard = shard
	journal, err := sweep.OpenJournal(dir, &m, *restart)
	var re *sweep.ResumeError
	if errors.As(err, &re) {
		fmt.Fprintf(stderr, "fleetsim sweep: %v\n", err)
		fmt.Fprintf(stderr, "fleetsim sweep: rerun that sweep's command to finish it, choose another -o, or add --restart to discard it; nothing was run or written\n")
		return exitBadInput
	}
	if err != nil {
		fmt.Fprintln(stderr, "fleetsim sweep:", err)
		return exitFailure
	}
	defer journal.Close()
	return runSweep(sweepRun{plan: plan, journal: journal, shard: shard, dir: dir, workers: *workers, quiet: *quiet, args: args, file: spec.Base.File}, stdout, stderr)
}

// sweepRun is a planned sweep with its journal, ready to run.
type sweepRun struct {
	plan    *sweep.Plan
	journal *sweep.Journal
	shard   sweep.Shard
	dir     string
	workers int
	quiet   bool
	args    []string // as given, to print the resume command
	file    string
}

// runSweep runs what the journal does not hold yet, then writes the results.
func runSweep(sr sweepRun, stdout, stderr io.Writer) int {
	shardRuns := sr.plan.RunsOf(sr.shard)
	resumed := len(sr.journal.Done())
	runs := sweep.Pending(shardRuns, sr.journal.Done())
	if resumed > 0 && !sr.quiet {
		fmt.Fprintf(stdout, "resuming %s: %d of %d run(s) already done\n", sr.dir, resumed, len(shardRuns))
	}
	ctx, interrupted, stop := onInterrupt()
	defer stop()
	bar := sweepProgress(len(shardRuns), resumed, stderr, sr.quiet)
	defer sweepGC(sr.plan, sr.workers)() // memlimit.go
	wallStart := time.Now()
	saved := 0 // runs in the journal now; Execute calls OnRow one at a time
	onRow := func(r sweep.Row) error {
		err := sr.journal.Add(r)
		if err == nil {
			saved++
		}
		return err
	}
	rows, err := sweep.ExecuteContext(ctx, sr.plan, runs, sweep.Options{Workers: sr.workers, Progress: bar, OnRow: onRow, Flush: sr.journal.SyncSoon})
	wall := time.Since(wallStart)
	kept := filepath.Join(sr.dir, sweep.PartialRunsFile)
	if errors.Is(err, context.Canceled) {
		sig := <-interrupted
		fmt.Fprintf(stderr, "\nfleetsim sweep: %v: stopped with %d of %d run(s) of shard %s done, kept in %s\n",
			sig, resumed+saved, len(shardRuns), sr.shard, kept)
		fmt.Fprintf(stderr, "fleetsim sweep: to resume, run the same command again:\n  fleetsim sweep %s\n", shellQuote(sr.args))
		return exitInterrupted
	}
	if err != nil {
		fmt.Fprintf(stderr, "fleetsim sweep: %s: %v\n", sr.file, err)
		if resumed+saved > 0 {
			fmt.Fprintf(stderr, "fleetsim sweep: the %d finished run(s) are kept in %s; the same command resumes after them\n", resumed+saved, kept)
		}
		return exitFailure
	}
	if rows, err = sr.journal.Finish(rows); err != nil {
		fmt.Fprintln(stderr, "fleetsim sweep:", err)
		return exitFailure
	}
	if err := removeStaleReport(sr.dir, sr.shard); err != nil {
		fmt.Fprintln(stderr, "fleetsim sweep:", err)
		return exitFailure
	}
	if !sr.quiet {
		printSweepDone(stdout, sr, rows, resumed, len(runs), wall)
	}
	return exitOK
}

// onInterrupt turns the first Ctrl-C or SIGTERM into a cancelled context (no
// more runs start; those under way finish and are journalled) and reports
// the signal; a second one gets the default action, abandoning the runs in
// flight.
func onInterrupt() (context.Context, <-chan os.Signal, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	interrupted := make(chan os.Signal, 1)
	go func() {
		select {
		case sig := <-sigs:
			signal.Stop(sigs)
			interrupted <- sig
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, interrupted, func() { signal.Stop(sigs); cancel() }
}

// printSweepDone prints the sweep's line and, for a whole sweep, its table.
func printSweepDone(stdout io.Writer, sr sweepRun, rows []sweep.Row, resumed, ran int, wall time.Duration) {
	m := sr.plan.Manifest
	done := fmt.Sprintf("%d run(s)", len(rows))
	if resumed > 0 {
		done = fmt.Sprintf("%d run(s) (%d resumed)", len(rows), resumed)
	}
	fmt.Fprintf(stdout, "%s: %d variant(s) x %d seed(s); %s of shard %s in %s wall on %d worker(s)\n",
		m.Scenario, len(m.Variants), m.Seeds, done, sr.shard, wall.Round(time.Millisecond), max(1, min(sr.workers, ran)))
	if sr.shard.Count == 1 {
		m.Shard = sr.shard
		printVariants(stdout, &m, rows)
	}
	fmt.Fprintf(stdout, "wrote %s\n", sr.dir)
}

// A sweep's folder is not written as a whole, as a run's is (report.
// WriteRunFolder): the journal of finished runs must stay in it across
// Ctrl-C and crashes for the same command to resume, and the unsharded
// sweep's folder holds its shards' folders (shard-I-of-N) by default, which
// replacing the folder would delete. So the rule applies to the sweep's
// files only: each of results.csv, report.html and sweep.json is written
// whole (report.WriteFile) by sweep.Write, a file of an earlier sweep that
// this one does not write goes (removeStaleReport), and a folder that holds
// anything else is refused without --force (checkSweepFolder).

// sweepFiles are the files a sweep or merge writes in its folder, finished
// or under way.
var sweepFiles = []string{sweep.ResultsFile, sweep.ReportFile, sweep.ManifestFile, sweep.PartialManifestFile, sweep.PartialRunsFile}

// shardFolder is the name of a shard's folder inside a sweep's.
var shardFolder = regexp.MustCompile(`^shard-[0-9]+-of-[0-9]+$`)

// sweepFolderProblem says what dir holds that is not a sweep's: "" when it
// is missing or empty, or holds only a sweep's files (sweepFiles), shard
// folders, and what a write cut short leaves (".results.csv.123",
// ".merge.tmp-123"); a folder with report.html and nothing else of a
// sweep's (what fleetsim compare writes) is not a sweep's.
func sweepFolderProblem(dir string) (string, error) {
	info, err := os.Lstat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", nil
	case err != nil:
		return "", err
	case !info.IsDir():
		return "it is not a folder (a file or a link)", nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	var others []string
	sweepish := len(entries) == 0
	for _, e := range entries {
		name := e.Name()
		switch {
		case e.Type().IsRegular() && slices.Contains(sweepFiles, name):
			sweepish = sweepish || name != sweep.ReportFile
		case e.IsDir() && shardFolder.MatchString(name):
			sweepish = true
		case e.Type().IsRegular() && slices.ContainsFunc(sweepFiles, func(f string) bool { return strings.HasPrefix(name, "."+f+".") }),
			e.IsDir() && strings.HasPrefix(name, mergeTmpPrefix):
		default:
			others = append(others, name)
		}
	}
	switch {
	case len(others) > 0:
		shown := strings.Join(others[:min(len(others), 3)], ", ")
		if len(others) > 3 {
			shown += fmt.Sprintf(" and %d more", len(others)-3)
		}
		return "files a sweep does not write: " + shown, nil
	case !sweepish:
		return sweep.ReportFile + " without " + sweep.ResultsFile + " or " + sweep.ManifestFile, nil
	}
	return "", nil
}

// checkSweepFolder refuses, exit 2, a folder that holds something other
// than a sweep, unless force; cmd is "sweep" or "merge".
func checkSweepFolder(cmd, dir string, force bool, nothing string, stderr io.Writer) int {
	if force {
		return exitOK
	}
	why, err := sweepFolderProblem(dir)
	if err != nil {
		fmt.Fprintf(stderr, "fleetsim %s: %v\n", cmd, err)
		return exitFailure
	}
	if why == "" {
		return exitOK
	}
	fmt.Fprintf(stderr, "fleetsim %s: %s holds something other than a sweep: %s\n", cmd, dir, why)
	fmt.Fprintf(stderr, "fleetsim %s: give another folder with -o, or add --force to write the sweep's files there (what else it holds is left alone); nothing was %s\n", cmd, nothing)
	return exitBadInput
}

// removeStaleReport removes the report.html of an earlier, unsharded sweep
// from a shard's folder, which has none of its own.
func removeStaleReport(dir string, shard sweep.Shard) error {
	if shard.Count == 1 {
		return nil
	}
	if err := os.Remove(filepath.Join(dir, sweep.ReportFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// exitInterrupted is the exit code after Ctrl-C (128 + SIGINT, as shells
// report it): the finished runs are kept and the same command resumes.
const exitInterrupted = 130

// shellQuote joins args for a POSIX shell, quoting those that need it.
func shellQuote(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if a != "" && strings.Trim(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=,:@%+") == "" {
			out[i] = a
			continue
		}
		out[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(out, " ")
}

// sweepSpec turns the command line into a sweep.Spec; code is exitOK or
// exitBadInput (after printing why).
func sweepSpec(pos, vary, set []string, seeds int, shardArg string, workers int, stderr io.Writer) (sweep.Spec, sweep.Shard, int) {
	bad := func(format string, a ...any) (sweep.Spec, sweep.Shard, int) {
		fmt.Fprintf(stderr, "fleetsim sweep: "+format+"\n", a...)
		return sweep.Spec{}, sweep.Shard{}, exitBadInput
	}
	if seeds < 1 {
		return bad("--seeds %d: want at least 1", seeds)
	}
	if workers < 1 {
		return bad("-j %d: want at least 1", workers)
	}
	shard := sweep.Shard{Index: 0, Count: 1}
	if shardArg != "" {
		var err error
		if shard, err = sweep.ParseShard(shardArg); err != nil {
			return bad("--%v", err)
		}
	}
	spec := sweep.Spec{Seeds: seeds}
	var errs []error
	for _, s := range set {
		o, err := sweep.ParseOverride(s)
		errs = append(errs, err)
		spec.Set = append(spec.Set, o)
	}
	for _, v := range vary {
		a, err := sweep.ParseAxis(v)
		errs = append(errs, err)
		spec.Axes = append(spec.Axes, a)
	}
	if err := errors.Join(errs...); err != nil {
		return bad("%v", strings.ReplaceAll(err.Error(), "\n", "\nfleetsim sweep: "))
	}
	name := ""
	if len(pos) == 1 {
		name = pos[0]
	}
	sc, readRel, err := resolveSweep(name)
	if err != nil {
		return spec, shard, reportProblems(stderr, err)
	}
	spec.Base, spec.ReadRel = sc, readRel
	return spec, shard, exitOK
}

// resolveSweep loads the scenario a sweep names (a test may stand in for it).
var resolveSweep = sweep.Resolve

// sweepProgress returns a progress callback that draws a bar of finished
// runs on stderr when it is a terminal, or nil.
func sweepProgress(total, resumed int, stderr io.Writer, quiet bool) func(done, total int) {
	f, ok := stderr.(*os.File)
	if quiet || !ok || !term.IsTerminal(int(f.Fd())) || total == 0 {
		return nil
	}
	bar := progressbar.NewOptions(total,
		progressbar.OptionSetWriter(stderr),
		progressbar.OptionSetDescription("sweeping"),
		progressbar.OptionSetItsString("runs"),
		progressbar.OptionShowIts(),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionClearOnFinish())
	_ = bar.Set(resumed)
	return func(done, _ int) {
		_ = bar.Set(resumed + done)
		if resumed+done == total {
			_ = bar.Finish()
		}
	}
}

// printVariants prints per variant the means (± the 95% CI half-width) of
// the outcomes a capacity planner looks at first and, for cost and SLO, the
// paired difference from the baseline; then the varied keys in full and a
// sentence per variant against the baseline.
func printVariants(stdout io.Writer, m *sweep.Manifest, rows []sweep.Row) {
	vs := sweep.Summarize(m, rows)
	keys := make([]string, len(m.Axes))
	for i, a := range m.Axes {
		keys[i] = a.Key
	}
	short := sweep.ShortKeys(keys)
	base := "v" + strconv.Itoa(sweep.Baseline)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	head := append([]string{"variant"}, short...)
	head = append(head, "runs", "$/day", "vs "+base+" (95% CI)", "SLO %", "vs "+base+" pp (95% CI)", "p95 wait s", "peak inst")
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	cost, slo, wait, peak := metricAt("usd_per_day"), metricAt("slo_attainment_pct"), metricAt("p95_wait_s"), metricAt("peak_instances")
	for _, v := range vs {
		id := "v" + strconv.Itoa(v.ID)
		if v.Pareto {
			id += " *"
		}
		if v.SameAs != 0 {
			id += " =v" + strconv.Itoa(v.SameAs)
		}
		line := append([]string{id}, v.Values...)
		line = append(line, strconv.Itoa(v.Runs),
			meanPM(v.Stats[cost], sweep.Metrics[cost].Decimals), pairedText(v, cost),
			meanPM(v.Stats[slo], sweep.Metrics[slo].Decimals), pairedText(v, slo),
			meanPM(v.Stats[wait], sweep.Metrics[wait].Decimals), meanPM(v.Stats[peak], sweep.Metrics[peak].Decimals))
		fmt.Fprintln(tw, strings.Join(line, "\t"))
	}
	tw.Flush()
	for i, k := range keys {
		if short[i] != k {
			fmt.Fprintf(stdout, "%s: %s\n", short[i], k)
		}
	}
	for _, s := range sweep.Sentences(vs) {
		fmt.Fprintln(stdout, s)
	}
	fmt.Fprintf(stdout, "(* on the cost-vs-quality Pareto front, a difference within seed noise counting as a tie; =vN: the same outcomes as vN on every seed;\n"+
		" ± is the 95%% confidence half-width; \"vs %s\" is the mean paired difference from %s over the same seeds)\n", base, base)
}

// metricAt is the position of a results.csv column in sweep.Metrics.
func metricAt(col string) int {
	for i, m := range sweep.Metrics {
		if m.Column == col {
			return i
		}
	}
	panic("fleetsim: no sweep metric " + col)
}

// pairedText is variant v's paired difference from the baseline on metric
// i: "-2.42 (-2.44, -2.40)", "baseline", or "-" without data.
func pairedText(v sweep.VariantSummary, i int) string {
	if v.ID == sweep.Baseline {
		return "baseline"
	}
	if len(v.Diffs) <= i || math.IsNaN(v.Diffs[i].Mean) {
		return "-"
	}
	d, dec := v.Diffs[i], sweep.Metrics[i].Decimals
	f := func(x float64) string { // no "-0.00": a difference that rounds to zero has no sign
		s := strconv.FormatFloat(x, 'f', dec, 64)
		if strings.Trim(s, "-0.") == "" {
			return strings.TrimPrefix(s, "-")
		}
		return s
	}
	if math.IsNaN(d.HalfWide) {
		return f(d.Mean)
	}
	return f(d.Mean) + " (" + f(d.Lo) + ", " + f(d.Hi) + ")"
}

func meanPM(iv sweep.Interval, decimals int) string {
	if math.IsNaN(iv.Mean) {
		return "-"
	}
	s := strconv.FormatFloat(iv.Mean, 'f', decimals, 64)
	if !math.IsNaN(iv.HalfWide) {
		s += " ± " + strconv.FormatFloat(iv.HalfWide, 'f', decimals, 64)
	}
	return s
}
