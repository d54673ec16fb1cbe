package awsimport

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTimestampsInEveryFormAWSPrints(t *testing.T) {
	want := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	for _, s := range []string{
		"2026-11-30T10:00:00Z",
		"2026-11-30T10:00:00.000Z",
		"2026-11-30T10:00:00+00:00",
		"2026-11-30T11:00:00+01:00",
		"2026-11-30T10:00:00.000000+0000",
		"2026-11-30 10:00:00",
		"2026-11-30 10:00:00.000",
		"2026-11-30 10:00:00+00:00",
		"2026-11-30T10:00:00",
	} {
		got, err := parseTimeString(s)
		require.NoError(t, err, s)
		assert.True(t, want.Equal(got), "%s: %s", s, got)
	}
	for _, s := range []string{"", "2026-11-30", "30/11/2026 10:00", "2026-11-30T25:00:00Z"} {
		_, err := parseTimeString(s)
		assert.Error(t, err, s)
	}
	got, err := parseTime(&value{kind: kNumber, num: "1462558906.199"})
	require.NoError(t, err)
	assert.Equal(t, time.Date(2016, 5, 6, 18, 21, 46, 199000000, time.UTC), got)
}

func TestTheReaderKeepsLinesAndKeyOrder(t *testing.T) {
	v, err := readJSON("x.json", []byte("{\n \"b\": 1,\n \"a\": [\n  {\"c\": null}\n ]\n}"))
	require.NoError(t, err)
	assert.Equal(t, []string{"b", "a"}, v.keys)
	assert.Equal(t, 2, v.obj["b"].line)
	assert.Equal(t, 4, v.obj["a"].arr[0].line)
}

func TestDeepNestingIsRefusedNotOverflowed(t *testing.T) {
	deep := make([]byte, 0, 20002)
	for range 10000 {
		deep = append(deep, '[')
	}
	_, err := readJSON("deep.json", deep)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "at most 64 levels of nesting")
}

func TestTOMLStringsAreEscaped(t *testing.T) {
	assert.Equal(t, `"a\"b\\c\u000A"`, tq("a\"b\\c\n"))
}

func TestALargeDocumentReadsInLinearTime(t *testing.T) {
	var b []byte
	b = append(b, "{\"Label\": \"x\", \"Datapoints\": [\n"...)
	for i := range 100000 {
		if i > 0 {
			b = append(b, ",\n"...)
		}
		b = append(b, `{"Timestamp": "2026-11-30T10:00:00Z", "Sum": 1, "Unit": "Count"}`...)
	}
	b = append(b, "\n]}\n"...)
	start := time.Now()
	v, err := readJSON("big.json", b)
	require.NoError(t, err)
	assert.Equal(t, 100001, v.obj["Datapoints"].arr[99999].line)
	assert.Less(t, time.Since(start), 5*time.Second, "%d KiB", len(b)>>10)
}

// FuzzReadJSON holds the reader to encoding/json: it accepts exactly the
// valid documents (within its nesting bound, each key once), never panics,
// and a problem names a line inside the document.
func FuzzReadJSON(f *testing.F) {
	f.Add([]byte(`{"a": [1, "x", null, true, {"b": {}}]}`))
	f.Add([]byte("{\n\"a\": 1,\n\"a\": 2}"))
	f.Add([]byte(`[[[[[[]]]]]] x`))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := readJSON("f.json", data)
		if err != nil {
			ps := err.(Problems)
			require.Len(t, ps, 1)
			assert.LessOrEqual(t, ps[0].Line, 1+bytes.Count(data, []byte{'\n'}))
			if json.Valid(data) && !bytes.Contains(data, []byte(`"`)) && bytes.Count(data, []byte("[")) < maxDepth {
				t.Fatalf("valid JSON without keys refused: %v", err)
			}
			return
		}
		assert.True(t, json.Valid(data), "accepted invalid JSON %q", data)
		assert.NotNil(t, v)
	})
}
