package scenarios

import (
	"bytes"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// schemaKeys lists the key paths of the scenario schema whose type is want,
// with "0" for an entry of an array and "k" for a key of a map. A struct met
// twice on a path is not entered a third time: load patterns nest in their
// components, and twice is enough to show the nesting is walked.
func schemaKeys(want reflect.Type) [][]string {
	var out [][]string
	var walk func(t reflect.Type, path []string, seen map[reflect.Type]int)
	walk = func(t reflect.Type, path []string, seen map[reflect.Type]int) {
		switch {
		case t == want:
			out = append(out, slices.Clone(path))
		case t.Kind() == reflect.Pointer:
			walk(t.Elem(), path, seen)
		case t.Kind() == reflect.Slice || t.Kind() == reflect.Array:
			walk(t.Elem(), append(slices.Clone(path), "0"), seen)
		case t.Kind() == reflect.Map:
			walk(t.Elem(), append(slices.Clone(path), "k"), seen)
		case t.Kind() == reflect.Struct && seen[t] < 2:
			seen[t]++
			for i := range t.NumField() {
				if tag := t.Field(i).Tag.Get("toml"); tag != "" {
					walk(t.Field(i).Type, append(slices.Clone(path), tag), seen)
				}
			}
			seen[t]--
		}
	}
	walk(reflect.TypeFor[fileSchema](), nil, map[reflect.Type]int{})
	return out
}

// docWith is a scenario that sets the key at path (from schemaKeys) to value
// and has nothing else but a name and a duration: whatever else is wrong with
// it, the key's own problem must be among the problems.
func docWith(t *testing.T, path []string, value any) string {
	t.Helper()
	var build func(path []string) any
	build = func(path []string) any {
		switch {
		case len(path) == 0:
			return value
		case path[0] == "0":
			return []any{build(path[1:])}
		}
		return map[string]any{path[0]: build(path[1:])}
	}
	doc := build(path).(map[string]any)
	doc["name"], doc["duration"] = "x", "1h"
	var b bytes.Buffer
	require.NoError(t, toml.NewEncoder(&b).Encode(doc))
	return b.String()
}

// tomlDecoded is what the TOML decoder makes of one value, text.
func tomlDecoded(t *testing.T, text string) any {
	t.Helper()
	var doc map[string]any
	_, err := toml.Decode("v = "+text, &doc)
	require.NoError(t, err)
	return doc["v"]
}

// problemsOfKey returns the problems of the scenario src that name key.
func problemsOfKey(t *testing.T, src, key string) Problems {
	t.Helper()
	s, err := Parse(src, "test.toml", func(string) ([]byte, error) { return nil, nil })
	require.Nil(t, s)
	var out Problems
	for _, p := range problemsOf(t, err) {
		if p.Key == key {
			out = append(out, p)
		}
	}
	return out
}

// Every float key of the schema, wherever it is (a table, a list entry, a
// nested load pattern), refuses nan, inf and -inf with one problem that names
// it: a float key added later is checked without anyone remembering to.
func TestEveryFloatKeyRefusesNaNAndInfinity(t *testing.T) {
	keys := schemaKeys(reflect.TypeFor[float64]())
	var names []string
	for _, k := range keys {
		names = append(names, strings.Join(k, "."))
	}
	require.Contains(t, names, "batch_jobs.0.arrivals.rate_per_hour", "the walk reaches inline tables of list entries")
	require.Contains(t, names, "services.0.load.components.0.base_rps", "the walk reaches nested load patterns")
	require.Contains(t, names, "batch_jobs.0.arrivals.rate.components.0.walk_sigma")
	require.Contains(t, names, "services.0.auto_scaling.step_scaling.0.step_adjustments.0.metric_interval_lower_bound", "pointers to floats too")
	for _, k := range keys {
		key := strings.Join(k, ".")
		for _, text := range []string{"nan", "inf", "-inf"} {
			t.Run(key+" = "+text, func(t *testing.T) {
				ps := problemsOfKey(t, docWith(t, k, tomlDecoded(t, text)), key)
				require.Len(t, ps, 1, "one problem for the key, not one per range check: %v", ps)
				assert.Equal(t, "a finite number", ps[0].Want)
				assert.Equal(t, text, ps[0].Got)
				assert.Positive(t, ps[0].Line, ps[0].Error())
			})
		}
	}
}

// Every date-time key of the schema refuses a value without an offset (the
// decoder would read it in the machine's time zone) and takes one with an
// offset; a key tagged calendar:"day" (holidays) takes a local date, but not
// a time of day alone.
func TestEveryDateTimeKeyRefusesALocalValue(t *testing.T) {
	keys := schemaKeys(reflect.TypeFor[DateTime]())
	var names []string
	for _, k := range keys {
		names = append(names, strings.Join(k, "."))
	}
	require.Subset(t, names, []string{"start", "timeline.0.time", "services.0.auto_scaling.scheduled_actions.0.start_time",
		"services.0.auto_scaling.scheduled_actions.0.end_time", "services.0.load.holidays.0"})
	assert.Empty(t, schemaKeys(reflect.TypeFor[time.Time]()),
		"a time.Time in the schema loses whether the value had an offset: use DateTime")
	for _, k := range keys {
		key := strings.Join(k, ".")
		day := slices.Contains(k, "holidays")
		tests := []struct {
			text, found, hint string
			refused           bool
		}{
			{"2026-01-05T08:30:00", "2026-01-05T08:30:00, a local date-time", "2026-01-05T08:30:00Z", !day},
			{"2026-01-05", "2026-01-05, a local date", "2026-01-05T00:00:00Z", !day},
			{"08:30:00", "08:30:00, a", "2026-01-05T08:30:00Z", true},
			{"2026-01-05T08:30:00Z", "", "", false},
			{"2026-01-05T08:30:00+09:00", "", "", false},
		}
		for _, tc := range tests {
			t.Run(key+" = "+tc.text, func(t *testing.T) {
				ps := problemsOfKey(t, docWith(t, k, tomlDecoded(t, tc.text)), key)
				if !tc.refused {
					assert.Empty(t, ps)
					return
				}
				require.Len(t, ps, 1, "%v", ps)
				assert.Contains(t, ps[0].Got, tc.found)
				assert.Positive(t, ps[0].Line, ps[0].Error())
				if !day {
					assert.Equal(t, "a date-time with an offset (Z or ±hh:mm)", ps[0].Want)
					assert.Contains(t, ps[0].Hint, tc.hint)
				}
			})
		}
	}
}

// The values measured to do harm before they were refused, each now one
// problem that names its key and line.
func TestNonFiniteValuesThatOnceRanAreRefused(t *testing.T) {
	tests := []struct {
		name, old, new, problem string
	}{
		{"rate_per_hour = nan submitted no jobs", "rate_per_hour = 20", "rate_per_hour = nan",
			"test.toml:108: batch_jobs.etl.arrivals.rate_per_hour: want a finite number, found nan"},
		{"rate_per_hour = inf ran out of memory", "rate_per_hour = 20", "rate_per_hour = inf",
			"test.toml:108: batch_jobs.etl.arrivals.rate_per_hour: want a finite number, found inf"},
		{"rate_per_hour = -inf is one problem, not a range check's too", "rate_per_hour = 20", "rate_per_hour = -inf",
			"test.toml:108: batch_jobs.etl.arrivals.rate_per_hour: want a finite number, found -inf"},
		{"cpu_seconds_per_request = nan dropped every request", "cpu_seconds_per_request = 0.005", "cpu_seconds_per_request = nan",
			"test.toml:77: services.web.load.cpu_seconds_per_request: want a finite number, found nan"},
		{"task_failures_per_task_hour = inf started thousands of tasks", "task_failures_per_task_hour = 0.02", "task_failures_per_task_hour = inf",
			"test.toml:69: services.web.task_failures_per_task_hour: want a finite number, found inf"},
		{"base_rps = inf exited 1 after writing files", "base_rps = 120", "base_rps = inf",
			"test.toml:99: services.api.load.base_rps: want a finite number, found inf"},
		{"a lognormal sigma = nan panicked", "sigma = 0.6", "sigma = nan",
			"test.toml:109: batch_jobs.etl.duration.sigma: want a finite number, found nan"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(defaultSource(t), tc.old, tc.new, 1)
			require.NotEqual(t, defaultSource(t), src, "the edit applied")
			s, err := parseLibrary(src)
			assert.Nil(t, s)
			ps := problemsOf(t, err)
			require.Len(t, ps, 1, "%v", ps)
			assert.Equal(t, tc.problem, ps[0].Error())
		})
	}
}

