package scenarios

import (
	"fmt"
	"strings"
)

// Problem is one thing wrong with a scenario: where it is, which key, what was
// expected and what was found.
type Problem struct {
	File string
	Line int // 0 when unknown
	Key  string
	Want string
	Got  string
	Hint string // "did you mean ..." and the like
}

func (p Problem) Error() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	b.WriteString(": ")
	if p.Key != "" {
		b.WriteString(p.Key)
		b.WriteString(": ")
	}
	switch {
	case p.Want != "" && p.Got != "":
		fmt.Fprintf(&b, "want %s, found %s", p.Want, p.Got)
	case p.Want != "":
		b.WriteString(p.Want)
	default:
		b.WriteString(p.Got)
	}
	if p.Hint != "" {
		b.WriteString(" (")
		b.WriteString(p.Hint)
		b.WriteString(")")
	}
	return b.String()
}

// Problems is every problem found in a scenario, in file order. It is the
// error Load returns; errors.As gets at the list.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}
