package report

import (
	"bufio"
	"bytes"
	"testing"

	"github.com/fleetsim/fleetsim/sim/ecs"
)

// TestWriteJSONStreamWritesWhatWriteJSONWrites: state.json streamed one
// element at a time is byte for byte what encoding/json writes whole, for
// full, empty and missing slices, omitted fields, HTML-escaped text and the
// cases it hands to writeJSON.
func TestWriteJSONStreamWritesWhatWriteJSONWrites(t *testing.T) {
	type inner struct {
		A string `json:"a"`
		B []int  `json:"b,omitempty"`
	}
	type withEmbedded struct {
		inner
		C int `json:"c"`
	}
	full := ecs.State{ClusterName: "c<&>", At: "2026-01-05T00:00:00Z",
		ContainerInstances: []ecs.ContainerInstanceState{
			{ContainerInstanceArn: "arn:1", EC2InstanceID: "i-1", Attributes: []ecs.AttributeJSON{{Name: "n", Value: "v"}}, Tasks: []string{"t1", "t2"}},
			{ContainerInstanceArn: "arn:2", Tasks: []string{}},
		},
		Tasks: []ecs.TaskDescription{{}, {}},
	}
	cases := []struct {
		name string
		v    any
	}{
		{"a full state", full},
		{"a pointer to it", &full},
		{"an empty state", ecs.State{}},
		{"empty, not missing, slices", ecs.State{ContainerInstances: []ecs.ContainerInstanceState{}, Tasks: []ecs.TaskDescription{}}},
		{"omitempty fields", struct {
			X []inner `json:"x,omitempty"`
			Y string  `json:"y,omitempty"`
			Z []inner `json:"z"`
			w int
			V []byte `json:"v"`
			N int    `json:"-"`
		}{Z: []inner{{A: "x", B: []int{1}}, {}}, V: []byte("hi")}},
		{"nothing to write", struct {
			Y string `json:",omitempty"`
		}{}},
		{"an embedded struct, written whole", withEmbedded{inner{A: "a"}, 1}},
		{"not a struct", []int{1, 2}},
		{"a map", map[string]int{"b": 1, "a": 2}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var want, got bytes.Buffer
			ww, gw := bufio.NewWriter(&want), bufio.NewWriter(&got)
			if err := writeJSON(ww, tc.v); err != nil {
				t.Fatal(err)
			}
			if err := writeJSONStream(gw, tc.v); err != nil {
				t.Fatal(err)
			}
			ww.Flush()
			gw.Flush()
			if !bytes.Equal(want.Bytes(), got.Bytes()) {
				t.Errorf("streamed:\n%s\nwant:\n%s", got.Bytes(), want.Bytes())
			}
		})
	}
}
