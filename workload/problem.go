package workload

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Problem is one thing wrong with an input file, located as precisely as the
// reader can: "traces/x.csv:1043: column "requests": want a number, found "abc"".
type Problem struct {
	File  string
	Line  int    // 1-based; 0 when the problem concerns the whole file
	Field string // `column "requests"`, `field 4 (run time)`; empty for a whole line
	Want  string // what the reader expected
	Got   string // what it found, already quoted where it is input text
}

// Error formats the problem as file:line: field: want W, found G.
func (p Problem) Error() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	if p.Field != "" {
		b.WriteString(": ")
		b.WriteString(p.Field)
	}
	fmt.Fprintf(&b, ": want %s, found %s", p.Want, p.Got)
	return b.String()
}

// maxProblems caps how many problems one file reports; the rest are counted.
const maxProblems = 20

// problems collects a file's problems in input order.
type problems struct {
	file string
	list []error
	more int
}

func (ps *problems) add(line int, field, want, got string) {
	if len(ps.list) == maxProblems {
		ps.more++
		return
	}
	ps.list = append(ps.list, Problem{File: ps.file, Line: line, Field: field, Want: want, Got: got})
}

func (ps *problems) err() error {
	if ps.more > 0 {
		return errors.Join(append(ps.list, fmt.Errorf("%s: %d more problems", ps.file, ps.more))...)
	}
	return errors.Join(ps.list...)
}

// openMaybeGzip returns r, decompressed when name ends in ".gz" or the data
// starts with the gzip magic bytes 1f 8b.
func openMaybeGzip(name string, r io.Reader) (io.Reader, error) {
	br := bufio.NewReader(r)
	magic, _ := br.Peek(2)
	isGzip := len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b
	if !isGzip && !strings.HasSuffix(name, ".gz") {
		return br, nil
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return zr, nil
}
