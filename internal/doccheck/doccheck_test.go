package doccheck

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// maxUnpinnedRows is how many rule rows of the semantics tables name no
// `pkg.TestName` in their "pinned by" (or "Test") column: "none", "—",
// "none (`scenarios` validates it; no test)" and the like. It was 17 when
// this test was written: 3 in docs/semantics.md, 11 in
// docs/semantics/cluster.md, 3 in docs/semantics/placement.md. It may only go
// down: when a row gains a test, lower it to the new count; a new rule row
// comes with its test, or with an argument for raising this in the same
// change.
const maxUnpinnedRows = 15

// docFiles are the documents whose rules promise the test that pins them,
// relative to the module root.
var docFiles = []string{"docs/semantics.md", "docs/semantics/*.md"}

// qualifiedRef is a backquoted test reference: `pkg.TestName`,
// `pkg.BenchmarkName` or `pkg.FuzzName`, pkg being the last element of a
// package directory.
var qualifiedRef = regexp.MustCompile("`([a-z][a-z0-9_]*)\\.((?:Test|Benchmark|Fuzz)(?:[A-Z0-9_][A-Za-z0-9_]*)?)`")

// testName is the name of a Test, Benchmark or Fuzz function.
var testName = regexp.MustCompile(`^(?:Test|Benchmark|Fuzz)(?:[A-Z0-9_][A-Za-z0-9_]*)?$`)

// bareRef is a test name without its package, which no one can check (a
// name after a slash is a path, testdata/fuzz/FuzzCQL).
var bareRef = regexp.MustCompile(`(?:^|[^./\w])((?:Test|Benchmark|Fuzz)[A-Z0-9_][A-Za-z0-9_]*)`)

// delimiterCell is a cell of a table's delimiter row (---, :--, --:, :-:).
var delimiterCell = regexp.MustCompile(`^:?-+:?$`)

// pinnedHeaders are the header cells naming a table's test column.
var pinnedHeaders = []string{"pinned by", "test", "tests"}

// doc is one markdown file, its lines and its tables.
type doc struct {
	path   string // relative to the module root, slash-separated
	lines  []string
	tables []table
}

// table is a markdown table: its header cells, the index of its test
// column (-1 without one) and its body rows.
type table struct {
	header []string
	pinned int
	rows   []row
}

// row is a table body row and its 1-based line number.
type row struct {
	line  int
	cells []string
}

// moduleRoot returns the directory holding go.mod, walking up from the
// test's directory.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(".")
	require.NoError(t, err)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		require.NotEqual(t, dir, parent, "no go.mod above the test directory")
		dir = parent
	}
}

// testFuncs returns, for each package directory's last path element, the
// Test, Benchmark and Fuzz functions its _test.go files declare. It skips
// testdata, out and dot-directories.
func testFuncs(t *testing.T, root string) map[string]map[string]bool {
	t.Helper()
	funcs := map[string]map[string]bool{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "out") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		pkg := filepath.Base(filepath.Dir(p))
		if funcs[pkg] == nil {
			funcs[pkg] = map[string]bool{}
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if ok && fn.Recv == nil && testName.MatchString(fn.Name.Name) {
				funcs[pkg][fn.Name.Name] = true
			}
		}
		return nil
	})
	require.NoError(t, err)
	return funcs
}

// loadDocs reads and parses every file of docFiles, in order.
func loadDocs(t *testing.T, root string) []doc {
	t.Helper()
	var docs []doc
	for _, pattern := range docFiles {
		paths, err := filepath.Glob(filepath.Join(root, filepath.FromSlash(pattern)))
		require.NoError(t, err)
		require.NotEmpty(t, paths, "no file matches %s", pattern)
		slices.Sort(paths)
		for _, p := range paths {
			b, err := os.ReadFile(p)
			require.NoError(t, err)
			rel, err := filepath.Rel(root, p)
			require.NoError(t, err)
			docs = append(docs, parseDoc(filepath.ToSlash(rel), string(b)))
		}
	}
	return docs
}

