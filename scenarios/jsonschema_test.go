package scenarios

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var updateSchema = flag.Bool("update", false, "rewrite docs/fleetsim-scenario.schema.json from the schema structs")

// TestJSONSchemaIsCurrent: the committed schema is what the schema structs
// generate, so it cannot drift from them. With -update (go generate
// ./scenarios) it rewrites the file instead.
func TestJSONSchemaIsCurrent(t *testing.T) {
	got, err := generateJSONSchema(".")
	require.NoError(t, err)
	if *updateSchema {
		require.NoError(t, os.WriteFile(jsonSchemaPath, got, 0o644))
		return
	}
	want, err := os.ReadFile(jsonSchemaPath)
	require.NoError(t, err)
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is not what the schema structs generate: run `go generate ./scenarios` and commit it", jsonSchemaPath)
	}
}

// compileSchema compiles the committed schema with a JSON Schema library
// (santhosh-tekuri/jsonschema, draft-07 as the file declares, formats
// asserted).
func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(jsonSchemaPath)
	require.NoError(t, err)
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	require.NoError(t, c.AddResource("fleetsim-scenario.schema.json", doc))
	s, err := c.Compile("fleetsim-scenario.schema.json")
	require.NoError(t, err)
	return s
}

// asJSON turns a decoded TOML tree into the JSON value an editor validates:
// a date-time becomes its RFC 3339 text (a local date its date), as taplo
// does.
func asJSON(t *testing.T, tree any) any {
	t.Helper()
	var conv func(any) any
	conv = func(x any) any {
		switch v := x.(type) {
		case map[string]any:
			out := map[string]any{}
			for k, e := range v {
				out[k] = conv(e)
			}
			return out
		case []map[string]any:
			out := []any{}
			for _, e := range v {
				out = append(out, conv(e))
			}
			return out
		case []any:
			out := []any{}
			for _, e := range v {
				out = append(out, conv(e))
			}
			return out
		case time.Time:
			switch v.Location().String() {
			case localDate:
				return v.Format(time.DateOnly)
			case localDateTime:
				return v.Format("2006-01-02T15:04:05.999999999")
			case localTime:
				return v.Format("15:04:05.999999999")
			}
			return v.Format(time.RFC3339Nano)
		}
		return x
	}
	b, err := json.Marshal(conv(tree))
	require.NoError(t, err)
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	require.NoError(t, err)
	return v
}

func libraryTrees(t *testing.T) map[string]map[string]any {
	t.Helper()
	files, err := fs.Glob(LibraryFS(), "*.toml")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	out := map[string]map[string]any{}
	for _, name := range files {
		src, err := fs.ReadFile(LibraryFS(), name)
		require.NoError(t, err)
		var tree map[string]any
		_, err = toml.Decode(string(src), &tree)
		require.NoError(t, err, name)
		out[name] = tree
	}
	return out
}

func TestJSONSchemaValidatesEveryLibraryScenario(t *testing.T) {
	s := compileSchema(t)
	for name, tree := range libraryTrees(t) {
		assert.NoError(t, s.Validate(asJSON(t, tree)), name)
	}
}

// TestJSONSchemaRefusesWhatTheValidatorRefuses: a misspelt key (at the top,
// in a list entry, in a nested table), a value from outside a fixed set, a
// duration that is not one, a value past its bound and a value of the wrong
// type each fail the schema, as each fails `fleetsim run`; the error names
// the key.
func TestJSONSchemaRefusesWhatTheValidatorRefuses(t *testing.T) {
	s := compileSchema(t)
	const base = `
name = "t"
duration = "2h"
[cluster]
name = "c"
availability_zones = ["us-east-1a"]
[[services]]
name = "web"
task_definition = "web"
desired_count = 2
launch_type = "FARGATE"
[services.deployment_configuration]
maximum_percent = 200
[[task_definitions]]
family = "web"
cpu = 256
memory = 512
network_mode = "awsvpc"
requires_compatibilities = ["FARGATE"]
[[task_definitions.container_definitions]]
name = "app"
image = "nginx"
`
	for _, tc := range []struct{ name, from, to, key string }{
		{"a misspelt top-level table", "[cluster]", "[clustr]", "clustr"},
		{"a misspelt key of a list entry", "desired_count = 2", "desird_count = 2", "desird_count"},
		{"a misspelt key of a nested table", "maximum_percent = 200", "maximum_precent = 200", "maximum_precent"},
		{"a value outside a fixed set", `launch_type = "FARGATE"`, `launch_type = "FARGAT"`, "launch_type"},
		{"a duration that is not one", `duration = "2h"`, `duration = "2 hours"`, "duration"},
		{"a value past its bound", "maximum_percent = 200", "maximum_percent = 2001", "maximum_percent"},
		{"a value of the wrong type", "desired_count = 2", `desired_count = "two"`, "desired_count"},
		{"a string longer than its bound", `name = "t"`, `name = "` + strings.Repeat("x", 4097) + `"`, "name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ok := strings.Replace(base, tc.from, tc.to, 1)
			require.NotEqual(t, base, ok)
			var tree map[string]any
			_, err := toml.Decode(ok, &tree)
			require.NoError(t, err)
			err = s.Validate(asJSON(t, tree))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.key)
			_, perr := Parse(ok, "t.toml", nil)
			assert.Error(t, perr, "the validator refuses it too")
		})
	}
	var tree map[string]any
	_, err := toml.Decode(base, &tree)
	require.NoError(t, err)
	assert.NoError(t, s.Validate(asJSON(t, tree)), "the unchanged base passes")
	_, err = Parse(base, "t.toml", nil)
	assert.NoError(t, err, "and so does it `fleetsim run`")
}

