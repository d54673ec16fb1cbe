package workload

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// TimeFormat says how a rate trace's time column is written.
type TimeFormat uint8

const (
	// RFC3339 times are timestamps such as 1995-07-01T00:00:01-04:00.
	RFC3339 TimeFormat = iota
	// OffsetSeconds times are numbers of seconds from the trace's origin.
	OffsetSeconds
	// OffsetMinutes times are numbers of minutes from the trace's origin.
	OffsetMinutes
)

// ValueUnit says what a rate trace's value column counts.
type ValueUnit uint8

const (
	// PerSecond values are requests per second.
	PerSecond ValueUnit = iota
	// PerMinute values are requests per minute.
	PerMinute
	// PerInterval values are requests counted in the row's interval, which
	// runs from the row's time to the next row's time.
	PerInterval
)

// TraceSpec says which columns of a rate trace to read and how.
type TraceSpec struct {
	TimeColumn  string
	ValueColumn string
	Time        TimeFormat
	Value       ValueUnit
	// Interval is the width of the last row (and of a lone row). 0 means the
	// previous row's width, or one minute for a trace of one row.
	Interval time.Duration
}

// TracePoint is one row of a rate trace: from Offset for Width, RatePerSec.
type TracePoint struct {
	Offset     time.Duration // since the first row
	Width      time.Duration // until the next row
	RatePerSec float64
}

// Trace is a request-rate series read from a file. Rows are kept in file
// order (times strictly increasing), offsets are relative to the first row,
// and every value is converted to requests per second.
type Trace struct {
	name   string
	start  time.Time
	points []TracePoint
}

// LoadTrace reads the rate trace at path; see ReadTrace.
func LoadTrace(path string, spec TraceSpec) (*Trace, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadTrace(path, f, spec)
}

// ReadTrace reads a CSV rate trace, gzipped or not (by name suffix ".gz" or
// the gzip magic bytes), with a header line naming its columns. name is used
// in errors only. Every problem is reported, located by file, line and column
// name (up to 20, then counted), as Problem values joined with errors.Join.
func ReadTrace(name string, r io.Reader, spec TraceSpec) (*Trace, error) {
	in, err := openMaybeGzip(name, r)
	if err != nil {
		return nil, err
	}
	cr := csv.NewReader(in)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	ps := &problems{file: name}
	tc, vc, ok := traceColumns(cr, spec, ps)
	if !ok {
		return nil, ps.err()
	}
	rows, err := readTraceRows(cr, spec, tc, vc, ps)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(ps.list) > 0 {
		return nil, ps.err()
	}
	if len(rows) == 0 {
		ps.add(0, "", "at least one data row", "none")
		return nil, ps.err()
	}
	return &Trace{name: name, start: rows[0].at, points: tracePoints(rows, spec)}, nil
}

// traceColumns reads the header and finds the time and value columns.
func traceColumns(cr *csv.Reader, spec TraceSpec, ps *problems) (tc, vc int, ok bool) {
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		ps.add(0, "", "a header line", "an empty file")
		return 0, 0, false
	}
	if err != nil {
		ps.add(1, "", "a CSV header line", strconv.Quote(err.Error()))
		return 0, 0, false
	}
	header = slices.Clone(header)
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
	}
	tc = column(header, spec.TimeColumn, ps)
	vc = column(header, spec.ValueColumn, ps)
	return tc, vc, tc >= 0 && vc >= 0
}

// column returns the index of the header cell named name, or -1 and a problem.
func column(header []string, name string, ps *problems) int {
	for i, h := range header {
		if strings.TrimSpace(h) == name {
			return i
		}
	}
	ps.add(1, fmt.Sprintf("column %q", name), "a column of that name in the header",
		strconv.Quote(strings.Join(header, ",")))
	return -1
}

// traceRow is one parsed row: its time as an offset, and for RFC 3339 traces
// its calendar instant.
type traceRow struct {
	off   time.Duration
	at    time.Time
	value float64
}

// readTraceRows parses every data row; it returns an error only when the
// input cannot be read (a broken gzip stream, an I/O error).
func readTraceRows(cr *csv.Reader, spec TraceSpec, tc, vc int, ps *problems) ([]traceRow, error) {
	var rows []traceRow
	need := max(tc, vc) + 1
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			ps.add(pe.Line, "", "well-formed CSV", strconv.Quote(pe.Err.Error()))
			continue
		}
		if err != nil {
			return nil, err
		}
		line, _ := cr.FieldPos(0)
		if len(rec) < need {
			ps.add(line, "", fmt.Sprintf("at least %d fields", need), strconv.Itoa(len(rec)))
			continue
		}
		row, ok := parseTraceRow(rec[tc], rec[vc], line, spec, rows, ps)
		if ok {
			rows = append(rows, row)
		}
	}
}

