package kube

import (
	"errors"
	"math/big"
	"strconv"
	"strings"
)

// Quantity is a Kubernetes resource quantity ("250m", "0.5", "512Mi", "1G",
// "1e3"), held exactly: digits × 10^exp10 × 2^exp2.
//
// The grammar is apimachinery's (pkg/api/resource/quantity.go at eed236ce,
// ParseQuantity and parseQuantityString; suffix.go for the suffixes), read,
// not copied:
//
//	quantity  = [sign] number suffix
//	number    = digits | digits "." digits | digits "." | "." digits
//	suffix    = "" | binarySI | decimalSI | ("e" | "E") signed integer
//	binarySI  = Ki | Mi | Gi | Ti | Pi | Ei            (2^10 ... 2^60)
//	decimalSI = n | u | m | k | M | G | T | P | E      (10^-9 ... 10^18)
//
// with Kubernetes' own leniencies kept: the digits may be missing altogether
// ("." "+" "Mi" are all zero, as ParseQuantity makes them), "1." and "1.G"
// parse, "E" alone is exa while "E3" is an exponent. No whitespace is
// allowed (a manifest's value is trimmed before, as Quantity.UnmarshalJSON
// does). Value and MilliValue round up, away from zero, like Kubernetes'
// Value and MilliValue; Kubernetes first rounds up to a nanounit, which the
// ceiling to a unit or milliunit absorbs. Unlike Kubernetes, which caps a
// binary-suffixed quantity at 2^63−1 and lets ScaledValue wrap, a value that
// does not fit an int64 in the unit asked for is reported (ok false).
type Quantity struct {
	text   string // as written, for messages
	neg    bool
	digits string // significant digits, no leading or trailing zeros; "" is 0
	exp10  int64
	exp2   int64
}

// ErrQuantity is the error ParseQuantity wraps.
var ErrQuantity = errors.New("kube: not a quantity")

// quantityError is a ParseQuantity failure: what was wrong with the text.
type quantityError struct{ why string }

func (e quantityError) Error() string { return "kube: not a quantity: " + e.why }
func (e quantityError) Unwrap() error { return ErrQuantity }

// suffixExponents maps a suffix of the tables to its exponents of 10 and 2.
func suffixExponents(s string) (exp10, exp2 int64, ok bool) {
	switch s {
	case "":
		return 0, 0, true
	case "n":
		return -9, 0, true
	case "u":
		return -6, 0, true
	case "m":
		return -3, 0, true
	case "k":
		return 3, 0, true
	case "M":
		return 6, 0, true
	case "G":
		return 9, 0, true
	case "T":
		return 12, 0, true
	case "P":
		return 15, 0, true
	case "E":
		return 18, 0, true
	case "Ki":
		return 0, 10, true
	case "Mi":
		return 0, 20, true
	case "Gi":
		return 0, 30, true
	case "Ti":
		return 0, 40, true
	case "Pi":
		return 0, 50, true
	case "Ei":
		return 0, 60, true
	}
	return 0, 0, false
}

// ParseQuantity parses s as a Kubernetes quantity. The error says what is
// wrong; errors.Is(err, ErrQuantity) holds.
func ParseQuantity(s string) (Quantity, error) {
	if s == "" {
		return Quantity{}, quantityError{"empty"}
	}
	q := Quantity{text: s}
	i := 0
	if s[0] == '+' || s[0] == '-' {
		q.neg = s[0] == '-'
		i++
	}
	intStart := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	intPart := s[intStart:i]
	var frac string
	if i < len(s) && s[i] == '.' {
		i++
		fracStart := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		frac = s[fracStart:i]
	}
	suffix := s[i:]
	if !suffixShaped(suffix) {
		return Quantity{}, quantityError{"want a number and a suffix (Ki, Mi, Gi, Ti, Pi, Ei, n, u, m, k, M, G, T, P, E or e<exponent>)"}
	}
	exp10, exp2, ok := suffixExponents(suffix)
	if !ok {
		if len(suffix) < 2 || (suffix[0] != 'e' && suffix[0] != 'E') {
			return Quantity{}, quantityError{"unknown suffix " + strconv.Quote(suffix)}
		}
		e, err := strconv.ParseInt(suffix[1:], 10, 32)
		if err != nil {
			return Quantity{}, quantityError{"exponent " + strconv.Quote(suffix[1:]) + " is not a 32-bit integer"}
		}
		exp10 = e
	}
	digits := strings.TrimLeft(intPart+frac, "0")
	exp10 -= int64(len(frac))
	trimmed := strings.TrimRight(digits, "0")
	exp10 += int64(len(digits) - len(trimmed))
	q.digits, q.exp10, q.exp2 = trimmed, exp10, exp2
	if q.digits == "" {
		q.neg, q.exp10, q.exp2 = false, 0, 0
	}
	return q, nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// suffixShaped reports whether s has the shape parseQuantityString scans for
// a suffix: letters of "eEinumkKMGTP", then an optional sign, then digits.
func suffixShaped(s string) bool {
	i := 0
	for i < len(s) && strings.IndexByte("eEinumkKMGTP", s[i]) >= 0 {
		i++
	}
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i == len(s)
}

// String is the quantity as written.
func (q Quantity) String() string { return q.text }

// Sign is -1, 0 or +1.
func (q Quantity) Sign() int {
	switch {
	case q.digits == "":
		return 0
	case q.neg:
		return -1
	}
	return 1
}

// Value is the quantity in units (bytes for memory), rounded up away from
// zero; ok is false if it does not fit an int64.
func (q Quantity) Value() (int64, bool) { return q.scaled(0) }

// MilliValue is the quantity in thousandths (millicores for CPU), rounded up
// away from zero; ok is false if it does not fit an int64.
func (q Quantity) MilliValue() (int64, bool) { return q.scaled(-3) }

// maxInt64Digits bounds the digits of a value that can still fit an int64:
// 10^19 > 2^63.
const maxInt64Digits = 19

// scaled is ⌈|q| / 10^scale⌉ with q's sign.
func (q Quantity) scaled(scale int64) (int64, bool) {
	if q.digits == "" {
		return 0, true
	}
	e := q.exp10 - scale
	n := int64(len(q.digits))
	m, _ := new(big.Int).SetString(q.digits, 10)
	m.Lsh(m, uint(q.exp2))
	switch {
	case e >= 0:
		// At least 10^(n−1+e): too big once that has 20 digits.
		if n-1+e >= maxInt64Digits {
			return 0, false
		}
		m.Mul(m, pow10(e))
	case -e > n+maxInt64Digits:
		// Below 10^n × 2^60 / 10^(n+19) < 1: a positive sliver rounds up to 1.
		m.SetInt64(1)
	default:
		d := pow10(-e)
		var rem big.Int
		m.QuoRem(m, d, &rem)
		if rem.Sign() != 0 {
			m.Add(m, big.NewInt(1))
		}
	}
	if !m.IsInt64() {
		return 0, false
	}
	v := m.Int64()
	if q.neg {
		v = -v
	}
	return v, true
}

func pow10(e int64) *big.Int {
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(e), nil)
}
