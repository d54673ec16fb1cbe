package awsimport

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// The JSON reader keeps what encoding/json's generic decoding throws away:
// the line of every value (so that a problem or an unmapped field names its
// line) and the order of an object's keys (so that the output follows the
// input). Every key an importer reads is marked; what is left unmarked at the
// end is reported, never dropped in silence.

// maxDocumentBytes bounds one input document: CLI output for a large
// account's services or a week of one-minute datapoints is a few MiB.
const maxDocumentBytes = 64 << 20

// maxDepth bounds nesting: AWS's deepest output (a service's deployments'
// network configuration) is under ten levels.
const maxDepth = 64

// kindOf is a JSON value's kind.
type kindOf uint8

const (
	kNull kindOf = iota
	kBool
	kNumber
	kString
	kArray
	kObject
)

func (k kindOf) String() string {
	return [...]string{"null", "a boolean", "a number", "a string", "an array", "an object"}[k]
}

// value is one JSON value with its line (1-based) and, for an object, its
// keys in document order; used marks the keys an importer has read.
type value struct {
	kind kindOf
	line int
	b    bool
	num  json.Number
	str  string
	arr  []*value
	keys []string
	obj  map[string]*value
	used map[string]bool
}

// readJSON parses data into a value tree. A syntax error is a Problem with
// the line it is on.
func readJSON(file string, data []byte) (*value, error) {
	if len(data) > maxDocumentBytes {
		return nil, Problems{{File: file, Want: fmt.Sprintf("a document of at most %d MiB", maxDocumentBytes>>20), Got: fmt.Sprintf("%d MiB", len(data)>>20)}}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	r := &reader{dec: dec, data: data, file: file}
	v, err := r.value(0)
	if err == nil {
		if _, e := dec.Token(); !errors.Is(e, io.EOF) {
			err = r.fail("one JSON document", "more after its end")
		}
	}
	if err != nil {
		return nil, err
	}
	return v, nil
}

type reader struct {
	dec  *json.Decoder
	data []byte
	file string
	// The line of offset at, so that counting goes on from the last token
	// instead of from the start (tokens come in order).
	at, atLine int64
}

// line is the 1-based line of byte offset off.
func (r *reader) line(off int64) int {
	off = min(max(off, 0), int64(len(r.data)))
	if off < r.at {
		r.at, r.atLine = 0, 0
	}
	r.atLine += int64(bytes.Count(r.data[r.at:off], []byte{'\n'}))
	r.at = off
	return int(1 + r.atLine)
}

// tokenLine is the line of the token just read: its last byte, found by
// skipping back over the whitespace before the decoder's offset.
func (r *reader) tokenLine() int {
	off := r.dec.InputOffset()
	for off > 0 && off <= int64(len(r.data)) && strings.ContainsRune(" \t\r\n", rune(r.data[off-1])) {
		off--
	}
	return r.line(off - 1)
}

func (r *reader) fail(want, got string) error {
	return Problems{{File: r.file, Line: r.tokenLine(), Want: want, Got: got}}
}

// syntax turns a decoder error into a Problem on its line.
func (r *reader) syntax(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return Problems{{File: r.file, Line: r.line(se.Offset), Want: "valid JSON", Got: se.Error()}}
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return Problems{{File: r.file, Line: r.line(int64(len(r.data))), Want: "valid JSON", Got: "the document ends early"}}
	}
	return Problems{{File: r.file, Line: r.tokenLine(), Want: "valid JSON", Got: err.Error()}}
}

func (r *reader) value(depth int) (*value, error) {
	if depth > maxDepth {
		return nil, r.fail(fmt.Sprintf("at most %d levels of nesting", maxDepth), "more")
	}
	tok, err := r.dec.Token()
	if err != nil {
		return nil, r.syntax(err)
	}
	v := &value{line: r.tokenLine()}
	switch t := tok.(type) {
	case nil:
		v.kind = kNull
	case bool:
		v.kind, v.b = kBool, t
	case json.Number:
		v.kind, v.num = kNumber, t
	case string:
		v.kind, v.str = kString, t
	case json.Delim:
		switch t {
		case '[':
			v.kind = kArray
			for r.dec.More() {
				e, err := r.value(depth + 1)
				if err != nil {
					return nil, err
				}
				v.arr = append(v.arr, e)
			}
		case '{':
			v.kind, v.obj, v.used = kObject, map[string]*value{}, map[string]bool{}
			for r.dec.More() {
				kt, err := r.dec.Token()
				if err != nil {
					return nil, r.syntax(err)
				}
				k, _ := kt.(string)
				e, err := r.value(depth + 1)
				if err != nil {
					return nil, err
				}
				if _, dup := v.obj[k]; dup {
					return nil, Problems{{File: r.file, Line: e.line, Key: k, Want: "each key once in an object", Got: "it twice"}}
				}
				v.keys = append(v.keys, k)
				v.obj[k] = e
			}
		}
		if _, err := r.dec.Token(); err != nil { // the closing ] or }
			return nil, r.syntax(err)
		}
	}
	return v, nil
}

// describe is a short rendering of a value for messages.
func (v *value) describe() string {
	switch v.kind {
	case kString:
		s := v.str
		if len(s) > 60 {
			s = s[:57] + "..."
		}
		return strconv.Quote(s)
	case kNumber:
		return v.num.String()
	case kBool:
		return strconv.FormatBool(v.b)
	}
	return v.kind.String()
}
