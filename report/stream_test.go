package report

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/scenarios"
	"github.com/fleetsim/fleetsim/sim"
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

// TestWriteJSONStreamWithWritesTheFilledSlices: slices whose elements are
// made as they are written give writeJSON's bytes for the value with them
// filled; a list that yields nothing writes the value's own (empty, or
// missing) slice; an error from the elements ends the write with it.
func TestWriteJSONStreamWithWritesTheFilledSlices(t *testing.T) {
	full := ecs.State{ClusterName: "c<&>", At: "2026-01-05T00:00:00Z",
		ContainerInstances: []ecs.ContainerInstanceState{
			{ContainerInstanceArn: "arn:1", EC2InstanceID: "i-1", Attributes: []ecs.AttributeJSON{{Name: "n", Value: "v"}}, Tasks: []string{"t1", "t2"}},
			{ContainerInstanceArn: "arn:2", Tasks: []string{}},
		},
		Tasks:    []ecs.TaskDescription{{TaskArn: "a"}, {TaskArn: "b"}},
		Services: []ecs.ServiceDescription{{ServiceName: "web"}},
	}
	head := full
	head.ContainerInstances, head.Tasks = []ecs.ContainerInstanceState{}, []ecs.TaskDescription{}
	yieldAll := func(n int, at func(int) any) elements {
		return func(yield func(any) error) error {
			for i := range n {
				if err := yield(at(i)); err != nil {
					return err
				}
			}
			return nil
		}
	}
	filled := map[string]elements{
		"ContainerInstances": yieldAll(2, func(i int) any { return full.ContainerInstances[i] }),
		"Tasks":              yieldAll(2, func(i int) any { return full.Tasks[i] }),
	}
	none := map[string]elements{"ContainerInstances": yieldAll(0, nil), "Tasks": yieldAll(0, nil)}
	missing := head
	missing.Tasks = nil
	for _, tc := range []struct {
		name       string
		want, head any
		made       map[string]elements
	}{
		{"filled as written", full, head, filled},
		{"nothing yielded: the empty lists", head, head, none},
		{"nothing yielded: a missing list stays null", missing, missing, none},
		{"no lists made", full, full, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var want, got bytes.Buffer
			ww, gw := bufio.NewWriter(&want), bufio.NewWriter(&got)
			require.NoError(t, writeJSON(ww, tc.want))
			require.NoError(t, writeJSONStreamWith(gw, tc.head, tc.made))
			ww.Flush()
			gw.Flush()
			assert.Equal(t, want.String(), got.String())
		})
	}
	broken := errors.New("disk full")
	err := writeJSONStreamWith(bufio.NewWriter(io.Discard), head, map[string]elements{
		"Tasks": func(yield func(any) error) error { return broken },
	})
	assert.ErrorIs(t, err, broken)
}

// TestStateJSONIsTheDescribedStates: state.json, described one instance
// and one task at a time as it is written, is byte for byte the JSON of
// the whole described state, for runs with failures, draining, Fargate
// and no state at all; and describing twice describes the same.
func TestStateJSONIsTheDescribedStates(t *testing.T) {
	for _, name := range []string{"placement-rules", "az-outage", "fargate-launch-burst", "eks-karpenter-spot"} {
		t.Run(name, func(t *testing.T) {
			sc, err := scenarios.Resolve(name)
			require.NoError(t, err)
			sc.Config.Duration = min(sc.Config.Duration, 6*time.Hour)
			res, err := sim.New(sc.Config).Run()
			require.NoError(t, err)
			var want, got bytes.Buffer
			ww, gw := bufio.NewWriter(&want), bufio.NewWriter(&got)
			whole := any(res.State.Describe())
			if res.EKS != nil {
				whole = res.EKS.State
			} else {
				require.NotEmpty(t, res.State.Describe().ContainerInstances)
			}
			require.NoError(t, writeJSONStream(ww, whole))
			require.NoError(t, writeState(gw, res))
			ww.Flush()
			gw.Flush()
			require.Equal(t, want.String(), got.String())
			assert.Equal(t, res.State.Describe(), res.State.Describe(), "describing again")
		})
	}
	var none sim.Result // an EKS run's State, or sim.Config.NoState's: the zero source
	var got bytes.Buffer
	gw := bufio.NewWriter(&got)
	require.NoError(t, writeState(gw, &none))
	gw.Flush()
	assert.Equal(t, "{\n  \"clusterName\": \"\",\n  \"at\": \"\",\n  \"containerInstances\": null,\n  \"tasks\": null,\n  \"services\": null\n}\n", got.String())
}
