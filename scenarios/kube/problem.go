package kube

import (
	"fmt"
	"strings"
)

// Problem is one thing wrong with a manifest: the file, the line where known,
// the object, the field path as Kubernetes writes it
// (spec.template.spec.containers[0].resources.requests.cpu), what was
// expected and what was found. It has the shape of scenarios.Problem, plus
// the object, so that the scenario loader can pass it on.
type Problem struct {
	File   string
	Line   int    // 1-based; 0 when unknown
	Object string // `Deployment "web"`; "" before the kind and name are read
	Path   string
	Want   string
	Got    string
	Hint   string // "did you mean ..." and the like
}

func (p Problem) Error() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	b.WriteString(": ")
	if p.Object != "" {
		b.WriteString(p.Object)
		b.WriteString(": ")
	}
	if p.Path != "" {
		b.WriteString(p.Path)
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

// Problems is every problem found in a file, in file order. It is the error
// Parse and Load return; errors.As gets at the list.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}
