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