func TestLocalTimesAreRefusedForInstantsAndTakenForHolidays(t *testing.T) {
	scheduled := "\n  [[services.auto_scaling.scheduled_actions]]\n  schedule = \"cron(0 8 ? * MON-FRI *)\"\n  min_capacity = 8\n  start_time = %s\n"
	tests := []struct {
		name, old, new, problem string
	}{
		{"a start without an offset", "start = 2026-01-05T00:00:00Z", "start = 2026-01-05T00:00:00",
			"test.toml:7: start: want a date-time with an offset (Z or ±hh:mm), found 2026-01-05T00:00:00, a local date-time, which each machine would read in its own time zone (write 2026-01-05T00:00:00Z for UTC, or another offset such as -05:00)"},
		{"a start that is a bare date", "start = 2026-01-05T00:00:00Z", "start = 2026-01-05",
			"test.toml:7: start: want a date-time with an offset (Z or ±hh:mm), found 2026-01-05, a local date, which each machine would read in its own time zone (write 2026-01-05T00:00:00Z for UTC, or another offset such as -05:00)"},
		{"a start that is a time of day", "start = 2026-01-05T00:00:00Z", "start = 08:00:00",
			"start: want a date-time with an offset (Z or ±hh:mm), found 08:00:00, a local time, which each machine would read in its own time zone (write a date and an offset, such as 2026-01-05T08:00:00Z)"},
		{"a start that is a string", "start = 2026-01-05T00:00:00Z", `start = "2026-01-05T00:00:00Z"`,
			`test.toml:7: start: want a TOML date-time such as 2026-01-05T00:00:00Z, found "2026-01-05T00:00:00Z", a string`},
		{"a scheduled action's start_time without an offset", "  scale_out_cooldown = \"120s\"\n",
			"  scale_out_cooldown = \"120s\"\n" + strings.ReplaceAll(scheduled, "%s", "2026-01-05T06:00:00"),
			"services.web.auto_scaling.scheduled_actions.0.start_time: want a date-time with an offset (Z or ±hh:mm), found 2026-01-05T06:00:00, a local date-time"},
		{"a timeline time without an offset, and no complaint about its offset from the start", "[report]",
			"[[timeline]]\ntime = 2026-01-05T06:00:00\naction = \"drain_instances\"\nauto_scaling_group = \"asg-main\"\ncount = 1\n\n[report]",
			"timeline.0.time: want a date-time with an offset (Z or ±hh:mm), found 2026-01-05T06:00:00, a local date-time"},
		{"a holiday that is a time of day", "  latency_slo = \"100ms\"\n", "  latency_slo = \"100ms\"\n  holidays = [2026-01-05, 12:00:00]\n",
			"services.web.load.holidays.1: want a date such as 2026-12-25, found 12:00:00, a time of day"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(defaultSource(t), tc.old, tc.new, 1)
			require.NotEqual(t, defaultSource(t), src, "the edit applied")
			s, err := parseLibrary(src)
			assert.Nil(t, s)
			ps := problemsOf(t, err)
			require.Len(t, ps, 1, "%v", ps)
			assert.Contains(t, ps[0].Error(), tc.problem)
		})
	}

	t.Run("holidays are local dates, read as calendar days", func(t *testing.T) {
		src := strings.Replace(defaultSource(t), "  latency_slo = \"100ms\"\n", "  latency_slo = \"100ms\"\n  holidays = [2026-01-05, 2026-01-06T00:00:00-05:00]\n", 1)
		s, err := parseLibrary(src)
		require.NoError(t, err)
		assert.Equal(t, []time.Time{time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 6, 0, 0, 0, 0, time.UTC)},
			s.Config.Services[0].Load.Holidays)
	})
	t.Run("a start with an offset is that instant", func(t *testing.T) {
		src := strings.Replace(defaultSource(t), "start = 2026-01-05T00:00:00Z", "start = 2026-01-05T09:00:00+09:00", 1)
		s, err := parseLibrary(src)
		require.NoError(t, err)
		assert.Equal(t, time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC), s.Config.Start)
	})
}