// parseTraceRow parses one row's time and value against the rows before it.
func parseTraceRow(ts, vs string, line int, spec TraceSpec, prev []traceRow, ps *problems) (traceRow, bool) {
	tcol := fmt.Sprintf("column %q", spec.TimeColumn)
	var row traceRow
	var ok bool
	if spec.Time == RFC3339 {
		row.at, ok = parseInstant(ts, line, tcol, ps)
		if ok && len(prev) > 0 {
			row.off = row.at.Sub(prev[0].at)
		}
	} else {
		row.off, ok = parseOffset(ts, spec.Time, line, tcol, ps)
	}
	v, vok := parseRate(vs, line, fmt.Sprintf("column %q", spec.ValueColumn), ps)
	row.value = v
	if !ok || !vok {
		return row, false
	}
	if len(prev) > 0 && row.off <= prev[len(prev)-1].off {
		ps.add(line, tcol, "a time after the previous row's", strconv.Quote(ts))
		return row, false
	}
	if len(prev) > 0 && row.off-prev[0].off > maxTraceSpan {
		ps.add(line, tcol, "a time within 73 years of the first row's", strconv.Quote(ts))
		return row, false
	}
	return row, true
}

// maxTraceSpan bounds a trace's extent to 2^61 ns (about 73 years), so that
// offsets, widths and Span never overflow a Duration.
const maxTraceSpan = time.Duration(1 << 61)

func parseInstant(s string, line int, col string, ps *problems) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(s))
	if err != nil {
		ps.add(line, col, "an RFC 3339 time", strconv.Quote(s))
		return time.Time{}, false
	}
	return t, true
}

// maxOffset bounds numeric offsets to ±2^61 ns (about 73 years), so that
// the difference of two never overflows a Duration.
const maxOffset = float64(1 << 61)

func parseOffset(s string, f TimeFormat, line int, col string, ps *problems) (time.Duration, bool) {
	unit := time.Second
	if f == OffsetMinutes {
		unit = time.Minute
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	ns := v * float64(unit)
	if err != nil || math.IsNaN(ns) || math.Abs(ns) >= maxOffset {
		ps.add(line, col, "a number of "+unitName(unit), strconv.Quote(s))
		return 0, false
	}
	return time.Duration(math.Round(ns)), true
}

func unitName(u time.Duration) string {
	if u == time.Minute {
		return "minutes"
	}
	return "seconds"
}

func parseRate(s string, line int, col string, ps *problems) (float64, bool) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		ps.add(line, col, "a non-negative number", strconv.Quote(s))
		return 0, false
	}
	return v, true
}

// tracePoints turns parsed rows into points with widths and per-second rates.
func tracePoints(rows []traceRow, spec TraceSpec) []TracePoint {
	pts := make([]TracePoint, len(rows))
	first := rows[0].off
	for i, row := range rows {
		var w time.Duration
		switch {
		case i+1 < len(rows):
			w = rows[i+1].off - row.off
		case spec.Interval > 0:
			w = min(spec.Interval, maxTraceSpan)
		case i > 0:
			w = row.off - rows[i-1].off
		default:
			w = time.Minute
		}
		pts[i] = TracePoint{Offset: row.off - first, Width: w, RatePerSec: perSecond(row.value, spec.Value, w)}
	}
	return pts
}

func perSecond(v float64, u ValueUnit, width time.Duration) float64 {
	switch u {
	case PerMinute:
		return v / 60
	case PerInterval:
		return v / width.Seconds()
	}
	return v
}

// Name returns the file name the trace was read from.
func (t *Trace) Name() string { return t.name }

// Start returns the first row's instant, or the zero time for offset traces.
func (t *Trace) Start() time.Time { return t.start }

// Len returns the number of rows.
func (t *Trace) Len() int { return len(t.points) }

// Point returns row i (0-based).
func (t *Trace) Point(i int) TracePoint { return t.points[i] }

// Span returns the time the trace covers: the last row's offset plus width.
func (t *Trace) Span() time.Duration {
	last := t.points[len(t.points)-1]
	return last.Offset + last.Width
}

// Total returns the number of requests the trace holds: the sum over rows of
// rate times width.
func (t *Trace) Total() float64 {
	s := 0.0
	for _, p := range t.points {
		s += p.RatePerSec * p.Width.Seconds()
	}
	return s
}
