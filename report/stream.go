package report

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
)

// GzipName is the name a CSV file of Files takes when a run writes it
// gzip-compressed (WriteOptions.Gzip): events.csv.gz.
func GzipName(name string) string { return name + ".gz" }

// isGzipped reports whether name is a CSV file of Files, gzip-compressed.
func isGzipped(name string) bool {
	base, ok := strings.CutSuffix(name, ".gz")
	return ok && outputKind[base] == "csv" && slices.Contains(Files, base)
}

// gzipped is fill with its output gzip-compressed (default level, no name
// or time in the header, so that the same run gives the same bytes).
func gzipped(fill func(*bufio.Writer) error) func(*bufio.Writer) error {
	return func(w *bufio.Writer) error {
		zw := gzip.NewWriter(w)
		bw := bufio.NewWriterSize(zw, 1<<16)
		if err := fill(bw); err != nil {
			return err
		}
		if err := bw.Flush(); err != nil {
			return err
		}
		return zw.Close()
	}
}

// writeJSONStream writes v as writeJSON does (two-space indent, HTML
// escaped, a final newline), byte for byte, but a struct's top-level slices
// one element at a time: state.json's instances and tasks are tens of
// megabytes at scale, and writeJSON would hold the whole encoding (and the
// copies made while it grows) in memory at once. Anything it cannot stream
// the way encoding/json would write it (a custom marshaller, an embedded
// struct, a ",string" option) goes to writeJSON whole.
func writeJSONStream(w *bufio.Writer, v any) error { return writeJSONStreamWith(w, v, nil) }

// elements yields a list's elements one at a time, stopping at the first
// error yield returns.
type elements func(yield func(any) error) error

// writeJSONStreamWith is writeJSONStream with the elements of some
// top-level slices made as they are written: the field of v named (in Go)
// by a key of made is written from its elements, and v's own value of it
// (an empty list) is what is written when they yield none. The bytes are
// writeJSONStream's for v with those slices filled.
func writeJSONStreamWith(w *bufio.Writer, v any, made map[string]elements) error {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer && !rv.IsNil() {
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct || !streamable(rv.Type()) {
		return writeJSON(w, v)
	}
	t := rv.Type()
	first := true
	for i := range t.NumField() {
		f := t.Field(i)
		name, omitEmpty, skip := jsonField(f)
		if skip || omitEmpty && emptyJSON(rv.Field(i)) {
			continue
		}
		if first {
			w.WriteString("{\n")
		} else {
			w.WriteString(",\n")
		}
		first = false
		key, err := json.Marshal(name)
		if err != nil {
			return err
		}
		w.WriteString("  ")
		w.Write(key)
		w.WriteString(": ")
		if each, ok := made[f.Name]; ok && rv.Field(i).Kind() == reflect.Slice {
			if err := writeJSONElements(w, rv.Field(i), each); err != nil {
				return err
			}
			continue
		}
		if err := writeJSONValue(w, rv.Field(i)); err != nil {
			return err
		}
	}
	if first {
		w.WriteString("{}\n")
		return nil
	}
	_, err := w.WriteString("\n}\n")
	return err
}

// writeJSONValue writes one top-level field's value at depth one: a
// non-empty slice element by element, anything else whole.
func writeJSONValue(w *bufio.Writer, fv reflect.Value) error {
	if fv.Kind() != reflect.Slice || fv.IsNil() || fv.Len() == 0 || fv.Type().Elem().Kind() == reflect.Uint8 {
		b, err := marshalIndent(fv.Interface(), "  ", "  ")
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	}
	w.WriteString("[\n")
	for j := range fv.Len() {
		if j > 0 {
			w.WriteString(",\n")
		}
		b, err := marshalIndent(fv.Index(j).Interface(), "    ", "  ")
		if err != nil {
			return err
		}
		w.WriteString("    ")
		w.Write(b)
	}
	_, err := w.WriteString("\n  ]")
	return err
}

// writeJSONElements writes a top-level list as writeJSONValue writes a
// slice, its elements from each; none writes empty (the field's own value).
func writeJSONElements(w *bufio.Writer, empty reflect.Value, each elements) error {
	n := 0
	err := each(func(v any) error {
		if n == 0 {
			w.WriteString("[\n")
		} else {
			w.WriteString(",\n")
		}
		n++
		b, err := marshalIndent(v, "    ", "  ")
		if err != nil {
			return err
		}
		w.WriteString("    ")
		_, err = w.Write(b)
		return err
	})
	if err != nil {
		return err
	}
	if n == 0 {
		return writeJSONValue(w, empty)
	}
	_, err = w.WriteString("\n  ]")
	return err
}

var marshalerType = reflect.TypeFor[json.Marshaler]()

// streamable reports whether writeJSONStream writes struct type t exactly as
// encoding/json does: no custom marshaller on it and no field it would
// treat specially at the top level (embedded structs, ",string",
// ",omitzero").
func streamable(t reflect.Type) bool {
	if t.Implements(marshalerType) || reflect.PointerTo(t).Implements(marshalerType) {
		return false
	}
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			return false
		}
		if _, opts, _ := strings.Cut(f.Tag.Get("json"), ","); strings.Contains(","+opts+",", ",string,") || strings.Contains(","+opts+",", ",omitzero,") {
			return false
		}
	}
	return true
}

// jsonField is a field's name and options as encoding/json reads them.
func jsonField(f reflect.StructField) (name string, omitEmpty, skip bool) {
	if !f.IsExported() {
		return "", false, true
	}
	tag := f.Tag.Get("json")
	if tag == "-" {
		return "", false, true
	}
	name, opts, _ := strings.Cut(tag, ",")
	if name == "" || !validTagName(name) {
		name = f.Name
	}
	return name, strings.Contains(","+opts+",", ",omitempty,"), false
}

// validTagName is encoding/json's test of a tag's name.
func validTagName(s string) bool {
	for _, c := range s {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c > 127:
		default:
			return false
		}
	}
	return true
}

// emptyJSON is encoding/json's omitempty test.
func emptyJSON(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}