// TestJSONSchemaUnitPatternsAreTheParsers: a duration, size or bandwidth
// matches its pattern exactly when its parser reads it.
func TestJSONSchemaUnitPatternsAreTheParsers(t *testing.T) {
	for _, tc := range []struct {
		pattern string
		parse   func(string) error
		values  []string
	}{
		{durationPattern, func(s string) error { _, err := ParseDuration(s); return err },
			[]string{"90s", "5m", "1h30m", "7d", "0", "1.5h", "-5m", "+2h", "300ms", "1us", "2µs", "", "5", "d", "7 d", "1h 30m", "5min", "1.h", ".5h", "1e3s", "P1D", "1H"}},
		{sizePattern, func(s string) error { _, err := parseBytes(s); return err },
			[]string{"350MB", "1.5GiB", "100 MB", "0B", "1e3KB", ".5GB", "5", "MB", "5mb", "-1MB", "1,5GB", "inf GB", "1 PB"}},
		{bandwidthPattern, func(s string) error { var bw Bandwidth; return bw.UnmarshalText([]byte(s)) },
			[]string{"100MB/s", "1.5GiB/s", "100MB", "MB/s", "100 MB/s", "100MBps"}},
	} {
		re := regexp.MustCompile(tc.pattern)
		for _, v := range tc.values {
			assert.Equal(t, tc.parse(v) == nil, re.MatchString(v), "%q against %s", v, tc.pattern)
		}
	}
}

// TestJSONSchemaEnumsAreTheValidators: each fixed set in the schema is the
// validator's. Every string key with a set that a library scenario or a
// file of the CLI's bad-input corpus uses is given a value outside it, and
// the values the validator's message lists must be the set (the union over
// its uses, for a type used in two places).
func TestJSONSchemaEnumsAreTheValidators(t *testing.T) {
	const bogus = "zz-not-a-value"
	type source struct {
		name, src string
		read      func(string) ([]byte, error)
		library   bool // a valid scenario: the bogus value must be its problem
	}
	var sources []source
	files, err := fs.Glob(LibraryFS(), "*.toml")
	require.NoError(t, err)
	for _, name := range files {
		src, err := fs.ReadFile(LibraryFS(), name)
		require.NoError(t, err)
		sources = append(sources, source{"library/" + name, string(src), FSReader(LibraryFS(), name), true})
	}
	bad, _ := filepath.Glob("../cmd/fleetsim/testdata/bad/*.toml")
	for _, name := range bad {
		src, err := os.ReadFile(name)
		require.NoError(t, err)
		sources = append(sources, source{name, string(src), FileReader(name), false})
	}

	type use struct {
		source  int
		path    []string
		enumKey string
		written bool
	}
	var written, added []use // the keys the files have; those they could have
	for i, s := range sources {
		var tree map[string]any
		if _, err := toml.Decode(s.src, &tree); err != nil {
			continue // a bad-input file that is no TOML
		}
		walkEnums(reflect.TypeFor[fileSchema](), tree, nil, func(path []string, enumKey string, has bool) {
			if has {
				written = append(written, use{i, path, enumKey, true})
			} else {
				added = append(added, use{i, path, enumKey, false})
			}
		})
	}
	found := map[string][]string{}
	covered := map[string]bool{}
	tried := map[string]int{}
	// probe reports what the validator lists for u's key set to bogus.
	probe := func(u use) string {
		s := sources[u.source]
		var tree map[string]any
		_, err := toml.Decode(s.src, &tree)
		require.NoError(t, err)
		setTreeValue(tree, u.path, bogus)
		var buf bytes.Buffer
		require.NoError(t, toml.NewEncoder(&buf).Encode(tree))
		_, err = Parse(buf.String(), s.name, s.read)
		var probs Problems
		if errors.As(err, &probs) {
			for _, pr := range probs {
				if strings.Contains(pr.Got, bogus) {
					return pr.Want
				}
			}
		}
		require.False(t, s.library && u.written, "%s with %s=%q: no problem names the value: %v", s.name, strings.Join(u.path, "."), bogus, err)
		return "" // a key added where it is not read, or a bad-input file whose own problem stops the check
	}
	// Three uses of each key, from three files; then, for a key no file
	// has, up to twelve tries at adding it.
	for pass, uses := range [][]use{written, added} {
		for _, u := range uses {
			perFile := fmt.Sprint(u.source, "\x00", u.enumKey)
			if (pass == 0 && tried[u.enumKey] >= 3) || (pass == 1 && (covered[u.enumKey] || tried[u.enumKey] >= 12)) || tried[perFile] > 0 {
				continue
			}
			tried[perFile]++
			want := probe(u)
			if pass == 1 || want != "" {
				tried[u.enumKey]++
			}
			if want == "" {
				continue
			}
			for _, v := range listedValues(want) {
				if !slices.Contains(found[u.enumKey], v) {
					found[u.enumKey] = append(found[u.enumKey], v)
				}
			}
			covered[u.enumKey] = true
		}
	}
	for _, key := range slices.Sorted(maps.Keys(schemaEnums)) {
		if !covered[key] {
			t.Logf("%s: no library scenario or bad-input file uses it; its set is not checked here", key)
			continue
		}
		assert.ElementsMatch(t, schemaEnums[key], found[key], key)
	}
	assert.GreaterOrEqual(t, len(covered), len(schemaEnums)-3, "the files reach all but a few of the sets")
}

