// Package report turns a run's recorded results into files: CSV series and
// events, JSON summary, final state and cost, gonum plots, and the
// self-contained HTML report; and compares runs. It reads sim.Result and
// never drives a simulation.
package report

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fleetsim/fleetsim/sim"
)

// Files are the files WriteRun writes, in order. It also writes one PNG per
// figure under PlotsDir (plots/<figure id>.png) and, last, the RunMarker.
var Files = []string{"timeseries.csv", "events.csv", "summary.json", "state.json", "cost.json", "report.html"}

// PlotsDir is the folder, inside a run's folder, of the figures' PNGs.
const PlotsDir = "plots"

// WriteRun writes a run's outputs into dir as a whole folder (see
// WriteRunFolder): the CSV and JSON files, cost.json (ComputeCost at
// DefaultPrices), report.html (which echoes source, the scenario text) and
// plots/*.png.
func WriteRun(dir string, res *sim.Result, source string) error {
	_, err := WriteRunOutputs(dir, res, source, nil)
	return err
}

// outputKind says which of a scenario's [report] outputs each file belongs
// to: "csv", "json" or "html" (the figures' PNGs go with html).
var outputKind = map[string]string{"timeseries.csv": "csv", "events.csv": "csv", "summary.json": "json",
	"state.json": "json", "cost.json": "json", "report.html": "html"}

// WriteRunOutputs is WriteRun for the outputs a scenario asks for ("csv",
// "json", "html"; none listed: all). It returns the files it wrote.
func WriteRunOutputs(dir string, res *sim.Result, source string, outputs []string) ([]string, error) {
	return WriteRunFolder(context.Background(), dir, res, source, WriteOptions{Outputs: outputs})
}

// RunMarker is the file, inside a run's folder, that says a fleetsim run
// wrote the folder: the line "fleetsim run", then the version of the
// fleetsim that wrote it (WriteOptions.Version), if known. It is written
// last, so a folder that holds it holds the whole run.
const RunMarker = ".fleetsim-run"

// runMarkerLine is the marker's first line.
const runMarkerLine = "fleetsim run"

// ErrFolderInUse is what WriteRunFolder returns, wrapped with the folder's
// name and what it holds, for a folder at the target that is not an earlier
// run (IsRunFolder) and that it was not told to replace (Force): nothing was
// written.
var ErrFolderInUse = errors.New("report: the output folder holds something other than an earlier fleetsim run")

// ErrWorkingFolder is what WriteRunFolder returns, wrapped with the
// folder's name, for the working folder or one that holds it ("." or ".."
// as often as not), which it never replaces, even with Force.
var ErrWorkingFolder = errors.New("report: the output folder is or holds the working folder, which is never replaced")

// WriteOptions says how WriteRunFolder writes a run's folder.
type WriteOptions struct {
	Outputs []string // "csv", "json", "html" ([report] outputs); none: all
	Version string   // the fleetsim version, written into the RunMarker
	// Force replaces whatever folder or file is at the target, not only an
	// earlier run.
	Force bool
	// AfterFile, if set, is called with each file's path in the temporary
	// folder once it is written. The CLI's test hook pauses there.
	AfterFile func(path string)
	// Gzip writes the CSV files gzip-compressed, as timeseries.csv.gz and
	// events.csv.gz (GzipName), in place of timeseries.csv and events.csv.
	Gzip bool
}

// WriteRunFolder writes a run's outputs as a whole folder at dir. The files
// go into a temporary folder beside dir (same parent, ".NAME.tmp-XXXX"),
// which replaces dir only when every file is written: a crash, an error or a
// cancelled ctx (checked between files) leaves what was at dir as it was and
// no partial folder there; on an error or cancellation the temporary folder
// is removed. What was at dir is replaced as a whole, so files of an earlier
// run that this one does not write (more figures, outputs [report] no
// longer asks for) do not survive. dir may be missing, an empty folder or
// an earlier run (IsRunFolder); anything else is refused with an error
// wrapping ErrFolderInUse unless opt.Force. It returns the files it wrote
// (report.Files order; the figures and the marker not listed).
func WriteRunFolder(ctx context.Context, dir string, res *sim.Result, source string, opt WriteOptions) ([]string, error) {
	var wrote []string
	err := replaceFolder(ctx, dir, opt.Force, func(tmp string) error {
		var err error
		wrote, err = writeRunFiles(ctx, tmp, res, source, opt)
		return err
	})
	if err != nil {
		return nil, err
	}
	return wrote, nil
}

