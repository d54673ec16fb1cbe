package report

import (
	"bytes"
	"encoding/json"
)

// punct marks the bytes that end a number or a literal in compact JSON.
var punct = [256]bool{'"': true, '{': true, '}': true, '[': true, ']': true, ',': true, ':': true}

// marshalIndent is json.MarshalIndent, byte for byte, with a faster
// indenter: encoding/json indents by running its full syntax scanner over
// the marshalled bytes, one state function call a byte, which took a tenth
// of a day's large-week run from the CLI (more than the ECS world's
// busiest function) for output json.Marshal has already made valid.
func marshalIndent(v any, prefix, indent string) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return appendIndent(make([]byte, 0, len(b)+len(b)/2), b, prefix, indent), nil
}

// appendIndent appends src, compact JSON as json.Marshal writes it (no
// whitespace outside strings), indented as json.Indent indents it: a new
// line, prefix and one indent a level after each opening bracket and
// comma, a space after each colon, and an empty object or array kept as
// {} or []. FuzzIndentIsEncodingJSONs holds it to json.Indent's bytes.
func appendIndent(dst, src []byte, prefix, indent string) []byte {
	depth := 0
	newline := func() {
		dst = append(dst, '\n')
		dst = append(dst, prefix...)
		for range depth {
			dst = append(dst, indent...)
		}
	}
	for i := 0; i < len(src); i++ {
		switch c := src[i]; c {
		case '"':
			// A string, copied whole: up to the first quote after an even
			// run of backslashes (an odd one escapes it).
			j := i + 1
			for {
				k := bytes.IndexByte(src[j:], '"')
				if k < 0 {
					j = len(src)
					break
				}
				j += k
				n := 0
				for n < j-i-1 && src[j-1-n] == '\\' {
					n++
				}
				j++
				if n%2 == 0 {
					break
				}
			}
			dst = append(dst, src[i:j]...)
			i = j - 1
		case '{', '[':
			dst = append(dst, c)
			if i+1 < len(src) && (src[i+1] == '}' || src[i+1] == ']') {
				dst = append(dst, src[i+1])
				i++
				continue
			}
			depth++
			newline()
		case '}', ']':
			depth--
			newline()
			dst = append(dst, c)
		case ',':
			dst = append(dst, c)
			newline()
		case ':':
			dst = append(dst, ':', ' ')
		default: // a number or a literal, up to the next punctuation
			j := i + 1
			for j < len(src) && !punct[src[j]] {
				j++
			}
			dst = append(dst, src[i:j]...)
			i = j - 1
		}
	}
	return dst
}
