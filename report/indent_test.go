package report

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// What the report writes, nested and empty, indented as encoding/json
// indents it, with the prefixes stream.go and writeJSON use.
func TestMarshalIndentIsEncodingJSONs(t *testing.T) {
	type inner struct {
		Name  string            `json:"name"`
		Tags  map[string]string `json:"tags"`
		Empty []int             `json:"empty"`
		None  map[string]int    `json:"none"`
		Nums  []float64         `json:"nums"`
	}
	v := map[string]any{
		"a":      []inner{{Name: `quote " and \ slash, {bracket} [x]: <html> & é`, Tags: map[string]string{"k": "v", "": ","}, Empty: []int{}, None: map[string]int{}, Nums: []float64{1.5, -2e-9, math.MaxFloat64}}},
		"b":      nil,
		"c":      [][]any{{}, {map[string]any{}}, {true, false, "x\u2028y\n"}},
		"nested": map[string]any{"d": map[string]any{"e": []any{1, "2", []any{3}}}},
	}
	for _, p := range [][2]string{{"", "  "}, {"  ", "  "}, {"    ", "  "}, {">", "\t"}} {
		want, err := json.MarshalIndent(v, p[0], p[1])
		require.NoError(t, err)
		got, err := marshalIndent(v, p[0], p[1])
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got), "prefix %q indent %q", p[0], p[1])
	}
	_, err := marshalIndent(math.NaN(), "", "  ")
	assert.Error(t, err, "what json.Marshal refuses")
}

// Any compact JSON (as json.Marshal writes it) indents to json.Indent's
// bytes.
func FuzzIndentIsEncodingJSONs(f *testing.F) {
	for _, s := range []string{`{}`, `[]`, `{"a":[1,{},[],{"b":"c\"d\\"}]}`, `"x"`, `[[[]]]`, `{"":{"":""}}`, `[1,-2.5e+10,true,null]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if !json.Valid(b) {
			return
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, b); err != nil {
			t.Fatal(err)
		}
		src := compact.Bytes()
		var want bytes.Buffer
		if err := json.Indent(&want, src, "  ", "  "); err != nil {
			t.Fatal(err)
		}
		if got := appendIndent(nil, src, "  ", "  "); !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("%q:\ngot  %q\nwant %q", src, got, want.Bytes())
		}
	})
}

// BenchmarkIndent indents a describe-tasks-like document (a thousand
// tasks with ARNs, attributes and numbers): encoding/json's indenter
// against appendIndent.
func BenchmarkIndent(b *testing.B) {
	type attr struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	}
	type task struct {
		TaskArn    string  `json:"taskArn"`
		LastStatus string  `json:"lastStatus"`
		CPU        int     `json:"cpu"`
		Memory     int     `json:"memory"`
		StartedAt  float64 `json:"startedAt"`
		Attributes []attr  `json:"attributes"`
	}
	var ts []task
	for i := range 1000 {
		ts = append(ts, task{TaskArn: "arn:aws:ecs:us-east-1:123456789012:task/large/0123456789abcdef0123456789abcdef", LastStatus: "RUNNING",
			CPU: 256 * (i%4 + 1), Memory: 512, StartedAt: 1767571200.25 + float64(i), Attributes: []attr{{"ecs.availability-zone", "us-east-1a"}, {"ecs.instance-type", "m5.xlarge"}}})
	}
	src, err := json.Marshal(ts)
	require.NoError(b, err)
	b.Run("encoding-json", func(b *testing.B) {
		var dst bytes.Buffer
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			dst.Reset()
			_ = json.Indent(&dst, src, "  ", "  ")
		}
	})
	b.Run("appendIndent", func(b *testing.B) {
		var dst []byte
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			dst = appendIndent(dst[:0], src, "  ", "  ")
		}
	})
}