// walkEnums calls use for every key of tree (read as type t) that has a
// fixed set in schemaEnums, with its path and its enum key; written says
// whether the file has the key. A key the file leaves out is offered too,
// in the tables and list entries it has and in the tables it could have.
func walkEnums(t reflect.Type, tree any, path []string, use func(path []string, enumKey string, written bool)) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		if slices.Contains([]reflect.Type{durationType, byteSizeType, bandwidthType, dateTimeType, intOrPercentType}, t) {
			return
		}
		m, _ := tree.(map[string]any) // nil: a table the file does not have
		for i := range t.NumField() {
			f := t.Field(i)
			k := tagName(f, "toml")
			if k == "" || !f.IsExported() {
				continue
			}
			kp := append(slices.Clone(path), k)
			enumKey := t.Name() + "." + k
			value, has := m[k]
			if _, isEnum := schemaEnums[enumKey]; isEnum {
				switch {
				case f.Type.Kind() == reflect.Slice:
					items, _ := value.([]any)
					use(append(kp, "0"), enumKey, len(items) > 0)
				default:
					_, isString := value.(string)
					use(kp, enumKey, isString)
				}
				continue
			}
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if !has && ft.Kind() != reflect.Struct {
				continue // an absent list has no entries to offer a key in
			}
			walkEnums(f.Type, value, kp, use)
		}
	case reflect.Slice:
		var items []any
		switch x := tree.(type) {
		case []any:
			items = x
		case []map[string]any:
			for _, e := range x {
				items = append(items, e)
			}
		}
		for i, e := range items {
			walkEnums(t.Elem(), e, append(slices.Clone(path), strconv.Itoa(i)), use)
		}
	}
}

// setTreeValue sets the string at path in a decoded TOML tree, making the
// tables on the way that it lacks; a list index names an entry (or, last,
// the array's only value).
func setTreeValue(tree any, path []string, value string) {
	for i, seg := range path {
		last := i == len(path)-1
		switch x := tree.(type) {
		case map[string]any:
			if last {
				x[seg] = value
				return
			}
			if _, ok := x[seg]; !ok {
				if path[i+1] == "0" && i+2 == len(path) {
					x[seg] = []any{value}
					return
				}
				x[seg] = map[string]any{}
			}
			tree = x[seg]
		case []map[string]any:
			tree = x[treeIndex(seg)]
		case []any:
			if last {
				x[treeIndex(seg)] = value
				return
			}
			tree = x[treeIndex(seg)]
		}
	}
}

func treeIndex(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

var quoted = regexp.MustCompile(`"([^"]*)"`)

// listedValues reads the values a validator's want lists: `one of A, B, C`
// or `"A", "B" or "C"`.
func listedValues(want string) []string {
	if rest, ok := strings.CutPrefix(want, "one of "); ok {
		return strings.Split(rest, ", ")
	}
	var out []string
	for _, m := range quoted.FindAllStringSubmatch(want, -1) {
		out = append(out, m[1])
	}
	return out
}
