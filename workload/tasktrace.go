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

// Task is one piece of RunTask-style work read from a trace: when it arrives,
// how long it runs, and what it asks for.
type Task struct {
	Arrival   time.Duration // since the trace's origin
	Duration  time.Duration // run time once started
	CPUUnits  int           // ECS CPU units, 1024 per vCPU
	MemoryMiB int
	Service   string // optional grouping, "" if the trace has none
	Priority  int    // optional, 0 if the trace has none
}

// TaskTrace is a list of tasks sorted by arrival (stable: file order breaks
// ties), with the jobs a reader had to leave out counted by cause.
type TaskTrace struct {
	Name                  string
	Start                 time.Time // the origin's instant, zero if the trace has none
	TimeZone              string    // the trace's time zone name, "" if none
	Tasks                 []Task
	SkippedUnknownRuntime int // jobs whose run time is unknown (-1)
	SkippedUnknownSize    int // jobs whose processor count is unknown
}

// TaskColumns names the columns of a task CSV. Empty names take the
// defaults "arrival", "duration", "cpu", "memory", "service", "priority";
// Service and Priority are optional and read only if the header has them.
type TaskColumns struct {
	Arrival, Duration, CPU, Memory, Service, Priority string
}

func (c TaskColumns) withDefaults() TaskColumns {
	def := func(s, d string) string {
		if s == "" {
			return d
		}
		return s
	}
	return TaskColumns{
		Arrival: def(c.Arrival, "arrival"), Duration: def(c.Duration, "duration"),
		CPU: def(c.CPU, "cpu"), Memory: def(c.Memory, "memory"),
		Service: def(c.Service, "service"), Priority: def(c.Priority, "priority"),
	}
}

// LoadTaskCSV reads the task CSV at path; see ReadTaskCSV.
func LoadTaskCSV(path string, cols TaskColumns) (*TaskTrace, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadTaskCSV(path, f, cols)
}

// ReadTaskCSV reads a CSV of tasks (gzipped or not) with a header line. Arrival
// and duration are seconds (a number such as 90 or 1.5) or Go durations
// ("1m30s"); cpu is ECS CPU units and memory MiB, non-negative integers;
// priority an integer. Problems are reported like ReadTrace's.
func ReadTaskCSV(name string, r io.Reader, cols TaskColumns) (*TaskTrace, error) {
	in, err := openMaybeGzip(name, r)
	if err != nil {
		return nil, err
	}
	cr := csv.NewReader(in)
	cr.FieldsPerRecord = -1
	cols = cols.withDefaults()
	ps := &problems{file: name}
	idx, ok := taskColumns(cr, cols, ps)
	if !ok {
		return nil, ps.err()
	}
	tr := &TaskTrace{Name: name}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			ps.add(pe.Line, "", "well-formed CSV", strconv.Quote(pe.Err.Error()))
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		if t, ok := parseTaskRow(rec, idx, cols, line, ps); ok {
			tr.Tasks = append(tr.Tasks, t)
		}
	}
	if len(ps.list) > 0 {
		return nil, ps.err()
	}
	sortTasks(tr.Tasks)
	return tr, nil
}

// taskColumns reads the header; idx holds arrival, duration, cpu, memory,
// service, priority indices, -1 for an absent optional column.
func taskColumns(cr *csv.Reader, cols TaskColumns, ps *problems) (idx [6]int, ok bool) {
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		ps.add(0, "", "a header line", "an empty file")
		return idx, false
	}
	if err != nil {
		ps.add(1, "", "a CSV header line", strconv.Quote(err.Error()))
		return idx, false
	}
	header = slices.Clone(header)
	header[0] = strings.TrimPrefix(header[0], "\ufeff")
	names := []string{cols.Arrival, cols.Duration, cols.CPU, cols.Memory}
	for i, n := range names {
		idx[i] = column(header, n, ps)
	}
	idx[4] = slices.IndexFunc(header, func(h string) bool { return strings.TrimSpace(h) == cols.Service })
	idx[5] = slices.IndexFunc(header, func(h string) bool { return strings.TrimSpace(h) == cols.Priority })
	return idx, len(ps.list) == 0
}

// parseTaskRow parses one task, adding a problem per bad cell.
func parseTaskRow(rec []string, idx [6]int, cols TaskColumns, line int, ps *problems) (Task, bool) {
	n0 := len(ps.list) + ps.more
	cell := func(i int) string {
		if idx[i] < 0 || idx[i] >= len(rec) {
			return ""
		}
		return rec[idx[i]]
	}
	var t Task
	t.Arrival = parseSpan(cell(0), line, cols.Arrival, ps)
	t.Duration = parseSpan(cell(1), line, cols.Duration, ps)
	t.CPUUnits = parseCount(cell(2), line, cols.CPU, "a non-negative integer", ps)
	t.MemoryMiB = parseCount(cell(3), line, cols.Memory, "a non-negative integer", ps)
	t.Service = strings.TrimSpace(cell(4))
	if s := strings.TrimSpace(cell(5)); s != "" {
		p, err := strconv.Atoi(s)
		if err != nil {
			ps.add(line, fmt.Sprintf("column %q", cols.Priority), "an integer", strconv.Quote(cell(5)))
		}
		t.Priority = p
	}
	return t, len(ps.list)+ps.more == n0
}

// parseSpan parses seconds ("90", "1.5") or a Go duration ("1m30s") >= 0.
func parseSpan(s string, line int, col string, ps *problems) time.Duration {
	s = strings.TrimSpace(s)
	if v, err := strconv.ParseFloat(s, 64); err == nil {
		if v >= 0 && v*1e9 < maxOffset {
			return time.Duration(math.Round(v * 1e9))
		}
	} else if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return d
	}
	ps.add(line, fmt.Sprintf("column %q", col), "a non-negative number of seconds or a duration", strconv.Quote(s))
	return 0
}

// maxCount bounds CPU units, MiB and processor counts.
const maxCount = 1 << 40

func parseCount(s string, line int, col, want string, ps *problems) int {
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || v < 0 || v > maxCount {
		ps.add(line, fmt.Sprintf("column %q", col), want, strconv.Quote(s))
		return 0
	}
	return int(v)
}

func sortTasks(ts []Task) {
	slices.SortStableFunc(ts, func(a, b Task) int { return cmpDuration(a.Arrival, b.Arrival) })
}