// parseDoc splits text into lines and finds its tables: a header row, a
// delimiter row, then every following line that starts with "|". Fenced
// code blocks are skipped.
func parseDoc(path, text string) doc {
	d := doc{path: path, lines: strings.Split(text, "\n")}
	fenced := false
	for i := 0; i < len(d.lines); i++ {
		l := strings.TrimSpace(d.lines[i])
		if strings.HasPrefix(l, "```") || strings.HasPrefix(l, "~~~") {
			fenced = !fenced
			continue
		}
		if fenced || !strings.HasPrefix(l, "|") || i+1 >= len(d.lines) || !isDelimiterRow(d.lines[i+1]) {
			continue
		}
		tb := table{header: cells(l), pinned: -1}
		for j, h := range tb.header {
			if slices.Contains(pinnedHeaders, strings.ToLower(h)) {
				tb.pinned = j
			}
		}
		i += 2
		for ; i < len(d.lines) && strings.HasPrefix(strings.TrimSpace(d.lines[i]), "|"); i++ {
			tb.rows = append(tb.rows, row{line: i + 1, cells: cells(d.lines[i])})
		}
		i--
		d.tables = append(d.tables, tb)
	}
	return d
}

// cells splits a table line on the pipes that are not escaped as \|.
func cells(line string) []string {
	line = strings.TrimSpace(line)
	line = strings.TrimPrefix(line, "|")
	if strings.HasSuffix(line, "|") && !strings.HasSuffix(line, `\|`) {
		line = line[:len(line)-1]
	}
	var out []string
	var cur strings.Builder
	for i := 0; i < len(line); i++ {
		switch {
		case line[i] == '\\' && i+1 < len(line) && line[i+1] == '|':
			cur.WriteString(`\|`)
			i++
		case line[i] == '|':
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(line[i])
		}
	}
	return append(out, strings.TrimSpace(cur.String()))
}

// isDelimiterRow reports whether line is a table's delimiter row.
func isDelimiterRow(line string) bool {
	l := strings.TrimSpace(line)
	if !strings.HasPrefix(l, "|") {
		return false
	}
	for _, c := range cells(l) {
		if !delimiterCell.MatchString(c) {
			return false
		}
	}
	return true
}

// staleRefs returns each backquoted test reference of docs that names no
// function of funcs, as "file:line: reference: why", and how many
// references it checked.
func staleRefs(docs []doc, funcs map[string]map[string]bool) (stale []string, checked int) {
	for _, d := range docs {
		for i, l := range d.lines {
			for _, m := range qualifiedRef.FindAllStringSubmatch(l, -1) {
				checked++
				pkg, name := m[1], m[2]
				switch {
				case funcs[pkg] == nil:
					stale = append(stale, fmt.Sprintf("%s:%d: %s: no package directory named %q has tests", d.path, i+1, m[0], pkg))
				case !funcs[pkg][name]:
					stale = append(stale, fmt.Sprintf("%s:%d: %s: no func %s in a _test.go file of a %s/ directory", d.path, i+1, m[0], name, pkg))
				}
			}
		}
	}
	return stale, checked
}

// bareRefs returns each test of docs named without its package.
func bareRefs(docs []doc) []string {
	var bare []string
	for _, d := range docs {
		for i, l := range d.lines {
			for _, m := range bareRef.FindAllStringSubmatch(l, -1) {
				bare = append(bare, fmt.Sprintf("%s:%d: %s: write it pkg.%s, in backquotes", d.path, i+1, m[1], m[1]))
			}
		}
	}
	return bare
}

// unpinnedRows returns the rows of the tables with a test column whose test
// cell names no `pkg.TestName`, as "file:line: cell", and how many such
// tables there are.
func unpinnedRows(docs []doc) (rows []string, tables int) {
	for _, d := range docs {
		for _, tb := range d.tables {
			if tb.pinned < 0 {
				continue
			}
			tables++
			for _, r := range tb.rows {
				c := ""
				if tb.pinned < len(r.cells) {
					c = r.cells[tb.pinned]
				}
				if !qualifiedRef.MatchString(c) {
					rows = append(rows, fmt.Sprintf("%s:%d: %q", d.path, r.line, c))
				}
			}
		}
	}
	return rows, tables
}

