// Package report turns a run's recorded results into files: CSV series and
// events, JSON summary, final state and cost, gonum plots, and the
// self-contained HTML report; and compares runs. It reads sim.Result and
// never drives a simulation.
package report

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/fleetsim/fleetsim/sim"
)

// Files are the files WriteRun writes, in order. It also writes one PNG per
// figure under PlotsDir (plots/<figure id>.png).
var Files = []string{"timeseries.csv", "events.csv", "summary.json", "state.json", "cost.json", "report.html"}

// PlotsDir is the folder, inside a run's folder, of the figures' PNGs.
const PlotsDir = "plots"

// WriteRun writes a run's outputs into dir, creating it: the CSV and JSON
// files, cost.json (ComputeCost at DefaultPrices), report.html (which echoes
// source, the scenario text) and plots/*.png. Each file is written under a
// temporary name and renamed into place, so a failed write leaves no partial
// file behind.
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
	want := func(name string) bool { return len(outputs) == 0 || slices.Contains(outputs, outputKind[name]) }
	cost, err := ComputeCost(res, PricesFor(res.Config))
	if err != nil {
		return nil, err
	}
	var figs []*Figure
	if want("report.html") {
		if figs, err = Figures(res, cost); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Join(dir, PlotsDir), 0o755); err != nil {
			return nil, err
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	writers := []func(*bufio.Writer) error{
		func(w *bufio.Writer) error { return WriteSeries(w, res) },
		func(w *bufio.Writer) error { return WriteEvents(w, res) },
		func(w *bufio.Writer) error { return writeJSON(w, res.Summary) },
		func(w *bufio.Writer) error { return writeJSON(w, res.State) },
		func(w *bufio.Writer) error { return writeJSON(w, cost) },
		func(w *bufio.Writer) error { return WriteHTML(w, res, cost, figs, source) },
	}
	var wrote []string
	for i, name := range Files {
		if !want(name) {
			continue
		}
		if err := WriteFile(filepath.Join(dir, name), writers[i]); err != nil {
			return nil, err
		}
		wrote = append(wrote, name)
	}
	for _, f := range figs {
		png, err := f.PNG()
		if err != nil {
			return nil, err
		}
		fill := func(w *bufio.Writer) error { _, err := w.Write(png); return err }
		if err := WriteFile(filepath.Join(dir, PlotsDir, f.ID+".png"), fill); err != nil {
			return nil, err
		}
	}
	return wrote, nil
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

func writeJSON(w *bufio.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
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
	for _, e := range res.Events {
		rec := []string{
			res.Config.Start.Add(e.At.Duration()).Format(time.RFC3339Nano),
			num(e.At.Duration().Seconds()),
			e.Type, e.Subject, e.Group, e.Status, e.Reason, e.Instance, e.Provider,
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