// writeRunFiles writes the run's files into dir, a fresh folder, checking
// ctx between files; the marker goes last.
func writeRunFiles(ctx context.Context, dir string, res *sim.Result, source string, opt WriteOptions) ([]string, error) {
	want := func(name string) bool { return len(opt.Outputs) == 0 || slices.Contains(opt.Outputs, outputKind[name]) }
	cost, err := ComputeCost(res, PricesFor(res.Config))
	if err != nil {
		return nil, err
	}
	var figs []*Figure
	if want("report.html") {
		if figs, err = Figures(res, cost); err != nil {
			return nil, err
		}
		if err := os.Mkdir(filepath.Join(dir, PlotsDir), 0o755); err != nil {
			return nil, err
		}
	}
	writers := []func(*bufio.Writer) error{
		func(w *bufio.Writer) error { return WriteSeries(w, res) },
		func(w *bufio.Writer) error { return WriteEvents(w, res) },
		func(w *bufio.Writer) error { return writeJSON(w, res.Summary) },
		func(w *bufio.Writer) error { return writeState(w, res) },
		func(w *bufio.Writer) error { return writeCost(w, res, cost) },
		func(w *bufio.Writer) error { return WriteHTML(w, res, cost, figs, source) },
	}
	write := func(path string, fill func(*bufio.Writer) error) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := WriteFile(path, fill); err != nil {
			return err
		}
		if opt.AfterFile != nil {
			opt.AfterFile(path)
		}
		return ctx.Err()
	}
	var wrote []string
	for i, name := range Files {
		if !want(name) {
			continue
		}
		fill := writers[i]
		if opt.Gzip && outputKind[name] == "csv" {
			name, fill = GzipName(name), gzipped(fill)
		}
		if err := write(filepath.Join(dir, name), fill); err != nil {
			return nil, err
		}
		wrote = append(wrote, name)
	}
	if wrote, err = writeExplain(dir, res, want("summary.json"), write, wrote); err != nil { // explain.json, when asked for (explain.go)
		return nil, err
	}
	for _, f := range figs {
		png, err := f.PNG()
		if err != nil {
			return nil, err
		}
		fill := func(w *bufio.Writer) error { _, err := w.Write(png); return err }
		if err := write(filepath.Join(dir, PlotsDir, f.ID+".png"), fill); err != nil {
			return nil, err
		}
	}
	marker := runMarkerLine + "\n"
	if opt.Version != "" {
		marker += opt.Version + "\n"
	}
	err = write(filepath.Join(dir, RunMarker), func(w *bufio.Writer) error { _, err := w.WriteString(marker); return err })
	return wrote, err
}

// IsRunFolder reports whether dir holds an earlier fleetsim run that
// WriteRunFolder may replace: a folder holding the RunMarker or summary.json
// (a run from before the marker) and nothing but what a run writes: the
// marker, the Files, and PlotsDir with only .png files in it. A file added
// to a run's folder by hand makes it something else, so that replacing a
// run never removes what a run did not write. If it is not a run, why says
// what dir holds instead; a missing or empty dir is no run folder, with
// why "".
func IsRunFolder(dir string) (ok bool, why string, err error) {
	info, err := os.Lstat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, "", nil
	case err != nil:
		return false, "", err
	case !info.IsDir():
		return false, "it is not a folder (a file or a link)", nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false, "", err
	}
	known := false
	var others []string
	for _, e := range entries {
		name := e.Name()
		switch {
		case name == RunMarker && e.Type().IsRegular():
			b, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				return false, "", err
			}
			if first, _, _ := strings.Cut(string(b), "\n"); first != runMarkerLine {
				others = append(others, name+" (not a fleetsim run's)")
				continue
			}
			known = true
		case (slices.Contains(Files, name) || isGzipped(name) || name == ExplainFile) && e.Type().IsRegular():
			known = known || name == "summary.json"
		case name == PlotsDir && e.IsDir():
			bad, err := notPNGs(filepath.Join(dir, name))
			if err != nil {
				return false, "", err
			}
			others = append(others, bad...)
		default:
			others = append(others, name)
		}
	}
	switch {
	case len(others) > 0:
		return false, describeOthers(others), nil
	case !known && len(entries) > 0:
		return false, "neither " + RunMarker + " nor summary.json", nil
	}
	return known, "", nil
}

// notPNGs lists what a plots folder holds besides .png files.
func notPNGs(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var bad []string
	for _, e := range entries {
		if !e.Type().IsRegular() || filepath.Ext(e.Name()) != ".png" {
			bad = append(bad, filepath.ToSlash(filepath.Join(PlotsDir, e.Name())))
		}
	}
	return bad, nil
}

// describeOthers names up to three entries a run does not write.
func describeOthers(names []string) string {
	const show = 3
	s := strings.Join(names[:min(len(names), show)], ", ")
	if len(names) > show {
		s += fmt.Sprintf(" and %d more", len(names)-show)
	}
	return "files a run does not write: " + s
}

// replaceFolder writes a folder at dir whole: fill writes into a fresh
// temporary folder beside dir, which then takes dir's place; what was at dir
// (a run folder, an empty folder, or anything when force) is removed only
// after that. On an error, a cancelled ctx or a refusal nothing at dir has
// changed and the temporary folder is gone.
func replaceFolder(ctx context.Context, dir string, force bool, fill func(tmp string) error) (err error) {
	dir = filepath.Clean(dir)
	if err := CheckRunFolder(dir, force); err != nil {
		return err
	}
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".tmp-")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	if err := fill(tmp); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := CheckRunFolder(dir, force); err != nil { // it may have changed while the files were written
		return err
	}
	old, err := swapInto(tmp, dir)
	if err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	syncDir(parent)
	if old != "" {
		if err := os.RemoveAll(old); err != nil {
			return fmt.Errorf("%s is written; the folder it replaced is left at %s: %w", dir, old, err)
		}
	}
	return nil
}

