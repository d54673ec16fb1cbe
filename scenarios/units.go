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
		return 0, fmt.Errorf("want a duration such as \"90s\", \"5m\", \"168h\" or \"7d\", found %q", s)
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
	return 0, fmt.Errorf("want a size such as \"350MB\" or \"1.5GiB\", found %q", str)
}

// Bandwidth is a TOML string such as "100MB/s".
type Bandwidth struct{ BytesPerSecond int64 }

// UnmarshalText parses a size per second.
func (bw *Bandwidth) UnmarshalText(b []byte) error {
	s, ok := strings.CutSuffix(string(b), "/s")
	v, err := parseBytes(s)
	if !ok || err != nil || v == 0 {
		return fmt.Errorf("want a positive bandwidth such as \"100MB/s\", found %q", string(b))
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
	t, ok := v.(time.Time)
	if !ok {
		return fmt.Errorf("want a TOML date-time such as 2026-01-05T00:00:00Z, found %s", tomlValue(v))
	}
	d.Time = t
	return nil
}

// tomlValue describes a decoded TOML value for a message: "\"2026-01-05\", a string".
func tomlValue(v any) string {
	switch x := v.(type) {
	case string:
		return strconv.Quote(x) + ", a string"
	case int64:
		return strconv.FormatInt(x, 10) + ", an integer"
	case float64:
		return tomlFloat(x) + ", a float"
	case bool:
		return strconv.FormatBool(x) + ", a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "a table"
	}
	return fmt.Sprint(v)
}
