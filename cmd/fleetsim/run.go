package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/fleetsim/fleetsim/report"
	"github.com/fleetsim/fleetsim/scenarios"
	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/des"
)

func cmdRun(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "output `directory` (default out/<scenario name>)")
	seed := fs.Int64("seed", -1, "override the scenario's `seed`")
	quiet := fs.Bool("q", false, "quiet: no progress bar and no summary table")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return exitBadInput
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
	cfg := sc.Config
	if *seed >= 0 {
		cfg.Seed = uint64(*seed)
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
		printSummary(stdout, sc, res, wall, dir, wrote)
	}
	return exitOK
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

func printSummary(stdout io.Writer, sc *scenarios.Scenario, res *sim.Result, wall time.Duration, dir string, wrote []string) {
	s := res.Summary
	fmt.Fprintf(stdout, "%s (seed %d): %s simulated in %s wall, %d events (%.2f M events/s)\n",
		s.Scenario, s.Seed, s.SimulatedDuration, wall.Round(time.Millisecond), s.EventsProcessed,
		float64(s.EventsProcessed)/wall.Seconds()/1e6)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "service\tdesired\trunning\tstarted\tstopped\twait p50\twait p95\twait max\t")
	const maxRows = 20
	for i, sv := range s.Services {
		if i == maxRows {
			fmt.Fprintf(tw, "(%d more services: see summary.json)\t\t\t\t\t\t\t\t\n", len(s.Services)-maxRows)
			break
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%.1fs\t%.1fs\t%.1fs\t\n", sv.Name, sv.DesiredAtEnd, sv.RunningAtEnd,
			sv.TasksStarted, sv.TasksStopped, sv.PlacementWait.P50, sv.PlacementWait.P95, sv.PlacementWait.Max)
	}
	for _, j := range s.BatchJobs {
		fmt.Fprintf(tw, "job %s\t\t%d\t%d\t%d\t%.1fs\t%.1fs\t%.1fs\t\n", j.Name, j.RunningAtEnd, j.Submitted, j.Completed,
			j.PlacementWait.P50, j.PlacementWait.P95, j.PlacementWait.Max)
	}
	tw.Flush()
	fmt.Fprintf(stdout, "instances: %d launched, %d at peak, %d at end\n", s.Instances.Launched, s.Instances.Peak, s.Instances.AtEnd)
	if len(s.PlacementFailures) > 0 {
		fmt.Fprintf(stdout, "placement failures (tasks, by first reason): %v\n", s.PlacementFailures)
	}
	fmt.Fprintf(stdout, "wrote %s/{%s}\n", dir, strings.Join(wrote, ","))
}
