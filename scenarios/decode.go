package scenarios

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

// treeDecoder fills a schema struct from a decoded document tree (TOML
// decoded into map[string]any, or JSON into any), key by key against the
// schema's field types, and keeps going past a value of the wrong type: each
// becomes a problem with its indexed path (services.1.desired_count), and
// the key keeps its zero value. It is the one place that reads a document
// into the schema, so that a type error never hides the others and never
// arrives as a decoder's raw text.
//
// Tree values are what BurntSushi/toml decodes into an any: string, int64,
// float64, bool, time.Time, []any, []map[string]any and map[string]any;
// JSON's json.Number and nil are read too (nil as absent).
type treeDecoder struct {
	tag           string // the struct tag naming the keys: "toml" or "json"
	ignoreUnknown bool   // JSON task definitions carry many fields fleetsim does not model
	problems      []treeProblem
}

// treeProblem is a problem found while decoding, at a path of the document;
// the validator gives it its file, line and display key once the whole
// document is decoded (a list entry's name may come after its bad key).
type treeProblem struct {
	path            []string
	want, got, hint string
}

// treeValue is a schema type that reads itself from a tree value (a
// duration, a size, a date-time...). It returns what it wanted and what it
// found when the value will not do.
type treeValue interface {
	fromTree(data any) (want, got string, ok bool)
}

var treeValueType = reflect.TypeFor[treeValue]()

// decode fills rv from data at path; false if data had the wrong shape.
func (d *treeDecoder) decode(path []string, data any, rv reflect.Value) bool {
	if data == nil { // JSON null: as if absent
		return true
	}
	if rv.Kind() != reflect.Pointer && rv.CanAddr() && rv.Addr().Type().Implements(treeValueType) {
		want, got, ok := rv.Addr().Interface().(treeValue).fromTree(data)
		if !ok {
			d.bad(path, want, got)
		}
		return ok
	}
	switch rv.Kind() {
	case reflect.Pointer:
		nv := reflect.New(rv.Type().Elem())
		if !d.decode(path, data, nv.Elem()) {
			return false
		}
		rv.Set(nv)
		return true
	case reflect.Struct:
		return d.decodeStruct(path, data, rv)
	case reflect.Slice:
		return d.decodeSlice(path, data, rv)
	case reflect.Map:
		return d.decodeMap(path, data, rv)
	case reflect.String:
		s, ok := data.(string)
		if !ok {
			d.bad(path, "a string", tomlValue(data))
			return false
		}
		rv.SetString(s)
		return true
	case reflect.Bool:
		b, ok := data.(bool)
		if !ok {
			d.bad(path, "a boolean (true or false)", tomlValue(data))
			return false
		}
		rv.SetBool(b)
		return true
	case reflect.Int, reflect.Int64:
		n, ok := asInt(data)
		if !ok {
			d.bad(path, "an integer", tomlValue(data))
			return false
		}
		rv.SetInt(n)
		return true
	case reflect.Float64:
		f, ok := asFloat(data)
		if !ok {
			d.bad(path, "a number", tomlValue(data))
			return false
		}
		rv.SetFloat(f)
		return true
	}
	panic(fmt.Sprintf("scenarios: schema field %s of kind %s has no decoder", strings.Join(path, "."), rv.Kind()))
}

func (d *treeDecoder) bad(path []string, want, got string) {
	d.problems = append(d.problems, treeProblem{path: slices.Clone(path), want: want, got: got})
}

func (d *treeDecoder) decodeStruct(path []string, data any, rv reflect.Value) bool {
	m, ok := data.(map[string]any)
	if !ok {
		d.bad(path, "a table", tomlValue(data))
		return false
	}
	t := rv.Type()
	for _, k := range sortedKeys(m) {
		kp := append(slices.Clone(path), k)
		f, ok := fieldByTagName(t, d.tag, k)
		if !ok {
			if !d.ignoreUnknown {
				pr := treeProblem{path: kp, got: "unknown key"}
				if s := closest(k, tagsOf(t, d.tag)); s != "" {
					pr.hint = fmt.Sprintf("did you mean %q?", s)
				}
				if h, ok := rv.Interface().(interface{ keyHint(string) string }); ok && h.keyHint(k) != "" {
					pr.hint = h.keyHint(k) // a [workload] key of one orchestrator given elsewhere (orchestrator_schema.go)
				}
				d.problems = append(d.problems, pr)
			}
			continue
		}
		d.decode(kp, m[k], rv.FieldByIndex(f.Index))
	}
	return true
}

