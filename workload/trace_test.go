package workload

import (
	"bytes"
	"compress/gzip"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	nasaPath    = "../traces/nasa-http-1995-per-minute.csv.gz"
	twitterPath = "../traces/twitter-stream-2021-08-per-minute.csv.gz"
	swfPath     = "../traces/NASA-iPSC-1993-3.1-cln.swf.gz"
)

var (
	nasaSpec    = TraceSpec{TimeColumn: "timestamp", ValueColumn: "requests", Time: RFC3339, Value: PerInterval}
	twitterSpec = TraceSpec{TimeColumn: "minute", ValueColumn: "events", Time: OffsetMinutes, Value: PerInterval}
)

func TestLoadTraceRealFiles(t *testing.T) {
	// Row counts and totals from /work/shared/data/README.md.
	tests := []struct {
		name      string
		path      string
		spec      TraceSpec
		wantRows  int
		wantTotal float64
		wantSpan  time.Duration
	}{
		{"NASA HTTP 1995: 84,333 minutes, 3,461,610 requests", nasaPath, nasaSpec, 84_333, 3_461_610, 84_333 * time.Minute},
		{"Twitter stream 2021-08: 31,652 minutes, 120,774,326 events", twitterPath, twitterSpec, 31_652, 120_774_326, 31_652 * time.Minute},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr, err := LoadTrace(tc.path, tc.spec)
			require.NoError(t, err)
			assert.Equal(t, tc.wantRows, tr.Len())
			assert.Equal(t, tc.wantTotal, math.Round(tr.Total()))
			assert.Equal(t, tc.wantSpan, tr.Span())
		})
	}
}

func TestNASAOutagePassesThrough(t *testing.T) {
	tr, err := LoadTrace(nasaPath, nasaSpec)
	require.NoError(t, err)
	edt := time.FixedZone("EDT", -4*3600)
	assert.True(t, tr.Start().Equal(time.Date(1995, 7, 1, 0, 0, 1, 0, edt)), "start %v", tr.Start())
	p := NewReplay(tr, tr.Start())
	assert.Equal(t, 42.0/60, p.Rate(tr.Start()), "first minute: 42 requests")
	// The hurricane outage (1 Aug 14:52 to 3 Aug 04:36 in the original log,
	// 2,264 minutes) sits in this file as 2,263 zero minutes from
	// 1995-07-29T04:25:01: the per-minute series' timestamps run 4,947
	// minutes early by then (see traces/README.md).
	start, run := longestZeroRun(tr)
	assert.Equal(t, 2263, run)
	assert.True(t, tr.Start().Add(tr.Point(start).Offset).Equal(time.Date(1995, 7, 29, 4, 25, 1, 0, edt)))
	assert.Equal(t, 0.0, p.Rate(time.Date(1995, 7, 30, 12, 0, 0, 0, edt)), "mid-outage")
	assert.Positive(t, p.Rate(time.Date(1995, 7, 31, 12, 0, 0, 0, edt)), "after the outage")
	assert.Equal(t, 0.0, p.Rate(tr.Start().Add(-time.Minute)), "before the trace")
	assert.Equal(t, 0.0, p.Rate(tr.Start().Add(tr.Span())), "after the trace")
}

func longestZeroRun(tr *Trace) (start, length int) {
	run := 0
	for i := range tr.Len() {
		if tr.Point(i).RatePerSec != 0 {
			run = 0
			continue
		}
		run++
		if run > length {
			start, length = i-run+1, run
		}
	}
	return start, length
}

func TestReplay(t *testing.T) {
	csv := "minute,events\n0,60\n1,120\n2,180\n"
	tr, err := ReadTrace("small.csv", strings.NewReader(csv), twitterSpec)
	require.NoError(t, err)
	tests := []struct {
		name string
		p    Replay
		at   time.Duration
		want float64
	}{
		{"hold keeps a row's rate for its minute", Replay{Trace: tr}, 90 * time.Second, 2},
		{"linear is halfway between rows at half a minute", Replay{Trace: tr, Interp: Linear}, 90 * time.Second, 2.5},
		{"linear holds the last row", Replay{Trace: tr, Interp: Linear}, 150 * time.Second, 3},
		{"speed 2 reaches the third minute after one minute", Replay{Trace: tr, Speed: 2}, 61 * time.Second, 3},
		{"scale multiplies rates", Replay{Trace: tr, Scale: 10}, 0, 10},
		{"shift starts inside the trace", Replay{Trace: tr, Shift: 2 * time.Minute}, 0, 3},
		{"without loop the rate ends with the trace", Replay{Trace: tr}, 3 * time.Minute, 0},
		{"loop repeats the trace", Replay{Trace: tr, Loop: true}, 4*time.Minute + time.Second, 2},
		{"loop also plays before Start", Replay{Trace: tr, Loop: true}, -time.Second, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.p.Start = t0
			assert.InDelta(t, tc.want, tc.p.Rate(t0.Add(tc.at)), 1e-9)
		})
	}
}