// A scenario's name is its default output folder: AWS's rule for resource
// names (letters, digits, hyphens, underscores; 1 to 255) keeps it one
// folder inside out/. Every library name follows it (TestEveryLibraryScenarioLoads).
func TestScenarioNamesAreLettersDigitsHyphensAndUnderscores(t *testing.T) {
	tests := []struct {
		name, value string
		ok          bool
	}{
		{"hyphens and digits", "web-and-batch-2", true},
		{"underscores and capitals", "Web_And_Batch", true},
		{"255 characters", strings.Repeat("a", 255), true},
		{"a path out of the output folder", "../../x", false},
		{"a folder inside another", "a/b", false},
		{"a backslash", `a\b`, false},
		{"a dot", "web.v2", false},
		{"the parent folder", "..", false},
		{"a space", "web batch", false},
		{"256 characters", strings.Repeat("a", 256), false},
		{"a letter that is not ASCII", "wéb", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(defaultSource(t), `name = "web-and-batch"`, "name = "+tomlString(tc.value), 1)
			s, err := parseLibrary(src)
			if tc.ok {
				require.NoError(t, err)
				assert.Equal(t, tc.value, s.Config.Name)
				return
			}
			ps := problemsOf(t, err)
			require.Len(t, ps, 1, "%v", ps)
			assert.Equal(t, "test.toml:5: name: want a name of 1 to 255 letters, digits, hyphens and underscores (it names the output folder), found "+
				quoteShort(tc.value), ps[0].Error())
		})
	}
}

