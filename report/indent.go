package report

import "encoding/json"

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
			// A string, copied whole: up to the quote no backslash escapes.
			j := i + 1
			for j < len(src) && src[j] != '"' {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			j = min(j+1, len(src))
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
		default:
			dst = append(dst, c)
		}
	}
	return dst
}
