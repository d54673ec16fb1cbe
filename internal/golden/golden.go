// Package golden compares test output with files under testdata: a test
// fails with a line diff when they differ, and `go test -update` rewrites
// them (go/printer's flag). Regenerating is always explicit, and the diff
// shows up in the commit.
package golden

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files with what the tests produce")

// Updating reports whether this test run rewrites golden files.
func Updating() bool { return *update }

// Check compares got with the golden file at path (relative to the test's
// package), or rewrites the file under -update.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden file %s: %v (run the test with -update to create it)", path, err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs from what the test produced (-golden +got):\n%s\nRun with -update to accept, and say why in the commit.", path, Diff(string(want), string(got)))
	}
}

// Diff is a line diff of want and got: the common head and tail are skipped,
// and at most 40 differing lines from each side are shown, each with its line
// number.
func Diff(want, got string) string {
	a, b := strings.Split(want, "\n"), strings.Split(got, "\n")
	head := 0
	for head < len(a) && head < len(b) && a[head] == b[head] {
		head++
	}
	ta, tb := len(a), len(b)
	for ta > head && tb > head && a[ta-1] == b[tb-1] {
		ta--
		tb--
	}
	var out strings.Builder
	show := func(sign string, lines []string, from int) {
		for i, l := range lines {
			if i == 40 {
				fmt.Fprintf(&out, "%s ... %d more lines\n", sign, len(lines)-40)
				return
			}
			fmt.Fprintf(&out, "%s%5d  %s\n", sign, from+i+1, l)
		}
	}
	show("-", a[head:ta], head)
	show("+", b[head:tb], head)
	return out.String()
}
