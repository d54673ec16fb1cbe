package scenarios

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Duration is a TOML string such as "90s", "5m", "168h" or "7d" (days of 24 h).
type Duration struct {
	time.Duration
	Set bool
}

// UnmarshalText parses a Go duration, also accepting a whole number of days.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := ParseDuration(string(b))
	if err != nil {
		return err
	}
	d.Duration, d.Set = v, true
	return nil
}

const (
	durationWant  = `a duration such as "90s", "5m", "168h" or "7d"`
	sizeWant      = `a size such as "350MB" or "1.5GiB"`
	bandwidthWant = `a positive bandwidth such as "100MB/s"`
	dateTimeWant  = "a TOML date-time such as 2026-01-05T00:00:00Z"
)

// fromTree reads a duration from its string.
func (d *Duration) fromTree(data any) (want, got string, ok bool) {
	s, isString := data.(string)
	if !isString {
		return durationWant, tomlValue(data), false
	}
	v, err := ParseDuration(s)
	if err != nil {
		return durationWant, quoteShort(s), false
	}
	d.Duration, d.Set = v, true
	return "", "", true
}

// ParseDuration parses "90s", "1h30m" or "7d".
func ParseDuration(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err == nil && n >= 0 && n <= 3650 {
			return time.Duration(n) * 24 * time.Hour, nil
		}
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("want %s, found %s", durationWant, quoteShort(s))
	}
	return v, nil
}

// ByteSize is a TOML string such as "350MB" or "1.5GiB".
type ByteSize struct {
	Bytes int64
	Set   bool
}

var byteUnits = []struct {
	suffix string
	mult   float64
}{
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
	{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12}, {"B", 1},
}

// fromTree reads a size from its string.
func (s *ByteSize) fromTree(data any) (want, got string, ok bool) {
	str, isString := data.(string)
	if !isString {
		return sizeWant, tomlValue(data), false
	}
	if err := s.UnmarshalText([]byte(str)); err != nil {
		return sizeWant, quoteShort(str), false
	}
	return "", "", true
}

// UnmarshalText parses a size with a decimal (KB, MB, GB) or binary (KiB,
// MiB, GiB) unit.
func (s *ByteSize) UnmarshalText(b []byte) error {
	v, err := parseBytes(string(b))
	if err != nil {
		return err
	}
	s.Bytes, s.Set = v, true
	return nil
}

func parseBytes(str string) (int64, error) {
	for _, u := range byteUnits {
		if num, ok := strings.CutSuffix(str, u.suffix); ok {
			f, err := parseFinite(strings.TrimSpace(num))
			if err == nil && f >= 0 && f*u.mult < 1<<62 {
				return int64(f * u.mult), nil
			}
			break
		}
	}
	return 0, fmt.Errorf("want %s, found %s", sizeWant, quoteShort(str))
}

// Bandwidth is a TOML string such as "100MB/s".
type Bandwidth struct{ BytesPerSecond int64 }

// fromTree reads a bandwidth from its string.
func (bw *Bandwidth) fromTree(data any) (want, got string, ok bool) {
	str, isString := data.(string)
	if !isString {
		return bandwidthWant, tomlValue(data), false
	}
	if err := bw.UnmarshalText([]byte(str)); err != nil {
		return bandwidthWant, quoteShort(str), false
	}
	return "", "", true
}

// UnmarshalText parses a size per second.
func (bw *Bandwidth) UnmarshalText(b []byte) error {
	s, ok := strings.CutSuffix(string(b), "/s")
	v, err := parseBytes(s)
	if !ok || err != nil || v == 0 {
		return fmt.Errorf("want %s, found %s", bandwidthWant, quoteShort(string(b)))
	}
	bw.BytesPerSecond = v
	return nil
}

// DateTime is a TOML date-time, date or time as the decoder read it.
// Decoded straight into a time.Time, a value without an offset turns into
// one in the machine's time zone (through text) and nobody can tell any more
// that it had none; kept as decoded, checkValues can refuse it.
type DateTime struct{ time.Time }

// UnmarshalTOML keeps the decoded value.
func (d *DateTime) UnmarshalTOML(v any) error {
	if want, got, ok := d.fromTree(v); !ok {
		return fmt.Errorf("want %s, found %s", want, got)
	}
	return nil
}

// fromTree keeps the decoded value.
func (d *DateTime) fromTree(data any) (want, got string, ok bool) {
	t, isTime := data.(time.Time)
	if !isTime {
		return dateTimeWant, tomlValue(data), false
	}
	d.Time = t
	return "", "", true
}
