package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// excerptClaim is how the README says a TOML block is taken from a library
// file: "an excerpt of [scenarios/library/X.toml](...)".
var excerptClaim = regexp.MustCompile(`excerpt\s+of\s+\[?` + "`?" + `(scenarios/library/[A-Za-z0-9_.-]+\.toml)`)

// tomlExcerpt is a ```toml block of a Markdown text with the file its
// preceding prose says it is an excerpt of.
type tomlExcerpt struct {
	File  string
	Line  int // of the opening fence, 1-based
	Lines []string
}

// tomlExcerpts finds the ```toml blocks whose prose since the previous
// block claims them as an excerpt of a library file.
func tomlExcerpts(md string) []tomlExcerpt {
	var out []tomlExcerpt
	var prose strings.Builder
	var cur *tomlExcerpt
	for i, line := range strings.Split(md, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case cur != nil && trimmed == "```":
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			cur.Lines = append(cur.Lines, line)
		case strings.HasPrefix(trimmed, "```"): // a fence of another block (sh, toml unclaimed), opening or closing
			if m := excerptClaim.FindStringSubmatch(prose.String()); m != nil && trimmed == "```toml" {
				cur = &tomlExcerpt{File: m[1], Line: i + 1}
			}
			prose.Reset() // a claim covers the next block only
		default:
			prose.WriteString(line + "\n")
		}
	}
	return out
}

// keyValue is a TOML line's key = value without its comment and outer
// space, or "" for a line that is not a key = value (a comment, a table
// header, a blank line, a continuation).
func keyValue(line string) string {
	code := stripTOMLComment(line)
	code = strings.TrimSpace(code)
	if code == "" || strings.HasPrefix(code, "[") || !strings.Contains(code, "=") {
		return ""
	}
	key, value, _ := strings.Cut(code, "=")
	return strings.TrimSpace(key) + " = " + strings.TrimSpace(value)
}

// stripTOMLComment drops a # comment that is not inside a string.
func stripTOMLComment(line string) string {
	var quote byte
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote != 0 && c == '\\' && quote == '"':
			i++
		case quote != 0 && c == quote:
			quote = 0
		case quote == 0 && (c == '"' || c == '\''):
			quote = c
		case quote == 0 && c == '#':
			return line[:i]
		}
	}
	return line
}

// excerptMismatches lists each key = value line of an excerpt that its
// file does not have (comments and spacing aside), with the README's line.
func excerptMismatches(md string, read func(file string) (string, error)) ([]string, int) {
	var out []string
	excerpts := tomlExcerpts(md)
	for _, ex := range excerpts {
		src, err := read(ex.File)
		if err != nil {
			out = append(out, fmt.Sprintf("line %d: an excerpt of %s, which cannot be read: %v", ex.Line, ex.File, err))
			continue
		}
		have := map[string]bool{}
		for _, l := range strings.Split(src, "\n") {
			if kv := keyValue(l); kv != "" {
				have[kv] = true
			}
		}
		for i, l := range ex.Lines {
			if kv := keyValue(l); kv != "" && !have[kv] {
				out = append(out, fmt.Sprintf("line %d: %q is not in %s", ex.Line+1+i, kv, ex.File))
			}
		}
	}
	return out, len(excerpts)
}

func TestExcerptMismatchesFindsWhatTheFileDoesNotSay(t *testing.T) {
	file := "name = \"web\"   # the service\nmin_size = 2\nimage = \"repo/app:1#2\"\n  cpu = 512\n"
	read := func(string) (string, error) { return file, nil }
	claim := "This is an excerpt of [scenarios/library/x.toml](scenarios/library/x.toml):\n\n"
	tests := []struct {
		name  string
		md    string
		want  []string
		count int
	}{
		{"lines the file has, other comments and spacing aside", claim + "```toml\nname = \"web\"\n[cluster]\n# a note\ncpu=512   # CPU units\nimage = \"repo/app:1#2\"\n```\n", nil, 1},
		{"a value the file no longer has", claim + "```toml\nmin_size = 6          # the fleet\n```\n", []string{`line 4: "min_size = 6" is not in scenarios/library/x.toml`}, 1},
		{"a key the file lacks", claim + "```toml\nmax_size = 20\n```\n", []string{`line 4: "max_size = 20" is not in scenarios/library/x.toml`}, 1},
		{"a block without the claim is not checked", "Some TOML:\n\n```toml\nmin_size = 6\n```\n", nil, 0},
		{"the claim covers only the next block", claim + "```toml\nname = \"web\"\n```\nthen\n```toml\nmin_size = 9\n```\n", nil, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, n := excerptMismatches(tc.md, read)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.count, n)
		})
	}
}

func TestTheREADMEsExcerptsMatchTheLibraryFiles(t *testing.T) {
	root := filepath.Join("..", "..")
	md, err := os.ReadFile(filepath.Join(root, "README.md"))
	require.NoError(t, err)
	got, n := excerptMismatches(string(md), func(file string) (string, error) {
		b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(file)))
		return string(b), err
	})
	require.Positive(t, n, "the README claims at least one excerpt (the annotated scenario)")
	assert.Empty(t, got, "README.md excerpts that no longer match their file")
}
