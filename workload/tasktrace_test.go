package workload

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadTaskCSV(t *testing.T) {
	tests := []struct {
		name string
		data string
		cols TaskColumns
		want []Task
	}{
		{"seconds, Go durations, and optional columns",
			"arrival,duration,cpu,memory,service,priority\n90,1m30s,256,512,etl,2\n1.5,2,1024,2048,,\n", TaskColumns{},
			[]Task{{Arrival: 1500 * time.Millisecond, Duration: 2 * time.Second, CPUUnits: 1024, MemoryMiB: 2048},
				{Arrival: 90 * time.Second, Duration: 90 * time.Second, CPUUnits: 256, MemoryMiB: 512, Service: "etl", Priority: 2}}},
		{"renamed columns and no optional ones",
			"at_s,run_s,cpu_units,mem_mib\n0,10,512,1024\n", TaskColumns{Arrival: "at_s", Duration: "run_s", CPU: "cpu_units", Memory: "mem_mib"},
			[]Task{{Duration: 10 * time.Second, CPUUnits: 512, MemoryMiB: 1024}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr, err := ReadTaskCSV("tasks.csv", strings.NewReader(tc.data), tc.cols)
			require.NoError(t, err)
			assert.Equal(t, tc.want, tr.Tasks)
		})
	}
}

func TestReadTaskCSVErrors(t *testing.T) {
	const header = "arrival,duration,cpu,memory,priority\n"
	tests := []struct {
		name string
		data string
		want string
	}{
		{"an empty file", "", "tasks.csv: want a header line, found an empty file"},
		{"a missing column", "arrival,duration,cpu\n",
			`tasks.csv:1: column "memory": want a column of that name in the header, found "arrival,duration,cpu"`},
		{"a bad duration", header + "0,soon,1,1,0\n",
			`tasks.csv:2: column "duration": want a non-negative number of seconds or a duration, found "soon"`},
		{"a negative arrival", header + "-5,1,1,1,0\n",
			`tasks.csv:2: column "arrival": want a non-negative number of seconds or a duration, found "-5"`},
		{"a fractional CPU and a bad priority, both reported", header + "0,1,0.5,1,high\n",
			"tasks.csv:2: column \"cpu\": want a non-negative integer, found \"0.5\"\n" +
				"tasks.csv:2: column \"priority\": want an integer, found \"high\""},
		{"a short row reports each missing cell", header + "0,1\n",
			"tasks.csv:2: column \"cpu\": want a non-negative integer, found \"\"\n" +
				"tasks.csv:2: column \"memory\": want a non-negative integer, found \"\""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadTaskCSV("tasks.csv", strings.NewReader(tc.data), TaskColumns{})
			require.Error(t, err)
			assert.Equal(t, tc.want, err.Error())
		})
	}
}
