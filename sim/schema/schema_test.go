package schema

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// outputsDoc is the users' reference to timeseries.csv and events.csv.
const outputsDoc = "../../docs/outputs.md"

// constant is a constant declared in this package's source.
type constant struct{ name, value string }

// declaredConstants parses the package's non-test source files and returns,
// in declaration order, the string constants of the named type. A constant
// without a type and a value repeats the previous one's (Go's implicit
// repetition in a const block), so it is counted under that type too.
func declaredConstants(t *testing.T, typeName string) []constant {
	t.Helper()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	fset := token.NewFileSet()
	var out []constant
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		require.NoError(t, err)
		for _, decl := range file.Decls {
			gen, ok := decl.(*ast.GenDecl)
			if !ok || gen.Tok != token.CONST {
				continue
			}
			var typ string
			for _, spec := range gen.Specs {
				vs := spec.(*ast.ValueSpec)
				switch {
				case vs.Type != nil:
					typ = ""
					if id, ok := vs.Type.(*ast.Ident); ok {
						typ = id.Name
					}
				case len(vs.Values) > 0:
					typ = "" // untyped
				}
				if typ != typeName {
					continue
				}
				for i, name := range vs.Names {
					require.Less(t, i, len(vs.Values), "%s: %s has no value of its own", f, name.Name)
					lit, ok := vs.Values[i].(*ast.BasicLit)
					require.True(t, ok && lit.Kind == token.STRING, "%s: %s is not a string literal", f, name.Name)
					v, err := strconv.Unquote(lit.Value)
					require.NoError(t, err)
					out = append(out, constant{name.Name, v})
				}
			}
		}
	}
	return out
}

// values gives the values of the constants whose names start with prefix.
func values(cs []constant, prefix string) []string {
	var out []string
	for _, c := range cs {
		if strings.HasPrefix(c.name, prefix) {
			out = append(out, c.value)
		}
	}
	return out
}

func measureStrings(ms []Measure) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = string(m)
	}
	return out
}

func duplicates(names []string) []string {
	seen := map[string]bool{}
	var dup []string
	for _, n := range names {
		if seen[n] {
			dup = append(dup, n)
		}
		seen[n] = true
	}
	return dup
}

func TestEveryColumnMeasureAndEventTypeIsDocumentedInOutputsMd(t *testing.T) {
	b, err := os.ReadFile(outputsDoc)
	require.NoError(t, err, "docs/outputs.md documents every column and event type for users")
	doc := string(b)
	documented := func(kind, name string) {
		assert.Contains(t, doc, "`"+name+"`", "docs/outputs.md does not document the %s %q (in backquotes)", kind, name)
	}
	for _, c := range ClusterColumns {
		documented("cluster column", c)
	}
	for _, list := range []struct {
		kind     string
		measures []Measure
	}{{"service measure", ServiceMeasures}, {"job measure", JobMeasures}, {"group measure", GroupMeasures},
		{"capacity provider measure", []Measure{ProviderReservation}}} {
		for _, m := range list.measures {
			documented(list.kind, string(m))
		}
	}
	for _, e := range EventTypes {
		documented("event type", e)
	}
	for _, c := range []string{"time", "minute", "offset_s", "type", "subject", "group", "status", "reason", "instance", "capacity_provider"} {
		documented("CSV column", c)
	}
}

func TestEventTypesListsEveryEventTypeConstantOnceInDeclarationOrder(t *testing.T) {
	declared := declaredConstants(t, "EventType")
	require.NotEmpty(t, declared, "no EventType constant found in the package's source")
	assert.Empty(t, duplicates(EventTypes), "EventTypes lists an event type twice")
	assert.Equal(t, values(declared, ""), EventTypes, "EventTypes must list every EventType constant, in the order declared")
}

