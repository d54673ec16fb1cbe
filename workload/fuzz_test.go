package workload

import (
	"bytes"
	"testing"
	"time"
)

// fuzzSpecs are the trace specs FuzzTrace chooses from by its mode byte.
var fuzzSpecs = []TraceSpec{
	nasaSpec,
	twitterSpec,
	{TimeColumn: "t", ValueColumn: "v", Time: OffsetSeconds, Value: PerSecond},
	{TimeColumn: "t", ValueColumn: "v", Time: OffsetSeconds, Value: PerMinute, Interval: time.Second},
}

// FuzzTrace checks that the CSV readers never panic and that a trace they
// accept replays without panicking, NaN or negative rates.
func FuzzTrace(f *testing.F) {
	f.Add([]byte("timestamp,requests\n1995-07-01T00:00:01-04:00,42\n1995-07-01T00:01:01-04:00,62\n"), uint8(0))
	f.Add([]byte("minute,events\n0,2786\n1,2711\n"), uint8(1))
	f.Add([]byte("t,v\n0,1\n0.5,2\n"), uint8(2))
	f.Add([]byte("arrival,duration,cpu,memory\n0,1m,256,512\n"), uint8(4))
	f.Fuzz(func(t *testing.T, data []byte, mode uint8) {
		if mode >= uint8(len(fuzzSpecs)) {
			_, _ = ReadTaskCSV("fuzz.csv", bytes.NewReader(data), TaskColumns{})
			return
		}
		tr, err := ReadTrace("fuzz.csv", bytes.NewReader(data), fuzzSpecs[mode])
		if err != nil {
			return
		}
		if tr.Len() == 0 || tr.Span() <= 0 || tr.Total() < 0 {
			t.Fatalf("accepted trace with %d rows, span %v, total %v", tr.Len(), tr.Span(), tr.Total())
		}
		for _, p := range []Replay{
			{Trace: tr, Start: t0},
			{Trace: tr, Start: t0, Loop: true, Interp: Linear, Speed: 3.5, Shift: -time.Hour},
		} {
			for _, d := range []time.Duration{-time.Hour, 0, time.Second, tr.Span() / 2, tr.Span(), 1000 * time.Hour} {
				if r := p.Rate(t0.Add(d)); r < 0 || r != r {
					t.Fatalf("rate %v at %v", r, d)
				}
			}
		}
	})
}

// FuzzSWF checks that the SWF reader never panics and keeps its invariants.
func FuzzSWF(f *testing.F) {
	f.Add([]byte("; UnixStartTime: 749458803\n; TimeZoneString: US/Pacific\n" +
		"    1        0     -1   1451  128     -1    -1   -1     -1    -1 -1   1   1  -1 -1 -1 -1 -1\n"))
	f.Add([]byte("1 10 -1 -1 1 -1 -1 -1 -1 -1 1 1 1 -1 -1 -1 -1 -1\n2 5 -1 3 -1 -1 100 4 -1 -1 1 1 1 -1 -1 -1 -1 -1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tr, err := ReadSWF("fuzz.swf", bytes.NewReader(data), SWFOptions{CPUUnitsPerProcessor: 256})
		if err != nil {
			return
		}
		for i, task := range tr.Tasks {
			if task.Arrival < 0 || task.Duration < 0 || task.CPUUnits <= 0 || task.MemoryMiB < 0 {
				t.Fatalf("task %d: %+v", i, task)
			}
			if i > 0 && tr.Tasks[i-1].Arrival > task.Arrival {
				t.Fatalf("task %d out of order", i)
			}
		}
	})
}