// CheckRunFolder says whether WriteRunFolder may write dir: nil for a
// missing or empty folder or an earlier run (IsRunFolder), or anything when
// force, except the working folder or one that holds it (ErrWorkingFolder).
// Any other refusal wraps ErrFolderInUse. WriteRunFolder checks before and after it
// writes; the CLI checks before it simulates, to refuse at once.
func CheckRunFolder(dir string, force bool) error {
	if err := holdsWorkingDir(dir); err != nil {
		return err
	}
	if force {
		return nil
	}
	ok, why, err := IsRunFolder(dir)
	if err != nil {
		return err
	}
	if ok || why == "" { // an earlier run, an empty folder or nothing
		return nil
	}
	return fmt.Errorf("%s: %w: %s", dir, ErrFolderInUse, why)
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// holdsWorkingDir refuses the working folder or one that holds it (".",
// "..", "/"), even with force.
func holdsWorkingDir(dir string) error {
	wd, err := os.Getwd()
	if err != nil {
		return nil
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil
	}
	if rel, err := filepath.Rel(abs, wd); err == nil && (rel == "." || filepath.IsLocal(rel)) {
		return fmt.Errorf("%s: %w (%s)", dir, ErrWorkingFolder, wd)
	}
	return nil
}

// swapInto puts the folder tmp at dir. If something was at dir it is moved
// to old (the path tmp had, or one beside it), for the caller to remove: on
// Linux in one atomic exchange (renameat2 RENAME_EXCHANGE), elsewhere, or
// where the file system cannot exchange, by two renames, the second undone
// if it fails.
func swapInto(tmp, dir string) (old string, err error) {
	if !exists(dir) {
		return "", os.Rename(tmp, dir)
	}
	if exchange(tmp, dir) == nil {
		return tmp, nil
	}
	aside, err := os.MkdirTemp(filepath.Dir(dir), "."+filepath.Base(dir)+".old-")
	if err != nil {
		return "", err
	}
	if err := os.Remove(aside); err != nil {
		return "", err
	}
	if err := os.Rename(dir, aside); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, dir); err != nil {
		return "", errors.Join(err, os.Rename(aside, dir))
	}
	return aside, nil
}

// syncDir makes a folder's renames durable where the system allows it.
func syncDir(dir string) {
	if f, err := os.Open(dir); err == nil {
		_ = f.Sync()
		f.Close()
	}
}

// WriteFile writes a file whole or not at all: fill writes into a temporary
// file beside path, which is synced and renamed into place, so a crash or an
// error leaves the old file or the new one, never a partial one. The sweep
// package writes its files with it too.
func WriteFile(path string, fill func(*bufio.Writer) error) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(tmp, 1<<16)
	if err = fill(bw); err != nil {
		tmp.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	if err = errors.Join(bw.Flush(), tmp.Chmod(0o644), tmp.Sync(), tmp.Close()); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return os.Rename(tmp.Name(), path)
}

// writeJSON writes v as a json.Encoder with SetIndent("", "  ") would.
func writeJSON(w *bufio.Writer, v any) error {
	b, err := marshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	w.Write(b)
	return w.WriteByte('\n')
}

// num formats a value; NaN (no data, e.g. utilisation with no running task)
// is an empty cell.
func num(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// WriteSeries writes the per-minute series: one row per sample, the calendar
// time and minute offset first, then every column.
func WriteSeries(w *bufio.Writer, res *sim.Result) error {
	cw := csv.NewWriter(w)
	header := []string{"time", "minute"}
	for _, c := range res.Series.Columns {
		header = append(header, c.Name)
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	row := make([]string, len(header))
	for i, t := range res.Series.Times {
		row[0] = res.Config.Start.Add(t.Duration()).Format(time.RFC3339)
		row[1] = strconv.FormatInt(t.Minutes(), 10)
		for j, c := range res.Series.Columns {
			row[j+2] = num(c.Values[i])
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteEvents writes the event log, in simulated-time order.
func WriteEvents(w *bufio.Writer, res *sim.Result) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"time", "offset_s", "type", "subject", "group", "status", "reason", "instance", "capacity_provider"}); err != nil {
		return err
	}
	rec := make([]string, 9)
	for i := range res.Events {
		e := &res.Events[i]
		rec[0] = res.Config.Start.Add(e.At.Duration()).Format(time.RFC3339Nano)
		rec[1] = num(e.At.Duration().Seconds())
		rec[2], rec[3], rec[4], rec[5], rec[6], rec[7], rec[8] = e.Type, e.Subject, e.Group, e.Status, e.Reason, e.Instance, e.Provider
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