func TestTraceUnits(t *testing.T) {
	tests := []struct {
		name     string
		csv      string
		spec     TraceSpec
		wantRate float64
		wantSpan time.Duration
	}{
		{"per-second values are kept", "t,v\n0,5\n10,6\n",
			TraceSpec{TimeColumn: "t", ValueColumn: "v", Time: OffsetSeconds, Value: PerSecond}, 5, 20 * time.Second},
		{"per-minute values are divided by 60", "t,v\n0,120\n", TraceSpec{TimeColumn: "t", ValueColumn: "v", Time: OffsetSeconds, Value: PerMinute}, 2, time.Minute},
		{"per-interval values are divided by the row width", "t,v\n0,100\n10,6\n",
			TraceSpec{TimeColumn: "t", ValueColumn: "v", Time: OffsetSeconds, Value: PerInterval}, 10, 20 * time.Second},
		{"Interval sets the last row's width", "t,v\n0,100\n10,6\n",
			TraceSpec{TimeColumn: "t", ValueColumn: "v", Time: OffsetSeconds, Value: PerInterval, Interval: time.Minute}, 10, 70 * time.Second},
		{"offsets are relative to the first row", "t,v\n100,3\n101,3\n",
			TraceSpec{TimeColumn: "t", ValueColumn: "v", Time: OffsetSeconds}, 3, 2 * time.Second},
		{"a byte-order mark and spaces are tolerated", "\ufefft,v\n 0 , 4 \n",
			TraceSpec{TimeColumn: "t", ValueColumn: "v", Time: OffsetSeconds}, 4, time.Minute},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr, err := ReadTrace("u.csv", strings.NewReader(tc.csv), tc.spec)
			require.NoError(t, err)
			assert.Equal(t, tc.wantRate, tr.Point(0).RatePerSec)
			assert.Equal(t, tc.wantSpan, tr.Span())
		})
	}
}

func gzipped(t *testing.T, s string) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, err := zw.Write([]byte(s))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return b.Bytes()
}

func TestReadTraceErrors(t *testing.T) {
	good := "timestamp,requests\n1995-07-01T00:00:01-04:00,42\n"
	gz := gzipped(t, good+"1995-07-01T00:01:01-04:00,7\n")
	tests := []struct {
		name string
		file string
		data string
		want string
	}{
		{"a bad number names file, line and column", "traces/x.csv", good + "1995-07-01T00:01:01-04:00,abc\n",
			`traces/x.csv:3: column "requests": want a non-negative number, found "abc"`},
		{"a negative count is refused", "x.csv", good + "1995-07-01T00:01:01-04:00,-1\n",
			`x.csv:3: column "requests": want a non-negative number, found "-1"`},
		{"a missing column lists the header", "x.csv", "timestamp,hits\n1995-07-01T00:00:01-04:00,42\n",
			`x.csv:1: column "requests": want a column of that name in the header, found "timestamp,hits"`},
		{"an empty file", "x.csv", "", `x.csv: want a header line, found an empty file`},
		{"a header without rows", "x.csv", "timestamp,requests\n", `x.csv: want at least one data row, found none`},
		{"a bad timestamp", "x.csv", good + "yesterday,1\n", `x.csv:3: column "timestamp": want an RFC 3339 time, found "yesterday"`},
		{"times must increase", "x.csv", good + "1995-07-01T00:00:01-04:00,1\n",
			`x.csv:3: column "timestamp": want a time after the previous row's, found "1995-07-01T00:00:01-04:00"`},
		{"a short row", "x.csv", good + "1995-07-01T00:01:01-04:00\n", `x.csv:3: want at least 2 fields, found 1`},
		{"every problem is reported", "x.csv", good + "a,1\nb,x\n",
			"x.csv:3: column \"timestamp\": want an RFC 3339 time, found \"a\"\n" +
				"x.csv:4: column \"timestamp\": want an RFC 3339 time, found \"b\"\n" +
				"x.csv:4: column \"requests\": want a non-negative number, found \"x\""},
		{"a .gz name without gzip data", "x.csv.gz", good, `x.csv.gz: gzip: invalid header`},
		{"a truncated gzip stream", "x.csv.gz", string(gz[:len(gz)-12]), `x.csv.gz: unexpected EOF`},
		{"a CSV quoting error", "x.csv", good + "\"1995,1\n", `x.csv:3: want well-formed CSV, found "extraneous or missing \" in quoted-field"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadTrace(tc.file, strings.NewReader(tc.data), nasaSpec)
			require.Error(t, err)
			assert.Equal(t, tc.want, err.Error())
		})
	}
}

func TestReadTraceCapsProblems(t *testing.T) {
	data := "minute,events\n" + strings.Repeat("x,1\n", 25)
	_, err := ReadTrace("x.csv", strings.NewReader(data), twitterSpec)
	require.Error(t, err)
	lines := strings.Split(err.Error(), "\n")
	assert.Len(t, lines, 21)
	assert.Equal(t, "x.csv: 5 more problems", lines[20])
}

func TestReadTraceDetectsGzipByMagic(t *testing.T) {
	data := gzipped(t, "minute,events\n0,60\n")
	tr, err := ReadTrace("no-suffix.csv", bytes.NewReader(data), twitterSpec)
	require.NoError(t, err)
	assert.Equal(t, 1, tr.Len())
}
