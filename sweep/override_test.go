package sweep

import (
	"os"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pathsDoc decodes testdata/paths.toml into the generic map overrides edit.
func pathsDoc(t *testing.T) map[string]any {
	t.Helper()
	src, err := os.ReadFile("testdata/paths.toml")
	require.NoError(t, err)
	var doc map[string]any
	_, err = toml.Decode(string(src), &doc)
	require.NoError(t, err)
	return doc
}

func TestSplitValuesSplitsOnTopLevelCommasOnly(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"numbers", "50,60,75", []string{"50", "60", "75"}},
		{"arrays keep their commas", `["m5.large","m5.xlarge"],["c5.large"]`, []string{`["m5.large","m5.xlarge"]`, `["c5.large"]`}},
		{"quoted strings keep their commas", `"a,b","c"`, []string{`"a,b"`, `"c"`}},
		{"inline tables keep their commas", `{ a = 1, b = 2 },{ a = 3 }`, []string{`{ a = 1, b = 2 }`, `{ a = 3 }`}},
		{"an escaped quote does not close the string", `"a\",b",1`, []string{`"a\",b"`, "1"}},
		{"one value", "true", []string{"true"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := SplitValues(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
	for _, bad := range []string{`["a",`, `"open`, `a]`} {
		_, err := SplitValues(bad)
		assert.Error(t, err, bad)
	}
}

func TestParseValueReadsTOML(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want any
	}{
		{"an integer", " 60 ", int64(60)},
		{"a float", "0.5", 0.5},
		{"a quoted string", `"2h"`, "2h"},
		{"a boolean", "true", true},
		{"an array", `["m5.large", "m5.xlarge"]`, []any{"m5.large", "m5.xlarge"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := ParseValue(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, v.V)
		})
	}
	_, err := ParseValue("2h")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `strings need quotes: "2h"`)
	_, err = ParseValue("1\nx = 2")
	assert.Error(t, err, "a value cannot smuggle in a second key")
	v, err := ParseValue(`"m5.large"`)
	require.NoError(t, err)
	assert.Equal(t, "m5.large", v.Display(), "strings are displayed without their quotes")
}

func TestSplitPathHonoursQuotedSegments(t *testing.T) {
	got, err := SplitPath(`services."web.v2".desired_count`)
	require.NoError(t, err)
	assert.Equal(t, []string{"services", "web.v2", "desired_count"}, got)
	for _, bad := range []string{"", "a..b", "a.", `a."b`, `a."b"c`} {
		_, err := SplitPath(bad)
		assert.Error(t, err, bad)
	}
}

func TestOverridesReachNamedEntriesIndexesAndNestedKeys(t *testing.T) {
	tests := []struct {
		name  string
		key   string
		value string
		get   func(doc map[string]any) any
		want  any
	}{
		{"a service by name", "services.web.desired_count", "3",
			func(d map[string]any) any { return entries(d, "services")[0]["desired_count"] }, int64(3)},
		{"a service by index", "services.1.desired_count", "2",
			func(d map[string]any) any { return entries(d, "services")[1]["desired_count"] }, int64(2)},
		{"a task definition by family", "task_definitions.api.cpu", "1024",
			func(d map[string]any) any { return entries(d, "task_definitions")[1]["cpu"] }, int64(1024)},
		{"a group's instance types", "auto_scaling_groups.asg-main.instance_types", `["m5.large","m5.xlarge"]`,
			func(d map[string]any) any { return entries(d, "auto_scaling_groups")[0]["instance_types"] }, []any{"m5.large", "m5.xlarge"}},
		{"an element of a plain array", "cluster.availability_zones.2", `"us-east-1d"`,
			func(d map[string]any) any { return d["cluster"].(map[string]any)["availability_zones"].([]any)[2] }, "us-east-1d"},
		{"a target tracking policy, nested", "services.web.auto_scaling.target_tracking.0.target_value", "75",
			func(d map[string]any) any {
				as := entries(d, "services")[0]["auto_scaling"].(map[string]any)
				return as["target_tracking"].([]map[string]any)[0]["target_value"]
			}, int64(75)},
		{"a scaling policy by its name", "services.web.auto_scaling.target_tracking.cpu60.target_value", "50",
			func(d map[string]any) any {
				as := entries(d, "services")[0]["auto_scaling"].(map[string]any)
				return as["target_tracking"].([]map[string]any)[0]["target_value"]
			}, int64(50)},
		{"an optional table the file leaves out", "capacity_providers.ec2-main.managed_scaling.target_capacity", "80",
			func(d map[string]any) any {
				return entries(d, "capacity_providers")[0]["managed_scaling"].(map[string]any)["target_capacity"]
			}, int64(80)},
		{"a top-level key", "duration", `"2h"`,
			func(d map[string]any) any { return d["duration"] }, "2h"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := pathsDoc(t)
			o, err := ParseOverride(tc.key + "=" + tc.value)
			require.NoError(t, err)
			require.NoError(t, o.Apply(doc))
			assert.Equal(t, tc.want, tc.get(doc))
		})
	}
}

