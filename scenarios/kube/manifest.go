package kube

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// Manifest is what one file of Kubernetes objects holds that fleetsim runs:
// its workloads and bare pods in file order, the objects of other kinds it
// skipped, and the warnings met on the way.
type Manifest struct {
	Deployments []Deployment
	Jobs        []Job
	DaemonSets  []DaemonSet
	Pods        []Pod
	// Ignored are the objects of kinds fleetsim does not run (Service,
	// ConfigMap, RBAC, HorizontalPodAutoscaler...), so a caller can say what
	// it left out.
	Ignored []Object
	// Warnings are fields Kubernetes does not define where they stand
	// (misspellings, most likely), each with the nearest known field as a
	// hint. kubectl's default --validate=strict would reject them; fleetsim
	// reads the rest.
	Warnings Problems
}

// Source is where an object starts: the file and the line of its first field.
type Source struct {
	File string
	Line int
}

// Object names an object: its type, name and where it is.
type Object struct {
	APIVersion, Kind string
	Name, Namespace  string
	Source           Source
}

// ObjectMeta is the part of metadata fleetsim reads. Namespace is "default"
// when the manifest gives none.
type ObjectMeta struct {
	Name, Namespace string
	Labels          map[string]string
	Annotations     map[string]string
}

// Load reads the manifests in the file name (YAML or JSON; several YAML
// documents separated by ---). The error, if any, is a Problems list.
func Load(name string) (Manifest, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return Manifest{}, Problems{{File: name, Got: "cannot read: " + unwrapPathError(err)}}
	}
	return Parse(name, data)
}

func unwrapPathError(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// Parse reads the manifests in data; file names them in problems. YAML is
// read as Kubernetes reads it (a JSON document is YAML too): every document
// of a stream, a v1 List's items, each object of a kind fleetsim runs
// (apps/v1 Deployment and DaemonSet, batch/v1 Job, v1 Pod) checked as the API
// server's defaulting and validation would. With any problem the Manifest is
// empty and the error lists every problem found, in file order; a malformed
// file never panics.
func Parse(file string, data []byte) (Manifest, error) {
	r := &reader{file: file}
	var m Manifest
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		err := decode(dec, &doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			r.syntax(err)
			break
		}
		r.budget, r.blown = maxNodes, false
		if len(doc.Content) == 0 {
			continue
		}
		r.document(&m, doc.Content[0], "")
	}
	// The walk reads a spec's fields in its own order; messages go in the
	// file's (a stable sort keeps the walk's order within a line).
	byLine := func(a, b Problem) int { return a.Line - b.Line }
	slices.SortStableFunc(r.problems, byLine)
	slices.SortStableFunc(r.warnings, byLine)
	if len(r.problems) > 0 {
		return Manifest{}, r.problems
	}
	m.Warnings = r.warnings
	return m, nil
}

// decode reads the next document. yaml.v3 reports errors as values; the
// recover is a last guard so that a parser bug on hostile input becomes a
// problem, not a crash.
func decode(dec *yaml.Decoder, doc *yaml.Node) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("yaml: internal error: %v", p)
		}
	}()
	return dec.Decode(doc)
}

// yamlLine finds the line in a yaml.v3 syntax error ("yaml: line 4: ...").
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parserProblems are the messages of yaml.v3's parser (parserc.go), whose
// line it gives 0-based; its scanner's it gives 1-based.
var parserProblems = []string{
	"did not find expected ',' or ']'", "did not find expected ',' or '}'", "did not find expected '-' indicator",
	"did not find expected <document start>", "did not find expected <stream-start>", "did not find expected key",
	"did not find expected node content", "found duplicate %TAG directive", "found duplicate %YAML directive",
	"found incompatible YAML document", "found undefined tag handle",
}

// syntax records a YAML syntax error: the stream cannot be read past it.
func (r *reader) syntax(err error) {
	msg := err.Error()
	line := 0
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
		if slices.Contains(parserProblems, msg) {
			line++
		}
	}
	r.problems = append(r.problems, Problem{File: r.file, Line: line, Want: "YAML or JSON", Got: msg})
}

