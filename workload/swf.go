package workload

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"
)

// SWFOptions says how SWF jobs become tasks.
type SWFOptions struct {
	// CPUUnitsPerProcessor is the ECS CPU units one processor becomes;
	// 0 means 1024 (one vCPU per processor).
	CPUUnitsPerProcessor int
	// DefaultMemoryMiB is the task memory when the job records neither
	// used nor requested memory.
	DefaultMemoryMiB int
}

// SWF field numbers (1-based, as in the format's definition) that are read.
const (
	swfJob       = 1
	swfSubmit    = 2
	swfRunTime   = 4
	swfProcs     = 5
	swfUsedMem   = 7
	swfReqProcs  = 8
	swfReqMem    = 10
	swfNumFields = 18
)

var swfFieldNames = [swfNumFields + 1]string{
	1: "job number", 2: "submit time", 3: "wait time", 4: "run time", 5: "allocated processors",
	6: "average CPU time", 7: "used memory", 8: "requested processors", 9: "requested time",
	10: "requested memory", 11: "status", 12: "user", 13: "group", 14: "executable",
	15: "queue", 16: "partition", 17: "preceding job", 18: "think time",
}

// LoadSWF reads the SWF file at path; see ReadSWF.
func LoadSWF(path string, opt SWFOptions) (*TaskTrace, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadSWF(path, f, opt)
}

// ReadSWF reads a trace in the Standard Workload Format of the Parallel
// Workloads Archive (gzipped or not): header lines start with ';', then one
// job a line of 18 whitespace-separated numbers, -1 meaning unknown. A job
// becomes a Task with Arrival = submit time, Duration = run time, CPUUnits =
// processors (allocated, else requested) * CPUUnitsPerProcessor and MemoryMiB
// = used (else requested) memory in KB per processor * processors / 1024,
// rounded up, else DefaultMemoryMiB. Jobs with an unknown run time or
// processor count are skipped and counted. Start comes from the header's
// UnixStartTime (in UTC) and TimeZone from TimeZoneString.
func ReadSWF(name string, r io.Reader, opt SWFOptions) (*TaskTrace, error) {
	in, err := openMaybeGzip(name, r)
	if err != nil {
		return nil, err
	}
	if opt.CPUUnitsPerProcessor == 0 {
		opt.CPUUnitsPerProcessor = 1024
	}
	tr := &TaskTrace{Name: name}
	ps := &problems{file: name}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		switch {
		case text == "":
		case strings.HasPrefix(text, ";"):
			swfHeader(tr, text, line, ps)
		default:
			swfJobLine(tr, text, line, opt, ps)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(ps.list) > 0 {
		return nil, ps.err()
	}
	sortTasks(tr.Tasks)
	return tr, nil
}

// swfHeader reads the header fields fleetsim uses: UnixStartTime, TimeZoneString.
func swfHeader(tr *TaskTrace, text string, line int, ps *problems) {
	key, val, ok := strings.Cut(strings.TrimSpace(strings.TrimPrefix(text, ";")), ":")
	if !ok {
		return
	}
	val = strings.TrimSpace(val)
	switch strings.TrimSpace(key) {
	case "UnixStartTime":
		s, err := strconv.ParseInt(val, 10, 64)
		if err != nil || s < -maxSWFSeconds || s > maxSWFSeconds {
			ps.add(line, "header UnixStartTime", "an integer number of seconds", strconv.Quote(val))
			return
		}
		tr.Start = time.Unix(s, 0).UTC()
	case "TimeZoneString":
		tr.TimeZone = val
	}
}

// maxSWFSeconds bounds times in seconds so they fit a Duration with room.
const maxSWFSeconds = 4e9

// swfJobLine parses one job line into a task, or counts it as skipped.
func swfJobLine(tr *TaskTrace, text string, line int, opt SWFOptions, ps *problems) {
	fields := strings.Fields(text)
	if len(fields) != swfNumFields {
		ps.add(line, "", fmt.Sprintf("%d fields", swfNumFields), strconv.Itoa(len(fields)))
		return
	}
	var v [swfNumFields + 1]float64
	bad := false
	for i, f := range fields {
		x, err := strconv.ParseFloat(f, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) || x < -1 || x > maxSWFSeconds*1e3 {
			ps.add(line, swfField(i+1), "-1 or a non-negative number", strconv.Quote(f))
			bad = true
		}
		v[i+1] = x
	}
	if bad || !swfInRange(v, line, fields, ps) {
		return
	}
	task, skip := swfTask(v, opt)
	switch skip {
	case swfUnknownRuntime:
		tr.SkippedUnknownRuntime++
	case swfUnknownSize:
		tr.SkippedUnknownSize++
	default:
		tr.Tasks = append(tr.Tasks, task)
	}
}

func swfField(i int) string { return fmt.Sprintf("field %d (%s)", i, swfFieldNames[i]) }

// swfInRange checks the bounds of the fields turned into times and sizes.
func swfInRange(v [swfNumFields + 1]float64, line int, fields []string, ps *problems) bool {
	ok := true
	for _, i := range []int{swfSubmit, swfRunTime} {
		if v[i] > maxSWFSeconds {
			ps.add(line, swfField(i), "-1 or a number of seconds up to 4e9", strconv.Quote(fields[i-1]))
			ok = false
		}
	}
	for _, i := range []int{swfProcs, swfUsedMem, swfReqProcs, swfReqMem} {
		if v[i] > maxCount/1024 {
			ps.add(line, swfField(i), "-1 or a number up to 2^30", strconv.Quote(fields[i-1]))
			ok = false
		}
	}
	return ok
}

type swfSkip uint8

const (
	swfKeep swfSkip = iota
	swfUnknownRuntime
	swfUnknownSize
)

// swfTask maps a job's fields to a task; see ReadSWF.
func swfTask(v [swfNumFields + 1]float64, opt SWFOptions) (Task, swfSkip) {
	if v[swfRunTime] < 0 {
		return Task{}, swfUnknownRuntime
	}
	// Processor counts are rounded; below one processor counts as unknown.
	procs := math.Round(v[swfProcs])
	if procs < 1 {
		procs = math.Round(v[swfReqProcs])
	}
	if procs < 1 {
		return Task{}, swfUnknownSize
	}
	memMiB := opt.DefaultMemoryMiB
	if kb := v[swfUsedMem]; kb > 0 {
		memMiB = int(math.Ceil(kb * procs / 1024))
	} else if kb := v[swfReqMem]; kb > 0 {
		memMiB = int(math.Ceil(kb * procs / 1024))
	}
	return Task{
		Arrival:   time.Duration(math.Round(max(v[swfSubmit], 0) * 1e9)),
		Duration:  time.Duration(math.Round(v[swfRunTime] * 1e9)),
		CPUUnits:  int(procs) * opt.CPUUnitsPerProcessor,
		MemoryMiB: memMiB,
	}, swfKeep
}