func entries(doc map[string]any, list string) []map[string]any { return doc[list].([]map[string]any) }

func TestBadOverridePathsNameTheSegmentAndWhatExists(t *testing.T) {
	tests := []struct {
		name string
		key  string
		want []string
	}{
		{"an unknown service", "services.wbe.desired_count",
			[]string{"services.wbe", `no entry of services is named "wbe"`, "0 web, 1 api"}},
		{"an index past the end", "services.5.desired_count",
			[]string{"services.5", "index 5 out of range", "2 entries", "0 web, 1 api"}},
		{"an unknown task definition", "task_definitions.nope.cpu",
			[]string{`named "nope"`, "0 web, 1 api, 2 etl"}},
		{"a key below a plain value", "services.web.desired_count.x",
			[]string{"services.web.desired_count.x", "services.web.desired_count is a value (8)"}},
		{"an index into a list the file lacks", "services.api.auto_scaling.target_tracking.0.target_value",
			[]string{"services.api.auto_scaling.target_tracking", `no list "target_tracking"`}},
		{"a whole entry", "services.web",
			[]string{"a whole entry of services cannot be replaced"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := pathsDoc(t)
			o, err := ParseOverride(tc.key + "=1")
			require.NoError(t, err)
			err = o.Apply(doc)
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestTheSeedIsNeitherVariedNorSet(t *testing.T) {
	_, err := ParseAxis("seed=1,2")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "--seeds")
	_, err = ParseOverride("seed=1")
	assert.Error(t, err)
}

func TestParseAxisRejectsRepeatsAndBadValues(t *testing.T) {
	a, err := ParseAxis(`auto_scaling_groups.asg-main.instance_types=["m5.large"],["m5.large","m5.xlarge"]`)
	require.NoError(t, err)
	assert.Len(t, a.Values, 2)
	_, err = ParseAxis("services.web.desired_count=2,2")
	assert.ErrorContains(t, err, "given twice")
	_, err = ParseAxis("services.web.desired_count=2,two words")
	assert.ErrorContains(t, err, "two words is not a TOML value")
	// A bare word is the string it spells (the scenario's check then says
	// whether the key takes one); booleans stay booleans.
	a, err = ParseAxis("orchestrator=ecs,eks")
	require.NoError(t, err)
	assert.Equal(t, []any{"ecs", "eks"}, []any{a.Values[0].V, a.Values[1].V})
	assert.Equal(t, `"ecs"`, a.Values[0].Text, "kept in the manifest as TOML")
	assert.Equal(t, "ecs", a.Values[0].Display())
	v, err := ParseValue("true")
	require.NoError(t, err)
	assert.Equal(t, true, v.V)
	v, err = ParseValue("m5.large")
	require.NoError(t, err)
	assert.Equal(t, "m5.large", v.V)
	_, err = ParseAxis("services.web.desired_count")
	assert.ErrorContains(t, err, "want KEY=V1,V2")
}