// Known fields, from k8s.io/api (core/v1, apps/v1, batch/v1 types.go).
var (
	objectFields = []string{"apiVersion", "kind", "metadata", "spec", "status"}
	listFields   = []string{"apiVersion", "kind", "metadata", "items"}
	metaFields   = []string{"name", "generateName", "namespace", "labels", "annotations", "uid", "resourceVersion",
		"generation", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "ownerReferences",
		"finalizers", "managedFields", "selfLink"}
)

// document reads one object (or a List of them) at p.
func (r *reader) document(m *Manifest, n *yaml.Node, p path) {
	r.subject = ""
	if resolve(n) == nil {
		return // an empty document, or a comment alone
	}
	head, ok := r.object(p, n, nil)
	if !ok {
		return // not a mapping, reported
	}
	apiVersion := r.str(head, "apiVersion")
	kind := r.str(head, "kind")
	if apiVersion == "" || kind == "" {
		r.bad(p, head.line, "an object with apiVersion and kind", fmt.Sprintf("apiVersion %q, kind %q", apiVersion, kind))
		return
	}
	src := Source{File: r.file, Line: head.line}
	known := map[string]string{"Deployment": "apps/v1", "DaemonSet": "apps/v1", "Job": "batch/v1", "Pod": "v1", "List": "v1"}
	want, runs := known[kind]
	if !runs {
		meta, _ := r.object(p.field("metadata"), head.nodes["metadata"], nil)
		m.Ignored = append(m.Ignored, Object{APIVersion: apiVersion, Kind: kind, Name: r.str(meta, "name"), Namespace: r.str(meta, "namespace"), Source: src})
		return
	}
	if apiVersion != want {
		r.bad(p.field("apiVersion"), head.lineOf("apiVersion"), strconv.Quote(want)+" for a "+kind+" (what EKS serves)", strconv.Quote(apiVersion))
		return
	}
	if kind == "List" {
		r.unknown(head, listFields)
		for i, item := range r.list(head, "items") {
			r.document(m, item, p.field("items").index(i))
		}
		return
	}
	r.subject = kind
	if name := peekName(head); name != "" {
		r.subject = fmt.Sprintf("%s %q", kind, name)
	}
	r.unknown(head, objectFields)
	f := head
	meta := r.meta(f, true)
	switch kind {
	case "Deployment":
		m.Deployments = append(m.Deployments, r.deployment(f, src, meta))
	case "DaemonSet":
		m.DaemonSets = append(m.DaemonSets, r.daemonSet(f, src, meta))
	case "Job":
		m.Jobs = append(m.Jobs, r.job(f, src, meta))
	case "Pod":
		m.Pods = append(m.Pods, r.pod(f, src, meta))
	}
}

// peekName is metadata.name if it is a string, for messages about the object
// before its metadata is read.
func peekName(f fields) string {
	m := f.nodes["metadata"]
	if m == nil || m.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k, v := m.Content[i], resolve(m.Content[i+1]); k.Value == "name" && v != nil && v.Tag == "!!str" {
			return v.Value
		}
	}
	return ""
}

// meta reads f's metadata. A top-level object needs a name (or a
// generateName, which then stands as its name); a template's is optional.
func (r *reader) meta(f fields, top bool) ObjectMeta {
	mf, _ := r.sub(f, "metadata", metaFields)
	meta := ObjectMeta{
		Name:        r.str(mf, "name"),
		Namespace:   r.str(mf, "namespace"),
		Labels:      r.stringMap(mf, "labels"),
		Annotations: r.stringMap(mf, "annotations"),
	}
	if !top {
		return meta
	}
	if meta.Name == "" {
		meta.Name = r.str(mf, "generateName")
	}
	if meta.Name == "" {
		line := mf.line
		if line == 0 {
			line = f.line
		}
		r.bad(f.path.field("metadata").field("name"), line, "a name", "none")
	}
	if meta.Namespace == "" {
		meta.Namespace = "default"
	}
	return meta
}