func tomlString(s string) string {
	var b bytes.Buffer
	_ = toml.NewEncoder(&b).Encode(map[string]string{"v": s})
	return strings.TrimSpace(strings.TrimPrefix(b.String(), "v = "))
}

func TestJSONTaskDefinitionNumbersMustBeFinite(t *testing.T) {
	tests := []struct {
		name, json, problem string
	}{
		{"cpu NaN", `"cpu": "NaN"`, `bad.json:3: cpu: want a finite number, found "NaN" (the file of task_definitions.etl.file, x.toml:7)`},
		{"cpu Infinity in vCPU", `"cpu": "Infinity vCPU"`, `bad.json:3: cpu: want a finite number, found "Infinity vCPU"`},
		{"memory inf GB", `"memory": "inf GB"`, `bad.json:3: memory: want a finite number, found "inf GB"`},
		{"memory -Inf", `"memory": "-Inf"`, `bad.json:3: memory: want a finite number, found "-Inf"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := "name = \"x\"\nduration = \"1h\"\n[cluster]\navailability_zones = [\"us-east-1a\"]\n[[task_definitions]]\nfamily = \"etl\"\nfile = \"bad.json\"\n"
			def := "{\n  \"family\": \"etl\",\n  " + tc.json + ",\n  \"containerDefinitions\": [{\"name\": \"a\", \"image\": \"a\", \"memory\": 512}]\n}"
			_, err := Parse(src, "x.toml", func(string) ([]byte, error) { return []byte(def), nil })
			assert.Contains(t, problemsOf(t, err).Error(), tc.problem)
		})
	}
}

func TestSizesMustBeFinite(t *testing.T) {
	for _, text := range []string{"nanMB", "infGB", "InfinityKiB"} {
		t.Run(text, func(t *testing.T) {
			var s ByteSize
			assert.EqualError(t, s.UnmarshalText([]byte(text)), `want a size such as "350MB" or "1.5GiB", found "`+text+`"`)
		})
	}
}