func TestMeasureListsListEveryMeasureConstantOfTheirEntity(t *testing.T) {
	declared := declaredConstants(t, "Measure")
	for _, list := range []struct {
		name, prefix string
		measures     []Measure
	}{{"ServiceMeasures and ServiceForecastMeasures", "Service", append(slices.Clone(ServiceMeasures), ServiceForecastMeasures...)}, {"JobMeasures", "Job", JobMeasures}, {"GroupMeasures", "Group", GroupMeasures}} {
		want := values(declared, list.prefix)
		require.NotEmpty(t, want, "no %s* Measure constant found", list.prefix)
		got := measureStrings(list.measures)
		assert.Empty(t, duplicates(got), "%s lists a measure twice", list.name)
		assert.ElementsMatch(t, want, got, "%s must list every %s* Measure constant", list.name, list.prefix)
	}
}

func TestEveryMeasureConstantBelongsToAnEntity(t *testing.T) {
	for _, c := range declaredConstants(t, "Measure") {
		known := c.name == "ProviderReservation"
		for _, prefix := range []string{"Service", "Job", "Group"} {
			known = known || strings.HasPrefix(c.name, prefix)
		}
		assert.True(t, known, "Measure %s is neither Service*, Job*, Group* nor ProviderReservation: no list or column helper writes it", c.name)
	}
}

func TestColumnHelpersGiveTheDocumentedNames(t *testing.T) {
	assert.Equal(t, "service.web.running", ServiceColumn("web", ServiceRunning))
	assert.Equal(t, "service.web.cpu_utilization", ServiceColumn("web", ServiceCPU))
	assert.Equal(t, "job.etl.pending", JobColumn("etl", JobPending))
	assert.Equal(t, "group.asg.spot", GroupColumn("asg", GroupSpot))
	assert.Equal(t, "capacity_provider.ec2.reservation", ProviderColumn("ec2", ProviderReservation))
}

func TestOutputsMdSaysWhichServiceMeasuresMayBeEmptyAsMayBeMissingDoes(t *testing.T) {
	b, err := os.ReadFile(outputsDoc)
	require.NoError(t, err)
	doc := string(b)
	start := strings.Index(doc, "#### Service measures")
	require.GreaterOrEqual(t, start, 0, "docs/outputs.md has no \"#### Service measures\" section")
	section := doc[start+1:]
	if end := strings.Index(section, "\n#### "); end >= 0 {
		section = section[:end]
	}
	// Rows of the table: | `measure` | unit | may be empty | meaning |
	mayBeEmpty := map[string]string{}
	for _, line := range strings.Split(section, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 5 || !strings.HasPrefix(strings.TrimSpace(cells[1]), "`") {
			continue
		}
		mayBeEmpty[strings.Trim(strings.TrimSpace(cells[1]), "`")] = strings.TrimSpace(cells[3])
	}
	for _, m := range ServiceMeasures {
		cell, ok := mayBeEmpty[string(m)]
		if !assert.True(t, ok, "the service measures table has no row for %q", m) {
			continue
		}
		want := map[bool]string{true: "yes", false: "no"}[MayBeMissing(m)]
		assert.Equal(t, want, cell, "service measure %q: \"may be empty\" must be %s (schema.MayBeMissing)", m, want)
	}
}

// The log keeps every event in the order added, across its chunks, and
// All's slice is not changed by later events.
func TestLogKeepsOrderAcrossChunks(t *testing.T) {
	for _, room := range []int{0, 10, 3 * maxChunk} {
		l := NewLog(room)
		const n = 3*maxChunk + 17 // several full chunks and a partial one
		for i := range n {
			l.Add(Event{Subject: strconv.Itoa(i)})
			if i == 100 {
				mid := l.All()
				require.Len(t, mid, 101)
				assert.Equal(t, "100", mid[100].Subject)
			}
		}
		require.Equal(t, n, l.Len())
		all := l.All()
		require.Len(t, all, n)
		for i, e := range all {
			if e.Subject != strconv.Itoa(i) {
				t.Fatalf("room %d: event %d is %q", room, i, e.Subject)
			}
		}
		again := l.All()
		assert.Same(t, &all[0], &again[0], "called again with nothing added, All copies nothing")
		l.Add(Event{Subject: "late"})
		assert.Len(t, all, n, "an Add after All leaves its slice as it was")
		assert.Equal(t, "late", l.All()[n].Subject)
	}
	var zero Log
	zero.Add(Event{Subject: "a"})
	assert.Equal(t, []Event{{Subject: "a"}}, zero.All(), "the zero Log is ready")
}
