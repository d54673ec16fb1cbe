package sweep

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/fleetsim/fleetsim/report"
)

// The files a sweep folder holds. A shard's folder has no report: a report
// compares whole variants, which a shard does not have.
const (
	ResultsFile  = "results.csv"
	ReportFile   = "report.html"
	ManifestFile = "sweep.json"
)

// outcomeColumns are results.csv's outcome columns, in order.
var outcomeColumns = []string{"cost_usd", "usd_per_day", "p95_wait_s", "peak_instances",
	"spot_interruptions", "tasks_started", "placement_failures", "events", "slo_attainment_pct",
	"objectives_met", "objectives",
	"best_commitment_usd_per_hour", "commitment_saving_usd_per_day",
	"compute_usd_per_day", "control_plane_usd_per_day", "fargate_usd_per_day", "idle_usd_per_day", "availability_pct"}

// columns is results.csv's header: run, variant, one column per varied key,
// seed, then the outcomes.
func columns(m Manifest) []string {
	cols := []string{"run", "variant"}
	for _, a := range m.Axes {
		cols = append(cols, a.Key)
	}
	cols = append(cols, "seed")
	return append(cols, outcomeColumns...)
}

func fnum(x float64) string {
	if math.IsNaN(x) {
		return ""
	}
	return strconv.FormatFloat(x, 'f', -1, 64)
}

// WriteResults writes rows as results.csv, in the order given.
func WriteResults(w io.Writer, m *Manifest, rows []Row) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(m.Columns); err != nil {
		return err
	}
	for _, r := range rows {
		if err := cw.Write(record(m, r)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// record is a row's fields as results.csv holds them. The floats are written
// in the shortest form that reads back to the same float64, so a row read
// back (a shard's, a journal's) is the row that was written.
func record(m *Manifest, r Row) []string {
	o := r.Outcome
	rec := []string{strconv.Itoa(r.Run.Index), strconv.Itoa(r.Run.Variant)}
	rec = append(rec, m.display(r.Run.Variant)...)
	return append(rec, strconv.FormatUint(r.Run.Seed, 10),
		fnum(o.CostUSD), fnum(o.USDPerDay), fnum(o.P95WaitS), strconv.Itoa(o.PeakInstances),
		strconv.Itoa(o.SpotInterruptions), strconv.Itoa(o.TasksStarted), strconv.Itoa(o.PlacementFailures),
		strconv.FormatUint(o.Events, 10), fnum(o.SLOAttainmentPct),
		strconv.Itoa(o.ObjectivesMet), strconv.Itoa(o.Objectives),
		fnum(o.BestCommitmentUSDPerHour), fnum(o.CommitmentSavingUSDPerDay),
		fnum(o.ComputeUSDPerDay), fnum(o.ControlPlaneUSDPerDay), fnum(o.FargateUSDPerDay), fnum(o.IdleUSDPerDay),
		fnum(o.AvailabilityPct))
}

// ReadResults reads a results.csv written for manifest m and checks each
// row against it: header, run index, variant, values and seed.
func ReadResults(r io.Reader, m *Manifest, name string) ([]Row, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = len(m.Columns)
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if !slices.Equal(head, m.Columns) {
		return nil, fmt.Errorf("%s: header %v does not match the manifest's columns %v", name, head, m.Columns)
	}
	var rows []Row
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		row, err := parseRow(rec, m)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		rows = append(rows, row)
	}
}

// parseRow decodes one record; every number must parse and the run's
// identity (variant, values, seed) must be the one its index implies.
func parseRow(rec []string, m *Manifest) (Row, error) {
	var firstErr error
	atoi := func(s string) int {
		n, err := strconv.Atoi(s)
		if err != nil && firstErr == nil {
			firstErr = err
		}
		return n
	}
	atou := func(s string) uint64 {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil && firstErr == nil {
			firstErr = err
		}
		return n
	}
	atof := func(s string, empty bool) float64 {
		if s == "" && empty {
			return math.NaN()
		}
		x, err := strconv.ParseFloat(s, 64)
		if err != nil && firstErr == nil {
			firstErr = err
		}
		return x
	}
	idx := atoi(rec[0])
	if firstErr != nil || idx < 0 || idx >= m.Runs {
		return Row{}, fmt.Errorf("run %q: want 0..%d", rec[0], m.Runs-1)
	}
	r := Row{Run: Run{Index: idx, Variant: idx/m.Seeds + 1, SeedNum: idx % m.Seeds, Seed: m.RunSeeds[idx%m.Seeds]}}
	na := len(m.Axes)
	want := append([]string{strconv.Itoa(r.Run.Variant)}, m.display(r.Run.Variant)...)
	want = append(want, strconv.FormatUint(r.Run.Seed, 10))
	if got := rec[1 : 3+na]; !slices.Equal(got, want) {
		return Row{}, fmt.Errorf("run %d: variant, values and seed %v, want %v", idx, got, want)
	}
	f := rec[3+na:]
	r.Outcome = Outcome{
		CostUSD: atof(f[0], false), USDPerDay: atof(f[1], false), P95WaitS: atof(f[2], false),
		PeakInstances: atoi(f[3]), SpotInterruptions: atoi(f[4]), TasksStarted: atoi(f[5]),
		PlacementFailures: atoi(f[6]), Events: atou(f[7]), SLOAttainmentPct: atof(f[8], true),
		ObjectivesMet: atoi(f[9]), Objectives: atoi(f[10]),
		BestCommitmentUSDPerHour: atof(f[11], false), CommitmentSavingUSDPerDay: atof(f[12], false),
		ComputeUSDPerDay: atof(f[13], false), ControlPlaneUSDPerDay: atof(f[14], false),
		FargateUSDPerDay: atof(f[15], false), IdleUSDPerDay: atof(f[16], false), AvailabilityPct: atof(f[17], true),
	}
	if firstErr != nil {
		return Row{}, fmt.Errorf("run %d: %w", idx, firstErr)
	}
	return r, nil
}

// Write writes a sweep folder: results.csv and sweep.json, and for a whole
// sweep (shard 0/1) report.html. Each file goes to a temporary name first
// and is renamed into place.
func Write(dir string, m *Manifest, rows []Row) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := report.WriteFile(filepath.Join(dir, ResultsFile), func(w *bufio.Writer) error { return WriteResults(w, m, rows) }); err != nil {
		return err
	}
	if m.Shard.Count == 1 {
		if err := report.WriteFile(filepath.Join(dir, ReportFile), func(w *bufio.Writer) error { return WriteReport(w, m, rows) }); err != nil {
			return err
		}
	}
	return report.WriteFile(filepath.Join(dir, ManifestFile), func(w *bufio.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(m)
	})
}