// TestEveryTestTheDocsNameExists checks each backquoted `pkg.TestName`
// (Benchmark, Fuzz) in the semantics documents, tables and prose alike,
// against the functions of the _test.go files of the package directories
// whose last element is pkg. Moving a test to another package changes only
// the prefix the docs must use.
func TestEveryTestTheDocsNameExists(t *testing.T) {
	root := moduleRoot(t)
	funcs := testFuncs(t, root)
	require.True(t, funcs["doccheck"]["TestEveryTestTheDocsNameExists"], "the walk must at least find this test")
	stale, checked := staleRefs(loadDocs(t, root), funcs)
	t.Logf("%d test references checked", checked)
	assert.Positive(t, checked, "the documents name no test at all: is the pattern wrong?")
	assert.Empty(t, stale, "stale test references:\n%s", strings.Join(stale, "\n"))
}

// TestDocsNameEveryTestWithItsPackage rejects a test named without its
// package (TestName instead of `pkg.TestName`), which the check above cannot
// resolve.
func TestDocsNameEveryTestWithItsPackage(t *testing.T) {
	bare := bareRefs(loadDocs(t, moduleRoot(t)))
	assert.Empty(t, bare, "tests named without their package:\n%s", strings.Join(bare, "\n"))
}

// TestRuleRowsWithoutATestOnlyBecomeFewer counts the rows of the tables with
// a test column whose test cell names no `pkg.TestName`, and holds the count
// to maxUnpinnedRows.
func TestRuleRowsWithoutATestOnlyBecomeFewer(t *testing.T) {
	unpinned, tables := unpinnedRows(loadDocs(t, moduleRoot(t)))
	require.Positive(t, tables, "no table with a pinned-by column: is the header match wrong?")
	list := strings.Join(unpinned, "\n")
	t.Logf("%d rule rows name no test:\n%s", len(unpinned), list)
	assert.LessOrEqual(t, len(unpinned), maxUnpinnedRows,
		"more rule rows name no test than the %d allowed; pin the new ones:\n%s", maxUnpinnedRows, list)
	assert.GreaterOrEqual(t, len(unpinned), maxUnpinnedRows,
		"only %d rule rows name no test now: lower maxUnpinnedRows to %d so the count cannot grow back", len(unpinned), len(unpinned))
}

// TestTheChecksFindWhatASmallDocumentGetsWrong runs the three checks on a
// document written to trip each of them once: a stale and an unknown
// package's reference, a bare test name, a row pinned by none; a table inside
// a code fence and one without a test column are left alone.
func TestTheChecksFindWhatASmallDocumentGetsWrong(t *testing.T) {
	d := parseDoc("x.md", strings.Join([]string{
		"Prose names `sim.TestKept` and `sim.TestGone`.",
		"",
		"| rule | source | pinned by |",
		"|---|:--|--:|",
		"| a \\| b | — | `sim.TestKept` |",
		"| c | — | none |",
		"| d | — | `nowhere.FuzzX`, TestBare |",
		"",
		"```",
		"| not | a | table |",
		"|---|---|---|",
		"| e | f | none |",
		"```",
		"| Pattern | Rule |",
		"|---|---|",
		"| g | no test column |",
	}, "\n"))
	require.Len(t, d.tables, 2, "the fenced table is not one")
	assert.Equal(t, 2, d.tables[0].pinned)
	assert.Equal(t, -1, d.tables[1].pinned)
	assert.Equal(t, []string{"a \\| b", "—", "`sim.TestKept`"}, d.tables[0].rows[0].cells)

	stale, checked := staleRefs([]doc{d}, map[string]map[string]bool{"sim": {"TestKept": true}})
	assert.Equal(t, 4, checked)
	assert.Equal(t, []string{
		"x.md:1: `sim.TestGone`: no func TestGone in a _test.go file of a sim/ directory",
		"x.md:7: `nowhere.FuzzX`: no package directory named \"nowhere\" has tests",
	}, stale)
	assert.Equal(t, []string{"x.md:7: TestBare: write it pkg.TestBare, in backquotes"}, bareRefs([]doc{d}))
	rows, tables := unpinnedRows([]doc{d})
	assert.Equal(t, 1, tables)
	assert.Equal(t, []string{`x.md:6: "none"`}, rows)
}
