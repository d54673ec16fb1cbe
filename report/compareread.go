package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/fleetsim/fleetsim/sim/schema"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/des"
)

// ErrRunFolder marks every error Compare returns for a run folder that is
// missing, incomplete or holds a malformed file: bad input, not a failure.
var ErrRunFolder = errors.New("report: unreadable run folder")

// folderError is a run folder's problems joined; it is ErrRunFolder for
// errors.Is, and its message is the problems alone.
type folderError struct{ error }

func (folderError) Is(target error) bool { return target == ErrRunFolder }
func (e folderError) Unwrap() error      { return e.error }

// runFiles are the files Compare reads from each run folder, in order.
var runFiles = []string{"summary.json", "cost.json", "timeseries.csv", "events.csv"}

// runSeries is a run's timeseries.csv read back: the sample offsets and
// each column by name (an empty cell is NaN).
type runSeries struct {
	Offsets []time.Duration // since the run's start
	Columns map[string][]float64
}

// readRun reads one run folder: every file Compare needs, every problem
// found, each naming the folder and the file.
func readRun(dir string) (run, error) {
	r := run{Dir: dir}
	readers := map[string]func(io.Reader) error{
		"summary.json":   func(f io.Reader) error { return readSummary(f, &r) },
		"cost.json":      func(f io.Reader) error { return readCost(f, &r.Cost, &r.EKSCost) },
		"timeseries.csv": func(f io.Reader) (err error) { r.Series, err = readSeries(f, r.isEKS()); return err },
		"events.csv":     func(f io.Reader) (err error) { r.Events, err = readEvents(f); return err },
	}
	var errs []error
	for _, name := range runFiles {
		if err := readRunFile(filepath.Join(dir, name), readers[name]); err != nil {
			errs = append(errs, fmt.Errorf("run folder %s: %s: %w", dir, name, err))
		}
	}
	if len(errs) > 0 {
		return r, folderError{errors.Join(errs...)}
	}
	if r.isEKS() {
		eksSeriesAliases(&r.Series) // compare_orch.go
	}
	return r, nil
}

func readRunFile(path string, read func(io.Reader) error) error {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return errors.New("missing (a run folder is what fleetsim run -o writes)")
		}
		return err
	}
	defer f.Close()
	return read(f)
}

func readSummary(f io.Reader, r *run) error {
	if err := json.NewDecoder(f).Decode(&r.Summary); err != nil {
		return err
	}
	d, err := time.ParseDuration(r.Summary.SimulatedDuration)
	if err != nil || d <= 0 {
		return fmt.Errorf("simulated_duration %q: want a positive duration such as \"24h0m0s\"", r.Summary.SimulatedDuration)
	}
	r.Duration = d
	return nil
}

func readCost(f io.Reader, c *Cost, ek **EKSCost) error {
	data, err := io.ReadAll(f)
	if err != nil {
		return err
	}
	if err := json.NewDecoder(bytes.NewReader(data)).Decode(c); err != nil {
		return err
	}
	var withEKS struct {
		EKS *EKSCost `json:"eks"` // an EKS run's breakdown (eksCostFile)
	}
	if err := json.Unmarshal(data, &withEKS); err != nil {
		return err
	}
	*ek = withEKS.EKS
	if c.SimulatedSeconds <= 0 {
		return fmt.Errorf("simulated_seconds %d: want a positive number", c.SimulatedSeconds)
	}
	hours := int((c.SimulatedSeconds + 3599) / 3600)
	if len(c.Hourly.USD) > hours {
		return fmt.Errorf("hourly: %d hours of cost for a run of %d s", len(c.Hourly.USD), c.SimulatedSeconds)
	}
	for h, row := range c.Hourly.USD {
		if len(row) != len(c.Hourly.Providers) {
			return fmt.Errorf("hourly: hour %d has %d amounts for %d capacity providers", h, len(row), len(c.Hourly.Providers))
		}
	}
	return nil
}

// csvHeader reads a CSV header and returns the index of each wanted column.
func csvHeader(cr *csv.Reader, want ...string) (map[string]int, []string, error) {
	head, err := cr.Read()
	if err == io.EOF {
		return nil, nil, errors.New("empty file, want a header line")
	}
	if err != nil {
		return nil, nil, err
	}
	at := map[string]int{}
	for i, h := range head {
		at[h] = i
	}
	for _, w := range want {
		if _, ok := at[w]; !ok {
			return nil, nil, fmt.Errorf("header has no column %q", w)
		}
	}
	return at, head, nil
}

// readSeries reads timeseries.csv as WriteSeries writes it (an EKS run's:
// its nodes for the instances).
func readSeries(f io.Reader, eks bool) (runSeries, error) {
	cr := csv.NewReader(f)
	want := []string{"minute", schema.InstancesLaunching, schema.InstancesActive}
	if eks {
		want = []string{"minute", sim.EKSNodesLaunching, sim.EKSNodesReady}
	}
	at, head, err := csvHeader(cr, want...)
	if err != nil {
		return runSeries{}, err
	}
	s := runSeries{Columns: map[string][]float64{}}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return runSeries{}, err
		}
		m, err := strconv.ParseInt(rec[at["minute"]], 10, 64)
		if err != nil || m < 0 || (len(s.Offsets) > 0 && time.Duration(m)*time.Minute <= s.Offsets[len(s.Offsets)-1]) {
			return runSeries{}, fmt.Errorf("line %d: minute %q: want a whole number above the previous line's", line, rec[at["minute"]])
		}
		s.Offsets = append(s.Offsets, time.Duration(m)*time.Minute)
		for i, h := range head {
			if h == "time" || h == "minute" {
				continue
			}
			v := math.NaN()
			if rec[i] != "" {
				if v, err = strconv.ParseFloat(rec[i], 64); err != nil {
					return runSeries{}, fmt.Errorf("line %d: column %s: %q is not a number", line, h, rec[i])
				}
			}
			s.Columns[h] = append(s.Columns[h], v)
		}
	}
	if len(s.Offsets) == 0 {
		return runSeries{}, errors.New("no samples after the header")
	}
	return s, nil
}

// readEvents reads events.csv as WriteEvents writes it, as far as
// PlacementWaits needs: offset, type, subject, group and status.
func readEvents(f io.Reader) ([]schema.Event, error) {
	cr := csv.NewReader(f)
	at, _, err := csvHeader(cr, "offset_s", "type", "subject", "group", "status")
	if err != nil {
		return nil, err
	}
	var events []schema.Event
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return events, nil
		}
		if err != nil {
			return nil, err
		}
		sec, err := strconv.ParseFloat(rec[at["offset_s"]], 64)
		if err != nil || sec < 0 || math.IsInf(sec, 0) || math.IsNaN(sec) {
			return nil, fmt.Errorf("line %d: offset_s %q: want seconds since the start, 0 or more", line, rec[at["offset_s"]])
		}
		t := des.Time(math.Round(sec * float64(time.Second)))
		if n := len(events); n > 0 && t < events[n-1].At {
			return nil, fmt.Errorf("line %d: offset_s %q is before the previous line's", line, rec[at["offset_s"]])
		}
		events = append(events, schema.Event{At: t, Type: rec[at["type"]], Subject: rec[at["subject"]],
			Group: rec[at["group"]], Status: rec[at["status"]]})
	}
}