func (d *treeDecoder) decodeSlice(path []string, data any, rv reflect.Value) bool {
	var items []any
	switch x := data.(type) {
	case []any:
		items = x
	case []map[string]any:
		for _, m := range x {
			items = append(items, m)
		}
	default:
		d.bad(path, "an array", tomlValue(data))
		return false
	}
	out := reflect.MakeSlice(rv.Type(), len(items), len(items))
	for i, it := range items {
		d.decode(append(slices.Clone(path), strconv.Itoa(i)), it, out.Index(i))
	}
	rv.Set(out)
	return true
}

func (d *treeDecoder) decodeMap(path []string, data any, rv reflect.Value) bool {
	m, ok := data.(map[string]any)
	if !ok {
		d.bad(path, "a table", tomlValue(data))
		return false
	}
	out := reflect.MakeMapWithSize(rv.Type(), len(m))
	for _, k := range sortedKeys(m) {
		ev := reflect.New(rv.Type().Elem()).Elem()
		if d.decode(append(slices.Clone(path), k), m[k], ev) {
			out.SetMapIndex(reflect.ValueOf(k), ev)
		}
	}
	rv.Set(out)
	return true
}

// asInt reads an integer: a TOML integer or a JSON number without a
// fraction.
func asInt(data any) (int64, bool) {
	switch x := data.(type) {
	case int64:
		return x, true
	case json.Number:
		n, err := strconv.ParseInt(string(x), 10, 64)
		return n, err == nil
	}
	return 0, false
}

// maxExactInt is the largest integer a float64 holds exactly (2^53): an
// integer beyond it read as a float would silently change.
const maxExactInt = 1 << 53

// asFloat reads a number: a float, or an integer a float64 holds exactly.
func asFloat(data any) (float64, bool) {
	switch x := data.(type) {
	case float64:
		return x, true
	case int64:
		return float64(x), x >= -maxExactInt && x <= maxExactInt
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		return f, err == nil
	}
	return 0, false
}

func fieldByTagName(t reflect.Type, tag, name string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		if f := t.Field(i); f.IsExported() && tagName(f, tag) == name {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// tagName is a field's key: its tag up to a comma ("name,omitempty").
func tagName(f reflect.StructField, tag string) string {
	name, _, _ := strings.Cut(f.Tag.Get(tag), ",")
	return name
}

func tagsOf(t reflect.Type, tag string) []string {
	var out []string
	for i := range t.NumField() {
		if n := tagName(t.Field(i), tag); n != "" && n != "-" {
			out = append(out, n)
		}
	}
	return out
}

// maxQuoted is how much of a long string a message repeats.
const maxQuoted = 60

// tomlValue describes a decoded value for a message: "\"two\", a string",
// "5, an integer". A long string is cut, with its length.
func tomlValue(v any) string {
	switch x := v.(type) {
	case string:
		return quoteShort(x) + ", a string"
	case int64:
		return strconv.FormatInt(x, 10) + ", an integer"
	case json.Number:
		return string(x) + ", a number"
	case float64:
		return tomlFloat(x) + ", a float"
	case bool:
		return strconv.FormatBool(x) + ", a boolean"
	case time.Time:
		return x.Format(time.RFC3339Nano) + ", a date-time"
	case []any, []map[string]any:
		return "an array"
	case map[string]any:
		return "a table"
	}
	return fmt.Sprint(v)
}

// quoteShort quotes s, cut to maxQuoted bytes (at a character boundary)
// with its length when longer.
func quoteShort(s string) string {
	if len(s) <= maxQuoted {
		return strconv.Quote(s)
	}
	cut := maxQuoted
	for cut > 0 && !utf8Start(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s... (%d bytes)", strconv.Quote(s[:cut]), len(s))
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// normalizeJSON reads a JSON document with its numbers kept as text
// (json.Number), for treeDecoder.
func normalizeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err == nil {
		return nil, fmt.Errorf("offset %d: more after the task definition's object", dec.InputOffset())
	}
	return v, nil
}
