package workload

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoadSWFRealFile(t *testing.T) {
	tr, err := LoadSWF(swfPath, SWFOptions{CPUUnitsPerProcessor: 256, DefaultMemoryMiB: 2048})
	require.NoError(t, err)
	// 18,239 jobs, all with known run time and size (shared/data/README.md).
	assert.Len(t, tr.Tasks, 18_239)
	assert.Zero(t, tr.SkippedUnknownRuntime)
	assert.Zero(t, tr.SkippedUnknownSize)
	assert.Equal(t, "US/Pacific", tr.TimeZone)
	// UnixStartTime 749458803 = Fri Oct 01 00:00:03 PDT 1993.
	assert.Equal(t, time.Date(1993, 10, 1, 7, 0, 3, 0, time.UTC), tr.Start)
	// Job 1: submit 0, run 1451 s, 128 processors.
	assert.Equal(t, Task{Arrival: 0, Duration: 1451 * time.Second, CPUUnits: 128 * 256, MemoryMiB: 2048}, tr.Tasks[0])
	for i := 1; i < len(tr.Tasks); i++ {
		require.LessOrEqual(t, tr.Tasks[i-1].Arrival, tr.Tasks[i].Arrival, "task %d sorted", i)
	}
}

func TestReadSWF(t *testing.T) {
	const head = "; UnixStartTime: 0\n;  TimeZoneString: UTC\n\n"
	tests := []struct {
		name        string
		data        string
		opt         SWFOptions
		want        []Task
		wantRuntime int
		wantSize    int
	}{
		{"allocated processors times CPU units; 0 units means 1024", head +
			"1 10 -1 60 4 -1 -1 -1 -1 -1 1 1 1 -1 -1 -1 -1 -1\n", SWFOptions{DefaultMemoryMiB: 512},
			[]Task{{Arrival: 10 * time.Second, Duration: time.Minute, CPUUnits: 4096, MemoryMiB: 512}}, 0, 0},
		{"requested processors when allocated is unknown; used memory KB per processor", head +
			"1 10 -1 60 -1 -1 1000 2 -1 -1 1 1 1 -1 -1 -1 -1 -1\n", SWFOptions{CPUUnitsPerProcessor: 512},
			[]Task{{Arrival: 10 * time.Second, Duration: time.Minute, CPUUnits: 1024, MemoryMiB: 2}}, 0, 0},
		{"requested memory when used memory is unknown", head +
			"1 10 -1 60 1 -1 -1 -1 -1 4096 1 1 1 -1 -1 -1 -1 -1\n", SWFOptions{},
			[]Task{{Arrival: 10 * time.Second, Duration: time.Minute, CPUUnits: 1024, MemoryMiB: 4}}, 0, 0},
		{"unknown run time and unknown size are skipped and counted", head +
			"1 10 -1 -1 1 -1 -1 -1 -1 -1 1 1 1 -1 -1 -1 -1 -1\n" +
			"2 10 -1 5 -1 -1 -1 -1 -1 -1 1 1 1 -1 -1 -1 -1 -1\n" +
			"3 20 -1 5 1 -1 -1 -1 -1 -1 1 1 1 -1 -1 -1 -1 -1\n", SWFOptions{},
			[]Task{{Arrival: 20 * time.Second, Duration: 5 * time.Second, CPUUnits: 1024}}, 1, 1},
		{"tasks are sorted by arrival, ties in file order", head +
			"1 30 -1 1 1 -1 -1 -1 -1 -1 1 1 1 -1 -1 -1 -1 -1\n" +
			"2 20 -1 2 1 -1 -1 -1 -1 -1 1 1 1 -1 -1 -1 -1 -1\n" +
			"3 20 -1 3 1 -1 -1 -1 -1 -1 1 1 1 -1 -1 -1 -1 -1\n", SWFOptions{CPUUnitsPerProcessor: 1},
			[]Task{{Arrival: 20 * time.Second, Duration: 2 * time.Second, CPUUnits: 1},
				{Arrival: 20 * time.Second, Duration: 3 * time.Second, CPUUnits: 1},
				{Arrival: 30 * time.Second, Duration: time.Second, CPUUnits: 1}}, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr, err := ReadSWF("t.swf", strings.NewReader(tc.data), tc.opt)
			require.NoError(t, err)
			assert.Equal(t, tc.want, tr.Tasks)
			assert.Equal(t, tc.wantRuntime, tr.SkippedUnknownRuntime)
			assert.Equal(t, tc.wantSize, tr.SkippedUnknownSize)
			assert.Equal(t, "UTC", tr.TimeZone)
		})
	}
}

func TestReadSWFErrors(t *testing.T) {
	job := "1 10 -1 60 4 -1 -1 -1 -1 -1 1 1 1 -1 -1 -1 -1 -1\n"
	tests := []struct {
		name string
		data string
		want string
	}{
		{"too few fields", "; c\n1 2 3\n", "t.swf:2: want 18 fields, found 3"},
		{"a word for a number names the field", job + "2 10 -1 abc 4 -1 -1 -1 -1 -1 1 1 1 -1 -1 -1 -1 -1\n",
			`t.swf:2: field 4 (run time): want -1 or a non-negative number, found "abc"`},
		{"below -1 is refused", "1 10 -1 60 -2 -1 -1 -1 -1 -1 1 1 1 -1 -1 -1 -1 -1\n",
			`t.swf:1: field 5 (allocated processors): want -1 or a non-negative number, found "-2"`},
		{"a submit time beyond 4e9 s is refused", "1 5e9 -1 60 4 -1 -1 -1 -1 -1 1 1 1 -1 -1 -1 -1 -1\n",
			`t.swf:1: field 2 (submit time): want -1 or a number of seconds up to 4e9, found "5e9"`},
		{"a bad start time header", "; UnixStartTime: soon\n" + job,
			`t.swf:1: header UnixStartTime: want an integer number of seconds, found "soon"`},
		{"a .gz name without gzip data", job, "t.swf.gz: gzip: invalid header"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			name := "t.swf"
			if strings.Contains(tc.want, ".gz") {
				name = "t.swf.gz"
			}
			_, err := ReadSWF(name, strings.NewReader(tc.data), SWFOptions{})
			require.Error(t, err)
			assert.Equal(t, tc.want, err.Error())
		})
	}
}

func TestReadSWFEmptyFileHasNoTasks(t *testing.T) {
	tr, err := ReadSWF("t.swf", strings.NewReader(""), SWFOptions{})
	require.NoError(t, err)
	assert.Empty(t, tr.Tasks)
}
